using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Roadmap.Api.Infrastructure;

/// <summary>Marks a request field that may hold several lines (tabs and line breaks allowed): a reason, a justification, a notice text.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property)]
public sealed class MultiLineTextAttribute : Attribute;

/// <summary>
/// Checks every request body has to pass before its validator, whatever the slice: no null entries in lists, and only
/// text PostgreSQL can store and a page can show: no NUL or other control characters (tab and line breaks only in
/// fields marked <see cref="MultiLineTextAttribute"/>), no lone surrogates, at most <see cref="MaxTextLength"/>
/// characters in any string. Slices' validators set tighter lengths per field (issue 10).
/// </summary>
public static class RequestShape
{
    /// <summary>The longest string any field accepts (the longest per-field limit is a notice text's 4,000).</summary>
    public const int MaxTextLength = 4000;

    private static readonly ConcurrentDictionary<Type, Member[]> Members = new();

    private sealed record Member(PropertyInfo Property, string JsonName, bool MultiLine);

    /// <summary>Field errors keyed by the JSON path the client wrote ("shares[0]", "title"); empty when the shape is fine.</summary>
    public static Dictionary<string, string[]> Check(object request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Walk(request, "", multiLine: false, errors, depth: 0);
        return errors;
    }

    /// <summary>Why the text cannot be accepted, or null.</summary>
    public static string? TextRefusal(string text, bool multiLine)
    {
        if (text.Length > MaxTextLength)
        {
            return $"At most {MaxTextLength:N0} characters are accepted; this text has {text.Length:N0}.";
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"The text contains a lone surrogate (U+{(int)c:X4}) at position {i + 1}: it is not valid Unicode.";
            }

            if (c == '\0')
            {
                return $"The text contains a NUL character (U+0000) at position {i + 1}, which cannot be stored.";
            }

            if (char.IsControl(c) && c < '\u0080' && c != '\u007f' && !(multiLine && c is '\t' or '\n' or '\r'))
            {
                return c is '\t' or '\n' or '\r'
                    ? $"This field is a single line; it contains a {(c == '\t' ? "tab" : "line break")} at position {i + 1}."
                    : $"The text contains the control character U+{(int)c:X4} at position {i + 1}; only printable text{(multiLine ? ", tabs and line breaks are" : " is")} accepted.";
            }
        }

        return null;
    }

    private static void Walk(object value, string path, bool multiLine, Dictionary<string, string[]> errors, int depth)
    {
        switch (value)
        {
            case string text:
                if (TextRefusal(text, multiLine) is { } refusal)
                {
                    errors[path] = [refusal];
                }

                return;
            case IEnumerable list when depth < 8:
                var index = 0;
                foreach (var entry in list)
                {
                    var at = $"{path}[{index++}]";
                    if (entry is null)
                    {
                        errors[at] = ["An entry of the list cannot be null."];
                    }
                    else
                    {
                        Walk(entry, at, multiLine, errors, depth + 1);
                    }
                }

                return;
        }

        var type = value.GetType();
        if (depth >= 8 || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Roadmap.", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var member in Members.GetOrAdd(type, MembersOf))
        {
            if (member.Property.GetValue(value) is { } child)
            {
                Walk(child, path.Length == 0 ? member.JsonName : $"{path}.{member.JsonName}", member.MultiLine, errors, depth + 1);
            }
        }
    }

    private static Member[] MembersOf(Type type)
    {
        var multiLineParameters = type.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .Where(p => p.GetCustomAttribute<MultiLineTextAttribute>() is not null)
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => new Member(p, JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                p.GetCustomAttribute<MultiLineTextAttribute>() is not null || multiLineParameters.Contains(p.Name)))
            .ToArray();
    }
}

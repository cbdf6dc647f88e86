using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// How request bodies are read, and how a body that cannot be read is explained: the field, as the client wrote it,
/// and what it should hold, never a .NET type name (issue 10).
/// </summary>
public static partial class JsonInput
{
    /// <summary>Strict input: a misspelt field, a number for an enum, a string for a number or a missing required value is a 400, not a default.</summary>
    public static void Configure(JsonOptions options)
    {
        var json = options.SerializerOptions;
        json.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        json.Converters.Add(new InputDateConverter());
        json.Converters.Add(new InputDecimalConverter());
        json.NumberHandling = JsonNumberHandling.Strict;
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.RespectNullableAnnotations = true;
        json.RespectRequiredConstructorParameters = true;
        // No request body of ours nests deeper than a few levels: a deeply nested body is refused (400), not walked.
        json.MaxDepth = MaxDepth;
    }

    /// <summary>The deepest nesting a request body may have.</summary>
    public const int MaxDepth = 32;

    /// <summary>"a string", "a number", ... for the sentences of the converters.</summary>
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "true or false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        _ => "this value",
    };

    /// <summary>The sentence for a body that could not be read, and the field at fault (as a JSON path without "$."), if one is.</summary>
    public static (string Detail, IReadOnlyDictionary<string, string[]> Errors) Explain(JsonException json, Type? bodyType)
    {
        var field = FieldOf(json.Path);
        var reason = json.Message.Split(" Path: $", 2)[0];

        var missing = MissingProperties().Match(reason);
        if (missing.Success)
        {
            var names = missing.Groups[1].Value.TrimEnd('.');
            return ($"Required fields are missing: {names}.",
                QuotedNames().Matches(names).ToDictionary(m => Join(field, m.Groups[1].Value), _ => new[] { "Required." }));
        }

        string sentence;
        if (UnmappedProperty().Match(reason) is { Success: true } unmapped)
        {
            sentence = "Not a field of this request; check the spelling (names are camelCase).";
            field = field.Length > 0 ? field : unmapped.Groups[1].Value;
        }
        else if (NullNotAllowed().IsMatch(reason))
        {
            sentence = "Cannot be null; send a value.";
        }
        else if (json.InnerException is InvalidOperationException { Message: var inner } && (inner.Contains("UTF-16") || inner.Contains("UTF-8")))
        {
            sentence = "Not valid Unicode text (a lone surrogate or invalid UTF-8); send the text as UTF-8.";
        }
        else if (reason.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            sentence = field.Length == 0
                ? "The body must be a JSON object with the request's fields."
                : $"Must be {Expectation(TypeAt(bodyType, field))}.";
        }
        else if (json.InnerException is JsonException { BytePositionInLine: { } position, LineNumber: { } line } && json.InnerException.GetType().Name == "JsonReaderException")
        {
            sentence = $"The body is not valid JSON (line {line + 1}, position {position + 1}): {json.InnerException.Message.Split(" LineNumber:", 2)[0]}";
            field = "";
        }
        else
        {
            // Our converters (dates, amounts) and other readers say what was wrong with the value itself.
            sentence = reason;
        }

        sentence = Sanitize(sentence);
        return field.Length == 0
            ? (sentence, new Dictionary<string, string[]>())
            : ($"'{field}': {sentence}", new Dictionary<string, string[]> { [field] = [sentence] });
    }

    /// <summary>"$.shares[0].netValue" becomes "shares[0].netValue"; the root is "".</summary>
    public static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>What a value of <paramref name="type"/> looks like, in the client's words.</summary>
    public static string Expectation(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "a value of another type",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(Guid) => "a UUID, e.g. \"0193a1b2-0000-7000-8000-0000000000a1\"",
            _ when type == typeof(DateOnly) => "a date yyyy-MM-dd, e.g. \"2028-12-31\"",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a timestamp, e.g. \"2028-12-31T12:00:00Z\"",
            _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number",
            _ when typeof(IEnumerable).IsAssignableFrom(type) => "a list [...]",
            _ => "an object {...}",
        };
    }

    /// <summary>The declared type of the member at <paramref name="field"/> (e.g. "shares[0].netValue") inside <paramref name="root"/>.</summary>
    public static Type? TypeAt(Type? root, string field)
    {
        var type = root;
        foreach (Match segment in PathSegment().Matches(field))
        {
            if (type is null)
            {
                return null;
            }

            type = segment.Groups["index"].Success
                ? ElementType(type)
                : type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, segment.Groups["name"].Value, StringComparison.OrdinalIgnoreCase))?.PropertyType;
        }

        return type;
    }

    /// <summary>T of a list of T; null for anything else.</summary>
    public static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? type : type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))?.GetGenericArguments()[0];

    /// <summary>A safety net: no sentence a client reads names a .NET type.</summary>
    public static string Sanitize(string text) => ClrTypeName().Replace(text, "the expected value");

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    [GeneratedRegex("missing required properties including: (.+)$")]
    private static partial Regex MissingProperties();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedNames();

    [GeneratedRegex("^The JSON property '(.+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex("doesn't allow (getting |setting )?null values")]
    private static partial Regex NullNotAllowed();

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    [GeneratedRegex(@"'?\b(System|Roadmap|Microsoft|Npgsql)\.[\w.`+]+(\[[^\]]*\])*'?")]
    private static partial Regex ClrTypeName();
}

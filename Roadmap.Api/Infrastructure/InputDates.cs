using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Every date the API accepts, in a body or a query string: <c>yyyy-MM-dd</c> within a plausible window. Lifecycle,
/// procurement and roadmap dates of municipal IT lie decades apart at most; a day such as 9999-12-31 is a typo or a
/// placeholder for "never", and the roadmap's arithmetic (months before an end of support, the day after a Stand) cannot
/// compute with it, so it is refused at the edge instead of breaking a page for good (issue 10).
/// </summary>
public static class InputDates
{
    public const string Format = "yyyy-MM-dd";

    public static readonly DateOnly Earliest = new(1990, 1, 1);

    public static readonly DateOnly Latest = new(2100, 12, 31);

    public static string Window => $"{Earliest.ToString(Format, CultureInfo.InvariantCulture)} to {Latest.ToString(Format, CultureInfo.InvariantCulture)}";

    /// <summary>A date in the window, or false with the reason, e.g. "2026-02-30 is not a date (yyyy-MM-dd)".</summary>
    public static bool TryParse(string? text, out DateOnly date, out string? reason)
    {
        if (!DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            reason = $"{Quote(text)} is not a date (yyyy-MM-dd, e.g. 2028-12-31).";
            return false;
        }

        reason = Refusal(date);
        return reason is null;
    }

    /// <summary>Why the date is outside the window, or null.</summary>
    public static string? Refusal(DateOnly date) => date < Earliest || date > Latest
        ? $"{date.ToString(Format, CultureInfo.InvariantCulture)} is outside the dates this service plans with ({Window})."
        : null;

    private static string Quote(string? text) => text is null ? "null" : $"'{(text.Length > 40 ? text[..40] + "…" : text)}'";
}

/// <summary>DateOnly in request bodies: only <see cref="InputDates"/>; written as yyyy-MM-dd.</summary>
public sealed class InputDateConverter : JsonConverter<DateOnly>
{
    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A date is a string yyyy-MM-dd, e.g. \"2028-12-31\", not {JsonInput.Describe(reader.TokenType)}.");
        }

        return InputDates.TryParse(reader.GetString(), out var date, out var reason) ? date : throw new JsonException(reason);
    }

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(InputDates.Format, CultureInfo.InvariantCulture));
}

/// <summary>Decimals in request bodies: JSON numbers only (a string is refused, as the README promises), in decimal's range.</summary>
public sealed class InputDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            throw new JsonException("An amount is a JSON number without quotes, e.g. 180000.50.");
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"An amount is a JSON number, e.g. 180000.50, not {JsonInput.Describe(reader.TokenType)}.");
        }

        if (reader.TryGetDecimal(out var value))
        {
            return value;
        }

        var text = System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
        throw new JsonException($"{(text.Length > 40 ? text[..40] + "…" : text)} is not an amount this service can compute with.");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Roadmap.Domain.Shared;

/// <summary>
/// Amtlicher Gemeindeschlüssel: 8 digits, 2 Land, 1 Regierungsbezirk, 2 Kreis, 3 Gemeinde. Landkreis Landsberg am
/// Lech is 09181000 as a county; its municipalities are 09181xxx.
/// </summary>
[JsonConverter(typeof(AgsJsonConverter))]
public sealed record Ags
{
    private Ags(string value) => Value = value;

    public string Value { get; }

    public LandCode Land => LandCode.Parse(Value[..2]);

    /// <summary>The third digit ("1" = Oberbayern in Bayern; "0" in Länder without Regierungsbezirke).</summary>
    public string Regierungsbezirk => Value[2..3];

    /// <summary>The first five digits, e.g. "09181".</summary>
    public string Kreis => Value[..5];

    /// <summary>The last three digits, e.g. "000" for the county itself.</summary>
    public string Gemeinde => Value[5..];

    /// <summary>The AGS of the county this municipality belongs to: its Kreis followed by 000.</summary>
    public Ags County => new(Kreis + "000");

    public bool IsCounty => Gemeinde == "000";

    public bool BelongsTo(Ags county) => Kreis == county.Kreis;

    public static Ags Parse(string value) =>
        TryParse(value, out var ags, out var reason) ? ags : throw new FormatException(reason);

    public static bool TryParse(string? value, [NotNullWhen(true)] out Ags? ags, [NotNullWhen(false)] out string? reason)
    {
        ags = null;
        if (string.IsNullOrEmpty(value))
        {
            reason = "The AGS is missing; it has exactly 8 digits.";
            return false;
        }

        // An index, not FirstOrDefault: the default of char is NUL, which would pass "0918111\0" as 8 digits.
        var notDigit = value.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (notDigit >= 0)
        {
            reason = $"An AGS consists of digits only; '{value}' contains '{value[notDigit]}'.";
            return false;
        }

        if (value.Length != 8)
        {
            reason = $"An AGS has exactly 8 digits; '{value}' has {value.Length}.";
            return false;
        }

        if (!LandCode.TryParse(value[..2], out _, out var landReason))
        {
            reason = $"The first two digits of an AGS name the Land: {landReason}";
            return false;
        }

        ags = new Ags(value);
        reason = null;
        return true;
    }

    public override string ToString() => Value;
}

internal sealed class AgsJsonConverter : JsonConverter<Ags>
{
    public override Ags Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Ags.TryParse(reader.GetString(), out var ags, out var reason) ? ags : throw new JsonException(reason);

    public override void Write(Utf8JsonWriter writer, Ags value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Roadmap.Domain.Shared;

/// <summary>The two-digit code of a German Land, as in the first two digits of an AGS ("09" = Bayern).</summary>
[JsonConverter(typeof(LandCodeJsonConverter))]
public sealed record LandCode
{
    private static readonly string[] Names =
    [
        "Schleswig-Holstein", "Hamburg", "Niedersachsen", "Bremen", "Nordrhein-Westfalen", "Hessen",
        "Rheinland-Pfalz", "Baden-Württemberg", "Bayern", "Saarland", "Berlin", "Brandenburg",
        "Mecklenburg-Vorpommern", "Sachsen", "Sachsen-Anhalt", "Thüringen",
    ];

    private LandCode(string value) => Value = value;

    public static LandCode Bayern { get; } = new("09");

    public string Value { get; }

    /// <summary>The German name of the Land, e.g. "Bayern".</summary>
    public string Name => Names[int.Parse(Value, System.Globalization.CultureInfo.InvariantCulture) - 1];

    public static LandCode Parse(string value) =>
        TryParse(value, out var land, out var reason) ? land : throw new FormatException(reason);

    public static bool TryParse(string? value, [NotNullWhen(true)] out LandCode? land, [NotNullWhen(false)] out string? reason)
    {
        land = null;
        if (value is null || value.Length != 2 || !value.All(char.IsAsciiDigit))
        {
            reason = $"A Land code has exactly two digits; '{value}' does not.";
            return false;
        }

        var number = (value[0] - '0') * 10 + (value[1] - '0');
        if (number is < 1 or > 16)
        {
            reason = $"Land codes run from 01 to 16; '{value}' names no Land.";
            return false;
        }

        land = new LandCode(value);
        reason = null;
        return true;
    }

    public override string ToString() => Value;
}

internal sealed class LandCodeJsonConverter : JsonConverter<LandCode>
{
    public override LandCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        LandCode.TryParse(reader.GetString(), out var land, out var reason) ? land : throw new JsonException(reason);

    public override void Write(Utf8JsonWriter writer, LandCode value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

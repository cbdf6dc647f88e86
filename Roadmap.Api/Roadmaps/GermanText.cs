using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Roadmap.Domain.Procurement;

namespace Roadmap.Api.Roadmaps;

/// <summary>The German words, dates and band names that the mayor's page, the county overview and the calendar share.</summary>
public static class GermanText
{
    // Every Unicode range allowed, so umlauts stay readable in the source; markup characters are still encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>HTML-encodes a text for element content and attribute values; valid inside inline SVG (XML) too.</summary>
    public static string Encode(string? text) => Encoder.Encode(text ?? string.Empty);

    public static string Date(DateOnly date) => date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);

    public static string Days(int days) => Math.Abs(days) == 1 ? $"{Minus(days)} Tag" : $"{Minus(days)} Tage";

    /// <summary>A typographic minus, as German print uses it.</summary>
    private static string Minus(int value) => value < 0 ? $"\u2212{-value}" : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The CSS class suffix of a band; null (end of support not announced) is "unknown".</summary>
    public static string BandKey(SlackBand? band) => band switch
    {
        SlackBand.Late => "late",
        SlackBand.High => "high",
        SlackBand.Moderate => "moderate",
        SlackBand.Low => "low",
        _ => "unknown",
    };

    public static string BandName(SlackBand? band) => band switch
    {
        SlackBand.Late => "verspätet",
        SlackBand.High => "hohes Risiko",
        SlackBand.Moderate => "mittleres Risiko",
        SlackBand.Low => "geringes Risiko",
        _ => "unbekannt",
    };

    /// <summary>What the band means, for the legend (domain.md, date rule 5).</summary>
    public static string BandMeaning(SlackBand? band) => band switch
    {
        SlackBand.Late => "spätester Vergabebeginn erreicht oder überschritten",
        SlackBand.High => "weniger als 90 Tage bis zum spätesten Vergabebeginn",
        SlackBand.Moderate => "90 bis 180 Tage bis zum spätesten Vergabebeginn",
        SlackBand.Low => "mehr als 180 Tage bis zum spätesten Vergabebeginn",
        _ => "Supportende noch nicht angekündigt",
    };

    /// <summary>A one-character symbol per band, so a black-and-white print still tells them apart.</summary>
    public static string BandSymbol(SlackBand? band) => band switch
    {
        SlackBand.Late => "!",
        SlackBand.High => "▲",
        SlackBand.Moderate => "■",
        SlackBand.Low => "●",
        _ => "?",
    };

    public static string BandColour(SlackBand? band) => band switch
    {
        SlackBand.Late => "#c62828",
        SlackBand.High => "#ef6c00",
        SlackBand.Moderate => "#f9a825",
        SlackBand.Low => "#2e7d32",
        _ => "#9e9e9e",
    };

    public static IReadOnlyList<SlackBand?> AllBands { get; } = [SlackBand.Late, SlackBand.High, SlackBand.Moderate, SlackBand.Low, null];

    public static string LifecycleName(string state) => state switch
    {
        "introduced" => "im Betrieb",
        "planned" => "Ablösung geplant",
        "scheduled" => "Umstellung terminiert",
        "cut-over" => "umgestellt",
        "retired" => "außer Betrieb",
        _ => state,
    };
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests.Rules;

public sealed class RulesApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task The_rules_in_force_are_listed_with_validity_and_source()
    {
        var rules = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/rules?today=2026-01-15");

        Assert.Equal("2026-01-15", rules.GetProperty("today").GetString());
        Assert.Equal("2027-12-31", rules.GetProperty("publishedThresholdsUntil").GetString());
        var thresholds = rules.GetProperty("euThresholds").EnumerateArray().ToList();
        var current = Assert.Single(thresholds, t => t.GetProperty("validity").GetProperty("inForce").GetBoolean());
        Assert.Equal(216_000m, current.GetProperty("amounts").GetProperty("SubCentral").GetDecimal());
        Assert.Equal("2026-01-01", current.GetProperty("validity").GetProperty("validFrom").GetString());
        Assert.Contains(thresholds, t => !t.GetProperty("validity").GetProperty("inForce").GetBoolean());
        var bayern = Assert.Single(rules.GetProperty("landLimits").EnumerateArray(), l => l.GetProperty("land").GetString() == "09");
        Assert.Equal(100_000m, bayern.GetProperty("directAwardMaxNet").GetDecimal());
        Assert.True(rules.GetProperty("landLimits").EnumerateArray().Single(l => l.GetProperty("fallback").GetBoolean()).GetProperty("validity").GetProperty("inForce").GetBoolean());
        var legal = Assert.Single(rules.GetProperty("legalPeriods").EnumerateArray());
        Assert.Equal(10, legal.GetProperty("standstillDaysElectronic").GetInt32());
        Assert.Contains(legal.GetProperty("minimumDays").EnumerateArray(), m => m.GetProperty("type").GetString() == "EuOffenesVerfahren"
            && m.GetProperty("offers").GetProperty("standard").GetInt32() == 35);
        var planning = Assert.Single(rules.GetProperty("planning").EnumerateArray());
        Assert.Equal(9, planning.GetProperty("procurementMonths").GetProperty("EuVerhandlungsverfahren").GetInt32());
        Assert.Equal(15, planning.GetProperty("migrationMonthsByCategory").GetProperty("Finanzwesen").GetInt32());
        var freezes = rules.GetProperty("freezeWindows").EnumerateArray().ToList();
        Assert.Contains(freezes, w => w.GetProperty("annual").ValueKind == JsonValueKind.Object && w.GetProperty("annual").GetProperty("from").GetString() == "12-15");
        Assert.Contains(freezes, w => w.GetProperty("name").GetString()!.Contains("Kommunalwahlen", StringComparison.Ordinal)
            && w.GetProperty("validity").GetProperty("inForce").GetBoolean());

        Assert.Equal(2, legal.GetProperty("appealWeeks").GetInt32());
        var holidays = rules.GetProperty("publicHolidays").EnumerateArray().ToList();
        var goodFriday = Assert.Single(holidays, h => h.GetProperty("easterOffset").ValueKind == JsonValueKind.Number && h.GetProperty("easterOffset").GetInt32() == -2);
        Assert.Equal("2026-04-03", goodFriday.GetProperty("dateInYear").GetString());
        Assert.Equal(JsonValueKind.Null, goodFriday.GetProperty("land").ValueKind);
        Assert.Contains(holidays, h => h.GetProperty("land").GetString() == "09" && h.GetProperty("fixed").GetString() == "01-06");

        foreach (var section in new[] { "euThresholds", "landLimits", "legalPeriods", "planning", "freezeWindows", "publicHolidays" })
        {
            Assert.All(rules.GetProperty(section).EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("source").GetString()), $"{section} without source"));
        }
    }

    [Fact]
    public async Task A_malformed_today_is_a_validation_problem()
    {
        var response = await factory.CreateClient().GetAsync("/rules?today=15.01.2026");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_german_page_shows_the_same_rules_and_says_what_is_in_force()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync("/regeln?heute=2026-01-15");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html><html lang=\"de\">", html, StringComparison.Ordinal);
        Assert.Contains("Vergaberegeln und Planungsannahmen", html, StringComparison.Ordinal);
        Assert.Contains("216.000 €", html, StringComparison.Ordinal);
        Assert.Contains("01.01.2026–31.12.2027 (in Kraft)", html, StringComparison.Ordinal);
        Assert.Contains("EU-Schwellenwerte veröffentlicht bis 31.12.2027", html, StringComparison.Ordinal);
        Assert.Contains("Bund (Auffangregel) (für Länder ohne eigene Angabe; Platzhalter)", html, StringComparison.Ordinal);
        Assert.Contains("jährlich 15.12. bis 15.01.", html, StringComparison.Ordinal);
        Assert.Contains("§§ 15–18 VgV", html, StringComparison.Ordinal);
        Assert.Contains("Planungsannahmen (Schätzungen)", html, StringComparison.Ordinal);
        Assert.Contains("Gesetzliche Feiertage (Fristende am nächsten Werktag), Daten 2026", html, StringComparison.Ordinal);
        Assert.Contains("Ostersonntag − 2 Tage", html, StringComparison.Ordinal);
        Assert.Contains("03.04.2026", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/regeln?heute=morgen")).StatusCode);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests.Procurement;

/// <summary>Public holidays as data and the end of periods (Regulation (EEC, Euratom) No 1182/71 Art. 3(4), § 82 VgV).</summary>
public sealed class PublicHolidayTests
{
    private static readonly ProcurementRuleSet Rules = ProcurementRuleSet.LoadDefault();

    private static readonly LandCode Nordrhein = LandCode.Parse("05");

    private static DateOnly D(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-03-28")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2285, "2285-03-22")]
    public void Easter_Sunday_is_computed_for_the_gregorian_calendar(int year, string sunday)
    {
        Assert.Equal(D(sunday), Easter.Sunday(year));
    }

    [Fact]
    public void Bavaria_has_thirteen_statutory_holidays_in_2026()
    {
        var holidays = Enumerable.Range(0, 365).Select(d => new DateOnly(2026, 1, 1).AddDays(d))
            .Where(d => Rules.HolidayOn(d, LandCode.Bayern) is not null)
            .Select(d => d.ToString("MM-dd", CultureInfo.InvariantCulture));

        Assert.Equal(
            ["01-01", "01-06", "04-03", "04-06", "05-01", "05-14", "05-25", "06-04", "08-15", "10-03", "11-01", "12-25", "12-26"],
            holidays);
    }

    [Theory]
    [InlineData("2026-01-06", false, true)] // Heilige Drei Könige: Bavaria only
    [InlineData("2026-06-04", false, true)] // Fronleichnam (Easter + 60): Bavaria only here
    [InlineData("2026-04-03", false, false)] // Karfreitag: nationwide
    [InlineData("2026-10-03", false, false)] // Tag der Deutschen Einheit (a Saturday as well)
    [InlineData("2017-10-31", false, false)] // Reformationstag 2017: once, nationwide
    [InlineData("2018-10-31", true, true)] // not in Bavaria after 2017
    [InlineData("2026-03-02", true, true)] // an ordinary Monday
    public void Working_days_depend_on_the_land_with_the_nationwide_holidays_as_the_fallback(string date, bool workingInBavaria, bool workingInNrw)
    {
        Assert.Equal(workingInBavaria, Rules.IsWorkingDay(D(date), LandCode.Bayern));
        Assert.Equal(workingInNrw, Rules.IsWorkingDay(D(date), Nordrhein));
    }

    [Theory]
    [InlineData("2026-03-06", "2026-03-06")] // a Friday is a working day
    [InlineData("2026-03-07", "2026-03-09")] // Saturday
    [InlineData("2026-03-08", "2026-03-09")] // Sunday
    [InlineData("2026-04-03", "2026-04-07")] // Karfreitag, the weekend and Ostermontag
    [InlineData("2025-12-24", "2025-12-24")] // Christmas Eve is not a public holiday
    [InlineData("2025-12-25", "2025-12-29")]
    [InlineData("2025-11-01", "2025-11-03")] // Allerheiligen on a Saturday
    public void Regulation_1182_71_Art_3_4_a_period_ending_on_a_weekend_or_holiday_ends_on_the_next_working_day(string lastDay, string end)
    {
        Assert.Equal(D(end), Rules.EndOfPeriod(D(lastDay), LandCode.Bayern));
    }

    [Fact]
    public void Every_holiday_names_its_source_and_validity()
    {
        Assert.All(Rules.PublicHolidays, h => Assert.False(string.IsNullOrWhiteSpace(h.Source)));
        Assert.Contains(Rules.PublicHolidays, h => h.Land == LandCode.Bayern && h.Name == "Allerheiligen");
        Assert.Contains(Rules.PublicHolidays, h => h.IsNationwide && h.ValidTo is not null);
    }

    [Fact]
    public void The_appeal_period_after_a_review_is_two_weeks()
    {
        Assert.Equal(2, Rules.LegalPeriodsOn(D("2026-01-01")).AppealWeeks);
    }

    private static InvalidProcurementRulesException LoadFails(Action<JsonNode> change)
    {
        using var resource = typeof(ProcurementRuleSet).Assembly.GetManifestResourceStream("Roadmap.Domain.Procurement.procurement-rules.json")!;
        var rules = JsonNode.Parse(resource, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        change(rules);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(rules.ToJsonString()));
        return Assert.Throws<InvalidProcurementRulesException>(() => ProcurementRuleSet.Load(stream));
    }

    [Fact]
    public void A_holiday_with_both_or_neither_kind_of_date_is_rejected()
    {
        Assert.Contains(LoadFails(r => r["publicHolidays"]![0]!["easterOffset"] = 3).Problems, p => p.Contains("not both", StringComparison.Ordinal));
        Assert.Contains(LoadFails(r => r["publicHolidays"]![0]!.AsObject().Remove("fixed")).Problems, p => p.Contains("not both", StringComparison.Ordinal));
    }

    [Fact]
    public void A_holiday_listed_twice_or_for_a_land_that_has_it_nationwide_is_rejected()
    {
        Assert.Contains(LoadFails(r => r["publicHolidays"]!.AsArray().Add(r["publicHolidays"]![0]!.DeepClone())).Problems,
            p => p.Contains("Neujahr", StringComparison.Ordinal) && p.Contains("overlap", StringComparison.Ordinal));
        Assert.Contains(LoadFails(r =>
            {
                var copy = r["publicHolidays"]![0]!.DeepClone();
                copy["land"] = "09";
                r["publicHolidays"]!.AsArray().Add(copy);
            }).Problems,
            p => p.Contains("already nationwide", StringComparison.Ordinal));
    }

    [Fact]
    public void A_holiday_with_a_bad_land_day_or_without_source_is_rejected()
    {
        Assert.NotEmpty(LoadFails(r => r["publicHolidays"]![0]!["land"] = "17").Problems);
        Assert.Contains(LoadFails(r => r["publicHolidays"]![0]!["fixed"] = "13-01").Problems, p => p.Contains("MM-DD", StringComparison.Ordinal));
        Assert.Contains(LoadFails(r => r["publicHolidays"]![0]!["source"] = " ").Problems, p => p.Contains("source", StringComparison.Ordinal));
    }

    [Fact]
    public void Legal_periods_without_the_appeal_weeks_are_rejected()
    {
        Assert.Contains(LoadFails(r => r["legalPeriods"]![0]!.AsObject().Remove("appealWeeks")).Problems,
            p => p.Contains("appealWeeks", StringComparison.Ordinal));
    }
}

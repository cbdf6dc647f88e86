using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests.Procurement;

public sealed class ReplacementScheduleTests
{
    private static readonly ProcurementRuleSet Rules = ProcurementRuleSet.LoadDefault();

    private static readonly DateOnly Today = new(2026, 3, 2);

    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The worked example's procedure: a small one (9 months' migration) in Bavaria, end of support 31.12.2028.</summary>
    private static ReplacementScheduleInput WorkedExample(Money? value = null, ProcurementProcedureType? chosen = null) =>
        new(EndOfSecuritySupport: D("2028-12-31"), EndOfLife: null, ExtendedSupportUntil: null, ProcedureCategory.Gewerbe, LandCode.Bayern,
            Today, value, chosen, PlannedPublicationOn: D("2027-03-01"));

    private static ReplacementTimeline Compute(ReplacementScheduleInput input) => ReplacementSchedule.Compute(input, Rules)!;

    [Fact]
    public void Worked_example_an_eu_negotiated_procedure_must_start_by_31_march_2027()
    {
        var timeline = Compute(WorkedExample());

        Assert.Equal(D("2028-12-31"), timeline.EffectiveEndOfSupport);
        Assert.Equal(D("2028-09-30"), timeline.RequiredGoLive);
        Assert.Equal(9, timeline.MigrationMonths);
        Assert.Equal(D("2027-12-31"), timeline.LatestAward);
        Assert.Equal(ProcurementProcedureType.EuVerhandlungsverfahren, timeline.ProcedureType);
        Assert.Equal(ProcedureTypeBasis.AssumedWithoutEstimate, timeline.ProcedureTypeBasis);
        Assert.Equal(D("2027-03-31"), timeline.LatestProcurementStart);
    }

    [Fact]
    public void Worked_example_180000_euro_for_one_municipality_allow_a_verhandlungsvergabe_starting_by_30_september_2027()
    {
        var timeline = Compute(WorkedExample(Money.Euro(180_000)));

        Assert.Equal(ProcurementProcedureType.Verhandlungsvergabe, timeline.ProcedureType);
        Assert.Equal(ProcedureTypeBasis.SuggestedFromValue, timeline.ProcedureTypeBasis);
        Assert.Equal(D("2027-12-31"), timeline.LatestAward);
        Assert.Equal(D("2027-09-30"), timeline.LatestProcurementStart);
    }

    [Fact]
    public void Worked_example_three_municipalities_buying_jointly_at_540000_euro_need_an_eu_procedure()
    {
        var joint = Money.Sum([Money.Euro(180_000), Money.Euro(180_000), Money.Euro(180_000)]);

        var timeline = Compute(WorkedExample(joint));

        Assert.True(timeline.ProcedureType.IsEu());
        Assert.Equal(ProcurementProcedureType.EuOffenesVerfahren, timeline.ProcedureType);
        Assert.Equal(D("2027-06-30"), timeline.LatestProcurementStart);
    }

    [Fact]
    public void A_chosen_procedure_overrides_the_suggestion()
    {
        var timeline = Compute(WorkedExample(Money.Euro(540_000), ProcurementProcedureType.EuVerhandlungsverfahren));

        Assert.Equal(ProcedureTypeBasis.Chosen, timeline.ProcedureTypeBasis);
        Assert.Equal(D("2027-03-31"), timeline.LatestProcurementStart);
        Assert.Equal(ProcurementProcedureType.EuOffenesVerfahren, timeline.Suggestion!.Type);
    }

    [Theory]
    [InlineData("2029-06-30", "2029-06-30", EndOfSupportBasis.ExtendedSupport, "2029-03-31", "2028-06-30")]
    [InlineData("2028-06-30", "2028-12-31", EndOfSupportBasis.EndOfSecuritySupport, "2028-09-30", "2027-12-31")]
    [InlineData(null, "2028-12-31", EndOfSupportBasis.EndOfSecuritySupport, "2028-09-30", "2027-12-31")]
    public void Extended_support_moves_the_dates_out_but_never_in(
        string? extendedUntil, string effective, EndOfSupportBasis basis, string goLive, string latestAward)
    {
        var timeline = Compute(WorkedExample() with { ExtendedSupportUntil = extendedUntil is null ? null : D(extendedUntil) });

        Assert.Equal(D(effective), timeline.EffectiveEndOfSupport);
        Assert.Equal(basis, timeline.EndOfSupportBasis);
        Assert.Equal(D(goLive), timeline.RequiredGoLive);
        Assert.Equal(D(latestAward), timeline.LatestAward);
    }

    [Fact]
    public void Without_an_end_of_security_support_the_end_of_life_counts()
    {
        var timeline = Compute(WorkedExample() with { EndOfSecuritySupport = null, EndOfLife = D("2029-06-30") });

        Assert.Equal(EndOfSupportBasis.EndOfLife, timeline.EndOfSupportBasis);
        Assert.Equal(D("2029-03-31"), timeline.RequiredGoLive);
    }

    [Fact]
    public void Without_any_end_date_there_is_no_timeline_yet()
    {
        Assert.Null(ReplacementSchedule.Compute(WorkedExample() with { EndOfSecuritySupport = null }, Rules));
    }

    [Fact]
    public void The_year_end_close_moves_a_finance_go_live_earlier()
    {
        var timeline = Compute(WorkedExample() with { EndOfSecuritySupport = D("2029-03-31"), Category = ProcedureCategory.Finanzwesen });

        // 31.3.2029 − 3 months = 31.12.2028, inside 15.12.–15.1.: the day before the window.
        Assert.Equal(D("2028-12-14"), timeline.RequiredGoLive);
        Assert.Equal("Jahresabschluss (15.12.–15.1.)", Assert.Single(timeline.FreezeWindowsAvoided).Name);
        Assert.Equal(15, timeline.MigrationMonths);
        Assert.Equal(D("2027-09-14"), timeline.LatestAward);
    }

    [Fact]
    public void An_election_moves_a_residents_registration_go_live_before_the_election_window()
    {
        var timeline = Compute(WorkedExample() with { EndOfSecuritySupport = D("2029-01-31"), Category = ProcedureCategory.Einwohnermeldewesen });

        Assert.Equal(D("2028-07-31"), timeline.RequiredGoLive);
        Assert.Equal(D("2027-04-30"), timeline.LatestAward);
    }

    [Fact]
    public void The_same_go_live_outside_any_window_stays()
    {
        var timeline = Compute(WorkedExample() with { EndOfSecuritySupport = D("2029-01-31") });

        Assert.Equal(D("2028-10-31"), timeline.RequiredGoLive);
        Assert.Empty(timeline.FreezeWindowsAvoided);
    }

    [Theory]
    [InlineData(-30, SlackBand.Late)]
    [InlineData(0, SlackBand.Late)]
    [InlineData(1, SlackBand.High)]
    [InlineData(89, SlackBand.High)]
    [InlineData(90, SlackBand.Moderate)]
    [InlineData(180, SlackBand.Moderate)]
    [InlineData(181, SlackBand.Low)]
    public void Slack_is_banded_late_high_moderate_and_low(int daysBeforeLatestStart, SlackBand band)
    {
        // The worked example's latest start of an EU negotiated procedure is 31.3.2027.
        var today = D("2027-03-31").AddDays(-daysBeforeLatestStart);

        var timeline = Compute(WorkedExample() with { Today = today });

        Assert.Equal(daysBeforeLatestStart, timeline.SlackDays);
        Assert.Equal(band, timeline.SlackBand);
    }
}

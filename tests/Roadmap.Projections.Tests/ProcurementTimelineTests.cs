using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;
using Roadmap.Projections.Tests.Infrastructure;
using static Roadmap.Domain.Procurement.ProcurementProcedureType;

namespace Roadmap.Projections.Tests;

/// <summary>The procurement timeline planner, given events on PostgreSQL and a today of the test's choosing.</summary>
public sealed class ProcurementTimelineTests(RoadmapDatabase db) : IClassFixture<RoadmapDatabase>
{
    private static readonly DateOnly Today = new(2026, 1, 15);

    private async Task<ProcurementTimeline> TimelineAsync(Guid caseId, DateOnly? today = null) =>
        await db.Queries.GetProcurementTimelineAsync(caseId, today ?? Today, CancellationToken.None)
        ?? throw new InvalidOperationException($"No timeline for {caseId}");

    private static TimelinePhase Phase(ProcurementTimeline timeline, string key) => timeline.Phases.Single(p => p.Key == key);

    /// <summary>A case of one municipality for one procedure, determined as <paramref name="type"/> (value to match).</summary>
    private async Task<(Guid CaseId, Guid ProcedureId)> CaseAsync(
        DateOnly endOfSupport, ProcurementProcedureType? type, ProcedureCategory category = ProcedureCategory.Gewerbe, params Func<Guid, Guid, object[]>[] more)
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(endOfSupport, category);
        var (caseId, opened) = Given.Case($"{type} {endOfSupport}", category, (ags, procedure));
        var events = new List<object>([.. setup, .. opened]);
        if (type is { } t)
        {
            var value = t.IsEu() ? 300_000m : t == Direktauftrag ? 50_000m : 150_000m;
            events.Add(Given.Estimated(caseId, Given.RecordedAt, (ags, value)));
            events.Add(Given.Determined(caseId, value, new DateOnly(2026, 6, 1), t));
        }

        foreach (var step in more)
        {
            events.AddRange(step(caseId, procedure));
        }

        await db.GivenAsync([.. events]);
        return (caseId, procedure);
    }

    [Fact]
    public async Task A_case_not_started_runs_from_its_latest_start_and_cuts_over_on_the_required_go_live_not_a_day_later()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2028, 12, 31), null);

        var timeline = await TimelineAsync(caseId);

        Assert.Equal(EuVerhandlungsverfahren, timeline.ProcedureType);
        Assert.Equal(new DateOnly(2028, 9, 30), timeline.RequiredGoLive);
        Assert.Equal(new DateOnly(2027, 3, 31), Phase(timeline, "preparation").PlannedStart);
        Assert.Equal(new DateOnly(2027, 12, 31), Phase(timeline, "contract").PlannedStart);
        Assert.Equal(new DateOnly(2028, 9, 29), Phase(timeline, "migration").PlannedEnd);
        Assert.Equal(new DateOnly(2028, 9, 30), Phase(timeline, "cut-over").PlannedStart);
        Assert.Empty(timeline.Notes);
        TimelineAssert.KeepsTheRules(timeline, db.Rules, ProcedureCategory.Gewerbe, "negotiated");
    }

    [Fact]
    public async Task A_Direktauftrag_plans_its_offers_after_the_preparation_within_its_month()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2028, 12, 31), Direktauftrag);

        var timeline = await TimelineAsync(caseId);

        var preparation = Phase(timeline, "preparation");
        var offers = Phase(timeline, "offers");
        var evaluation = Phase(timeline, "evaluation");
        Assert.Equal(new DateOnly(2027, 11, 30), preparation.PlannedStart);
        Assert.Equal(preparation.PlannedEnd!.Value.AddDays(1), offers.PlannedStart);
        Assert.Equal(offers.PlannedEnd!.Value.AddDays(1), evaluation.PlannedStart);
        Assert.Equal(new DateOnly(2027, 12, 31), Phase(timeline, "contract").PlannedStart);
        Assert.Equal(new DateOnly(2028, 9, 30), Phase(timeline, "cut-over").PlannedStart);
        TimelineAssert.KeepsTheRules(timeline, db.Rules, ProcedureCategory.Gewerbe, "Direktauftrag");
    }

    [Fact]
    public async Task A_cut_over_scheduled_in_the_year_end_freeze_is_planned_before_it()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2028, 12, 31), EuOffenesVerfahren, ProcedureCategory.Finanzwesen,
            (c, p) => [Given.Scheduled(p, new DateOnly(2027, 12, 20), c)]);

        var timeline = await TimelineAsync(caseId);

        Assert.Equal(new DateOnly(2027, 12, 14), Phase(timeline, "cut-over").PlannedStart);
        Assert.Contains(timeline.Notes, n => n.Code == "cut-over-moved-out-of-freeze" && n.Text.Contains("Jahresabschluss", StringComparison.Ordinal));
        TimelineAssert.KeepsTheRules(timeline, db.Rules, ProcedureCategory.Finanzwesen, "freeze");
    }

    [Fact]
    public async Task A_cut_over_scheduled_after_the_required_go_live_is_planned_on_it()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2028, 12, 31), EuOffenesVerfahren, ProcedureCategory.Gewerbe,
            (c, p) => [Given.Scheduled(p, new DateOnly(2028, 11, 15), c)]);

        var timeline = await TimelineAsync(caseId);

        Assert.Equal(new DateOnly(2028, 9, 30), Phase(timeline, "cut-over").PlannedStart);
        Assert.Contains(timeline.Notes, n => n.Code == "scheduled-cut-over-after-go-live");
    }

    [Fact]
    public async Task After_the_start_the_timeline_follows_the_actual_dates_and_plans_the_rest_from_them()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2029, 12, 31), EuOffenesVerfahren, ProcedureCategory.Gewerbe,
            (c, _) =>
            [
                Given.Started(c, EuOffenesVerfahren, new DateOnly(2026, 2, 1)),
                Given.Deadlines(c, new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 10)),
                Given.AwardIntention(c, new DateOnly(2026, 5, 20)),
            ]);

        var timeline = await TimelineAsync(caseId, new DateOnly(2026, 6, 10));

        Assert.Equal((new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28)), Planned(timeline, "preparation"));
        Assert.Equal((new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 10)), Planned(timeline, "offers"));
        Assert.Equal((new DateOnly(2026, 4, 11), new DateOnly(2026, 5, 19)), Planned(timeline, "evaluation"));
        Assert.Equal((new DateOnly(2026, 5, 20), new DateOnly(2026, 5, 20)), Planned(timeline, "award-notice"));
        Assert.Equal((new DateOnly(2026, 5, 21), new DateOnly(2026, 5, 30)), Planned(timeline, "standstill"));
        Assert.Equal(new DateOnly(2026, 5, 31), Phase(timeline, "review-reserve").PlannedStart);
        // The reserve has not ended by today, so the contract comes after today, and the migration after the contract.
        var contract = Phase(timeline, "contract").PlannedStart!.Value;
        Assert.True(contract > new DateOnly(2026, 6, 10), $"contract {contract}");
        Assert.Equal(contract.AddCalendarMonths(9), Phase(timeline, "cut-over").PlannedStart);
        Assert.Equal(new DateOnly(2026, 4, 10), Phase(timeline, "offers").ActualEnd);
        TimelineAssert.KeepsTheRules(timeline, db.Rules, ProcedureCategory.Gewerbe, "actuals");
    }

    [Fact]
    public async Task A_preparation_that_runs_past_its_plan_ends_today_at_the_earliest_and_the_offers_keep_their_minimum()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2028, 12, 31), EuOffenesVerfahren, ProcedureCategory.Gewerbe,
            (c, _) => [Given.Started(c, EuOffenesVerfahren, new DateOnly(2025, 9, 1))]);

        var timeline = await TimelineAsync(caseId);

        Assert.Equal((new DateOnly(2025, 9, 1), Today), Planned(timeline, "preparation"));
        Assert.Equal(Today.AddDays(1), Phase(timeline, "offers").PlannedStart);
        Assert.False(Phase(timeline, "offers").CannotMeetMinimum);
        TimelineAssert.KeepsTheRules(timeline, db.Rules, ProcedureCategory.Gewerbe, "late preparation");
    }

    [Fact]
    public async Task A_late_case_is_squeezed_into_the_time_left_and_flags_a_legal_period_it_can_no_longer_meet()
    {
        var (roomy, _) = await CaseAsync(new DateOnly(2026, 12, 31), EuOffenesVerfahren);
        var (tight, _) = await CaseAsync(new DateOnly(2026, 5, 10), EuOffenesVerfahren);
        var (gone, _) = await CaseAsync(new DateOnly(2026, 3, 31), EuOffenesVerfahren);

        var squeezed = await TimelineAsync(roomy);
        Assert.Equal(Today, Phase(squeezed, "preparation").PlannedStart);
        Assert.Equal(new DateOnly(2026, 9, 30), Phase(squeezed, "cut-over").PlannedStart);
        Assert.Contains(squeezed.Notes, n => n.Code == "compressed-to-meet-go-live");
        Assert.False(Phase(squeezed, "offers").CannotMeetMinimum);
        TimelineAssert.KeepsTheRules(squeezed, db.Rules, ProcedureCategory.Gewerbe, "roomy");

        var flagged = await TimelineAsync(tight);
        Assert.Equal(new DateOnly(2026, 2, 10), Phase(flagged, "cut-over").PlannedStart);
        Assert.True(Phase(flagged, "offers").CannotMeetMinimum);
        TimelineAssert.KeepsTheRules(flagged, db.Rules, ProcedureCategory.Gewerbe, "tight");

        var unreachable = await TimelineAsync(gone);
        Assert.Null(Phase(unreachable, "cut-over").PlannedStart);
        Assert.Null(Phase(unreachable, "preparation").PlannedStart);
        Assert.Contains(unreachable.Notes, n => n.Code == "go-live-unreachable");
    }

    [Fact]
    public async Task A_cancelled_case_keeps_what_happened_and_plans_nothing_more()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2028, 12, 31), EuOffenesVerfahren, ProcedureCategory.Gewerbe,
            (c, _) => [Given.Started(c, EuOffenesVerfahren, new DateOnly(2025, 11, 1)), Given.Cancelled(c, new DateOnly(2026, 1, 5))]);

        var timeline = await TimelineAsync(caseId);

        Assert.Equal("cancelled", timeline.State);
        Assert.Null(Phase(timeline, "cut-over").PlannedStart);
        Assert.Contains(timeline.Notes, n => n.Code == "cancelled");
    }

    [Fact]
    public async Task An_estimate_whose_start_falls_in_a_threshold_period_not_yet_published_plans_a_provisional_timeline()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2030, 12, 31));
        var (later, opened) = Given.Case("Gewerbe 2029", ProcedureCategory.Gewerbe, (ags, procedure));
        var (ags2, procedure2, setup2) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        var (sooner, opened2) = Given.Case("Gewerbe 2027", ProcedureCategory.Gewerbe, (ags2, procedure2));
        await db.GivenAsync([.. setup, .. opened, Given.Estimated(later, Given.RecordedAt, (ags, 180_000m)),
            .. setup2, .. opened2, Given.Estimated(sooner, Given.RecordedAt, (ags2, 180_000m))]);

        var provisional = await TimelineAsync(later);
        var published = await TimelineAsync(sooner);

        Assert.True(provisional.Provisional);
        Assert.Contains("vorläufig", provisional.ThresholdPeriod, StringComparison.Ordinal);
        Assert.False(published.Provisional);
        Assert.Equal(Verhandlungsvergabe, published.ProcedureType);
    }

    [Fact]
    public async Task A_plan_on_the_assumption_without_an_estimate_does_not_rest_on_a_threshold()
    {
        var (caseId, _) = await CaseAsync(new DateOnly(2030, 12, 31), null);

        var timeline = await TimelineAsync(caseId);

        Assert.Equal(EuVerhandlungsverfahren, timeline.ProcedureType);
        Assert.False(timeline.Provisional);
    }

    public static TheoryData<ProcurementProcedureType> Types() => [.. Enum.GetValues<ProcurementProcedureType>()];

    /// <summary>Every type, several ends of support, categories with freeze windows, started or not, a schedule or not, several todays.</summary>
    [Theory]
    [MemberData(nameof(Types))]
    public async Task Every_timeline_keeps_its_phases_in_order_and_cuts_over_by_the_go_live_outside_freeze_windows(ProcurementProcedureType type)
    {
        var cases = new List<(Guid CaseId, ProcedureCategory Category, string Context)>();
        foreach (var category in new[] { ProcedureCategory.Finanzwesen, ProcedureCategory.Einwohnermeldewesen, ProcedureCategory.Gewerbe })
        {
            foreach (var end in new[] { new DateOnly(2026, 9, 30), new DateOnly(2027, 4, 15), new DateOnly(2029, 1, 31), new DateOnly(2030, 3, 20) })
            {
                foreach (var variant in new[] { "open", "started", "scheduled", "published" })
                {
                    Func<Guid, Guid, object[]> more = variant switch
                    {
                        "started" => (c, _) => [Given.Started(c, type, new DateOnly(2025, 11, 1))],
                        "scheduled" => (c, p) => [Given.Scheduled(p, end.AddDays(-20), c)],
                        "published" => (c, _) => [Given.Started(c, type, new DateOnly(2025, 12, 1), new DateOnly(2026, 1, 2))],
                        _ => (_, _) => [],
                    };
                    var (caseId, _) = await CaseAsync(end, type, category, more);
                    cases.Add((caseId, category, $"{type} {category} {end} {variant}"));
                }
            }
        }

        foreach (var today in new[] { Today, new DateOnly(2026, 12, 20), new DateOnly(2028, 2, 1) })
        {
            foreach (var (caseId, category, context) in cases)
            {
                TimelineAssert.KeepsTheRules(await TimelineAsync(caseId, today), db.Rules, category, $"{context} on {today}");
            }
        }
    }

    private static (DateOnly?, DateOnly?) Planned(ProcurementTimeline timeline, string key) =>
        (Phase(timeline, key).PlannedStart, Phase(timeline, key).PlannedEnd);
}

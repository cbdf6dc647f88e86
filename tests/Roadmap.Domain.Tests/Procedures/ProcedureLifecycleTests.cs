using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Procedures;

/// <summary>The one fold of a procedure stream that the decider, the index, the view and the roadmap facts share.</summary>
public sealed class ProcedureLifecycleTests
{
    private static readonly Guid ProcedureId = Guid.Parse("0199a000-0000-7000-8000-000000000101");
    private static readonly Guid ReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000011");
    private static readonly Guid NewReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000021");
    private static readonly Guid CaseId = Guid.Parse("0199a000-0000-7000-8000-000000000201");

    private static readonly ProcedureIntroduced Introduced =
        new(ProcedureId, Landsberg, ProcedureCategory.Gewerbe, ReleaseId, "Gewerbeamt", Date(2019, 1, 1), By, Now);

    private static readonly ExtendedSupportPurchased Support = new(ProcedureId, ReleaseId, Date(2027, 12, 31), null, "EV-17", By, Now);

    private static readonly RiskAccepted Risk = new(ProcedureId, ReleaseId, "Erste Bürgermeisterin", Date(2027, 6, 30), "Budget 2027", By, Now);

    private static readonly ReplacementPlanned Planned = new(ProcedureId, ReplacementStrategy.Replace, Date(2026, 9, 30), NewReleaseId, By, Now);

    private static readonly ProcedureAssignedToProcurement Assigned = new(ProcedureId, CaseId, By, Now);

    private static readonly ReplacementScheduled Scheduled =
        new(ProcedureId, Date(2026, 9, 1), Date(2026, 8, 1), Date(2026, 10, 31), CaseId, Date(2026, 5, 4), By, Now);

    private static CutOverCompleted CutOver(Guid to) => new(ProcedureId, Date(2026, 9, 1), ReleaseId, to, By, Now);

    private static ProcedureLifecycle Fold(params IProcedureEvent[] events) =>
        ProcedureLifecycle.Fold(events) ?? throw new InvalidOperationException("The procedure was not introduced.");

    [Fact]
    public void Without_an_introduction_there_is_no_lifecycle_and_earlier_events_count_for_nothing()
    {
        Assert.Null(ProcedureLifecycle.Fold([]));
        Assert.Null(ProcedureLifecycle.Fold([Support, Planned]));
        Assert.Equal(Fold(Introduced), Fold(Support, Introduced));
    }

    [Fact]
    public void An_introduced_procedure_runs_its_release_with_nothing_planned()
    {
        var lifecycle = Fold(Introduced);

        Assert.Equal("introduced", lifecycle.State);
        Assert.Equal(ReleaseId, lifecycle.ReleaseId);
        Assert.Equal(Landsberg, lifecycle.Ags);
        Assert.Equal("Gewerbeamt", lifecycle.Name);
        Assert.Equal(Date(2019, 1, 1), lifecycle.IntroducedOn);
        Assert.Null(lifecycle.ExtendedSupportUntil);
        Assert.Null(lifecycle.Plan);
        Assert.Null(lifecycle.Schedule);
    }

    [Fact]
    public void Planning_assigning_and_scheduling_are_kept_with_the_parallel_run()
    {
        var lifecycle = Fold(Introduced, Planned, Assigned, Scheduled);

        Assert.Equal("scheduled", lifecycle.State);
        Assert.Equal(new ReplacementPlan(ReplacementStrategy.Replace, Date(2026, 9, 30), NewReleaseId), lifecycle.Plan);
        Assert.Equal(CaseId, lifecycle.CaseId);
        Assert.Equal(new CutOverSchedule(Date(2026, 9, 1), Date(2026, 8, 1), Date(2026, 10, 31)), lifecycle.Schedule);
        Assert.Equal(ReleaseId, lifecycle.ReleaseId);
    }

    [Fact]
    public void A_new_plan_cancels_the_scheduled_cut_over()
    {
        var lifecycle = Fold(Introduced, Planned, Scheduled, Planned with { TargetGoLive = Date(2027, 3, 31) });

        Assert.Equal("planned", lifecycle.State);
        Assert.Null(lifecycle.Schedule);
        Assert.Equal(Date(2027, 3, 31), lifecycle.Plan?.TargetGoLive);
    }

    [Fact]
    public void After_a_cut_over_the_new_release_runs_and_support_and_risk_bought_for_the_old_one_lapse()
    {
        var lifecycle = Fold(Introduced, Support, Risk, Planned, Assigned, Scheduled, CutOver(NewReleaseId));

        Assert.Equal("cut-over", lifecycle.State);
        Assert.Equal(NewReleaseId, lifecycle.ReleaseId);
        Assert.Equal(Date(2026, 9, 1), lifecycle.CutOverCompletedOn);
        Assert.Null(lifecycle.ExtendedSupportUntil);
        Assert.Null(lifecycle.Risk);
        Assert.Null(lifecycle.Plan);
        Assert.Null(lifecycle.CaseId);
        Assert.Null(lifecycle.Schedule);
    }

    [Fact]
    public void A_cut_over_that_keeps_the_release_keeps_its_support_and_risk()
    {
        var lifecycle = Fold(Introduced, Support, Risk, Planned with { TargetReleaseId = null }, Scheduled, CutOver(ReleaseId));

        Assert.Equal("cut-over", lifecycle.State);
        Assert.Equal(ReleaseId, lifecycle.ReleaseId);
        Assert.Equal(Date(2027, 12, 31), lifecycle.ExtendedSupportUntil);
        Assert.Equal(new RiskAcceptance("Erste Bürgermeisterin", Date(2027, 6, 30), "Budget 2027"), lifecycle.Risk);
    }

    [Fact]
    public void Support_bought_after_the_cut_over_is_for_the_new_release()
    {
        var lifecycle = Fold(Introduced, Support, Planned, Scheduled, CutOver(NewReleaseId),
            Support with { ReleaseId = NewReleaseId, Until = Date(2030, 6, 30) });

        Assert.Equal(Date(2030, 6, 30), lifecycle.ExtendedSupportUntil);
    }

    [Fact]
    public void A_plan_after_a_cut_over_starts_the_next_replacement_and_the_cut_over_stays_recorded()
    {
        var lifecycle = Fold(Introduced, Planned, Scheduled, CutOver(NewReleaseId),
            new ReplacementPlanned(ProcedureId, ReplacementStrategy.Upgrade, Date(2029, 1, 31), null, By, Now));

        Assert.Equal("planned", lifecycle.State);
        Assert.Equal(Date(2026, 9, 1), lifecycle.CutOverCompletedOn);
        Assert.Equal(ReplacementStrategy.Upgrade, lifecycle.Plan?.Strategy);
    }

    [Fact]
    public void A_retired_procedure_keeps_what_it_had_and_says_when_it_was_retired()
    {
        var lifecycle = Fold(Introduced, Support, Planned, Scheduled, new ProcedureRetired(ProcedureId, Date(2026, 6, 30), "Zur Kreis-Lösung", By, Now));

        Assert.Equal("retired", lifecycle.State);
        Assert.Equal(Date(2026, 6, 30), lifecycle.RetiredOn);
        Assert.Equal(Date(2027, 12, 31), lifecycle.ExtendedSupportUntil);
        Assert.Equal(Date(2026, 9, 1), lifecycle.Schedule?.CutOverOn);
    }

    [Fact]
    public void The_decider_folds_the_same_lifecycle_without_the_accepted_risk()
    {
        IProcedureEvent[] events =
            [Introduced, Support, Planned, Assigned, Scheduled, CutOver(NewReleaseId), Support with { ReleaseId = NewReleaseId }, Risk with { ReleaseId = NewReleaseId }];

        var state = Assert.IsType<ActiveProcedure>(ProcedureInstance.Decider.Fold(events));

        Assert.NotNull(Fold(events).Risk);
        Assert.Equal(Fold(events) with { Risk = null }, state.Lifecycle);
        Assert.IsType<RetiredProcedure>(ProcedureInstance.Decider.Fold([.. events, new ProcedureRetired(ProcedureId, Date(2026, 9, 30), "x", By, Now)]));
    }
}

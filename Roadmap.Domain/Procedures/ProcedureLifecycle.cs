using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procedures;

public sealed record ReplacementPlan(ReplacementStrategy Strategy, DateOnly TargetGoLive, Guid? TargetReleaseId);

/// <summary>Someone accountable accepted running past the end of support (<see cref="RiskAccepted"/>).</summary>
public sealed record RiskAcceptance(string AcceptedBy, DateOnly Until, string Reason);

public sealed record CutOverSchedule(DateOnly CutOverOn, DateOnly? ParallelRunFrom, DateOnly? ParallelRunUntil);

/// <summary>
/// A procedure's lifecycle as its events tell it: which release runs, extended support and accepted risk for it, the
/// replacement plan, the procurement case, the scheduled and the completed cut-over, the retirement. The one fold of a
/// procedure stream: the decider (<see cref="ProcedureInstance"/>), the procedure index, the procedure view and the
/// roadmap's fact documents all evolve it, so its rules hold for each of them alike.
/// </summary>
public sealed record ProcedureLifecycle(
    Guid ProcedureId,
    Ags Ags,
    ProcedureCategory Category,
    Guid ReleaseId,
    string Name,
    DateOnly IntroducedOn,
    DateOnly? ExtendedSupportUntil,
    RiskAcceptance? Risk,
    ReplacementPlan? Plan,
    Guid? CaseId,
    CutOverSchedule? Schedule,
    DateOnly? CutOverCompletedOn,
    DateOnly? RetiredOn)
{
    /// <summary>
    /// Where the procedure stands, as the read models name it: retired, else scheduled, else planned (a plan made after
    /// a cut-over starts the next replacement), else cut-over, else introduced.
    /// </summary>
    public string State =>
        RetiredOn is not null ? "retired"
        : Schedule is not null ? "scheduled"
        : Plan is not null ? "planned"
        : CutOverCompletedOn is not null ? "cut-over"
        : "introduced";

    /// <summary>The lifecycle after the events, or null when none of them introduced the procedure.</summary>
    public static ProcedureLifecycle? Fold(IEnumerable<IProcedureEvent> events) => events.Aggregate((ProcedureLifecycle?)null, Apply);

    /// <summary>The lifecycle after one more event. Before the introduction (null) only the introduction counts.</summary>
    public static ProcedureLifecycle? Apply(ProcedureLifecycle? lifecycle, IProcedureEvent @event) => (lifecycle, @event) switch
    {
        (_, ProcedureIntroduced e) => new ProcedureLifecycle(
            e.ProcedureId, e.Ags, e.Category, e.ReleaseId, e.Name, e.IntroducedOn, null, null, null, null, null, null, null),
        (null, _) => null,
        (_, ExtendedSupportPurchased e) => lifecycle with { ExtendedSupportUntil = e.Until },
        (_, RiskAccepted e) => lifecycle with { Risk = new RiskAcceptance(e.AcceptedBy, e.Until, e.Reason) },
        // A new plan needs a new schedule: the old one was made for another target.
        (_, ReplacementPlanned e) => lifecycle with { Plan = new ReplacementPlan(e.Strategy, e.TargetGoLive, e.TargetReleaseId), Schedule = null },
        (_, ProcedureAssignedToProcurement e) => lifecycle with { CaseId = e.CaseId },
        (_, ReplacementScheduled e) => lifecycle with { Schedule = new CutOverSchedule(e.CutOverOn, e.ParallelRunFrom, e.ParallelRunUntil) },
        (_, CutOverCompleted e) => lifecycle.CutOver(e),
        (_, ProcedureRetired e) => lifecycle with { RetiredOn = e.RetiredOn },
        _ => lifecycle,
    };

    /// <summary>
    /// After the cut-over the procedure starts afresh on its new release: extended support bought and risk accepted for
    /// the old one lapse (a cut-over that keeps the release keeps them), and plan, case and schedule are done with.
    /// </summary>
    private ProcedureLifecycle CutOver(CutOverCompleted e)
    {
        var sameRelease = e.ReleaseId == ReleaseId;
        return this with
        {
            ReleaseId = e.ReleaseId,
            ExtendedSupportUntil = sameRelease ? ExtendedSupportUntil : null,
            Risk = sameRelease ? Risk : null,
            Plan = null,
            CaseId = null,
            Schedule = null,
            CutOverCompletedOn = e.CompletedOn,
        };
    }
}

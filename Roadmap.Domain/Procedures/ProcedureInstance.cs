using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procedures;

public abstract record ProcedureState;

public sealed record NotIntroducedProcedure : ProcedureState
{
    public static NotIntroducedProcedure Instance { get; } = new();
}

/// <summary>An introduced procedure that is not retired: decisions read its <see cref="ProcedureLifecycle"/>.</summary>
public sealed record ActiveProcedure(ProcedureLifecycle Lifecycle) : ProcedureState
{
    public Ags Ags => Lifecycle.Ags;
}

public sealed record RetiredProcedure(Guid ProcedureId, DateOnly RetiredOn) : ProcedureState;

/// <summary>
/// One stream per procedure instance: one municipality × one category × the release in use. Freeze windows and the
/// longest parallel run come from the <see cref="ProcurementRuleSet"/>, so the decider is built for a rule set.
/// </summary>
public static class ProcedureInstance
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "procedure-";

    /// <summary>The decider with the shipped rules.</summary>
    public static Decider<IProcedureCommand, IProcedureEvent, ProcedureState> Decider { get; } = For(ProcurementRuleSet.LoadDefault());

    public static Decider<IProcedureCommand, IProcedureEvent, ProcedureState> For(ProcurementRuleSet rules) =>
        new(NotIntroducedProcedure.Instance, Evolve, (command, state) => Decide(command, state, rules));

    public static string StreamId(Guid procedureId) => $"{StreamIdPrefix}{procedureId}";

    /// <summary>
    /// The <see cref="ProcedureLifecycle"/> fold. An accepted risk is left out: it moves no date and no decision reads it.
    /// </summary>
    public static ProcedureState Evolve(ProcedureState state, IProcedureEvent @event) => @event is RiskAccepted
        ? state
        : ProcedureLifecycle.Apply((state as ActiveProcedure)?.Lifecycle, @event) switch
        {
            null => state,
            { RetiredOn: { } retiredOn } retired => new RetiredProcedure(retired.ProcedureId, retiredOn),
            var lifecycle => new ActiveProcedure(lifecycle),
        };

    public static IReadOnlyList<IProcedureEvent> Decide(IProcedureCommand command, ProcedureState state, ProcurementRuleSet rules)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (IntroduceProcedure c, NotIntroducedProcedure) => Introduce(c),
            (IntroduceProcedure c, _) => throw new DomainRuleViolation(
                ViolationCodes.ProcedureAlreadyIntroduced, $"The procedure {c.ProcedureId} is already introduced.", "procedureId"),
            (_, NotIntroducedProcedure) => throw DomainRuleViolation.NotFound(
                ViolationCodes.ProcedureUnknown, $"No procedure with id {command.ProcedureId} has been introduced."),
            (_, RetiredProcedure r) => throw new DomainRuleViolation(
                ViolationCodes.ProcedureRetired, $"The procedure was retired on {Dates.English(r.RetiredOn)}; nothing more can be decided for it."),
            (PurchaseExtendedSupport c, ActiveProcedure s) => PurchaseExtendedSupport(c, s.Lifecycle),
            (AcceptRisk c, ActiveProcedure s) => AcceptRisk(c, s.Lifecycle),
            (PlanReplacement c, ActiveProcedure s) => PlanReplacement(c, s.Lifecycle),
            (AssignToProcurement c, ActiveProcedure s) => AssignToProcurement(c, s.Lifecycle),
            (ScheduleReplacement c, ActiveProcedure s) => ScheduleReplacement(c, s.Lifecycle, rules),
            (CompleteCutOver c, ActiveProcedure s) => CompleteCutOver(c, s.Lifecycle),
            (RetireProcedure c, ActiveProcedure s) => Retire(c, s.Lifecycle),
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static IProcedureEvent[] Introduce(IntroduceProcedure c)
    {
        var name = Guard.RequireText(c.Name, ViolationCodes.NameRequired, "name", "A procedure needs a name, e.g. the product as the municipality calls it.");
        Guard.RequireId(c.ReleaseId, ViolationCodes.ReleaseRequired, "releaseId", "A procedure runs a release of a product; name it.");
        return [new ProcedureIntroduced(c.ProcedureId, c.Ags, c.Category, c.ReleaseId, name, c.IntroducedOn, c.By, c.Now)];
    }

    private static IProcedureEvent[] PurchaseExtendedSupport(PurchaseExtendedSupport c, ProcedureLifecycle s)
    {
        var reference = Guard.RequireText(c.Reference, ViolationCodes.ReferenceRequired, "reference", "Extended support needs the contract or order reference.");
        Guard.Require(c.Until > s.IntroducedOn, ViolationCodes.ExtendedSupportBeforeIntroduction,
            $"Extended support must last beyond the introduction on {Dates.English(s.IntroducedOn)}.", "until");
        Guard.Require(s.ExtendedSupportUntil is not { } previous || c.Until > previous, ViolationCodes.ExtendedSupportNotLater,
            $"Extended support already runs until {Dates.English(s.ExtendedSupportUntil.GetValueOrDefault())}; a new purchase must end later.", "until");
        return [new ExtendedSupportPurchased(c.ProcedureId, s.ReleaseId, c.Until, c.Cost, reference, c.By, c.Now)];
    }

    private static IProcedureEvent[] AcceptRisk(AcceptRisk c, ProcedureLifecycle s)
    {
        var acceptedBy = Guard.RequireText(c.AcceptedBy, ViolationCodes.AcceptedByRequired, "acceptedBy",
            "Name the person who accepts the risk, e.g. the mayor.");
        var reason = Guard.RequireText(c.Reason, ViolationCodes.ReasonRequired, "reason", "Accepting a risk needs a reason.");
        Guard.Require(c.Until >= c.Today(), ViolationCodes.RiskAcceptanceInPast,
            $"A risk cannot be accepted until {Dates.English(c.Until)}: that day has passed.", "until");
        return [new RiskAccepted(c.ProcedureId, s.ReleaseId, acceptedBy, c.Until, reason, c.By, c.Now)];
    }

    private static IProcedureEvent[] PlanReplacement(PlanReplacement c, ProcedureLifecycle s)
    {
        Guard.Require(c.TargetGoLive > s.IntroducedOn, ViolationCodes.GoLiveBeforeIntroduction,
            $"The target go-live must come after the introduction on {Dates.English(s.IntroducedOn)}.", "targetGoLive");
        Guard.Require(c.Strategy != ReplacementStrategy.Retire || c.TargetReleaseId is null, ViolationCodes.RetirementHasNoTargetRelease,
            "A procedure that is to be retired has no target release.", "targetReleaseId");
        Guard.Require(c.TargetReleaseId != s.ReleaseId, ViolationCodes.TargetIsCurrentRelease,
            "The target release is the release already in use.", "targetReleaseId");
        return [new ReplacementPlanned(c.ProcedureId, c.Strategy, c.TargetGoLive, c.TargetReleaseId, c.By, c.Now)];
    }

    private static IProcedureEvent[] AssignToProcurement(AssignToProcurement c, ProcedureLifecycle s)
    {
        Guard.RequireId(c.CaseId, ViolationCodes.CaseRequired, "caseId", "Name the procurement case.");
        Guard.Require(c.CaseId != s.CaseId, ViolationCodes.AlreadyAssignedToCase,
            "The procedure is already part of this procurement case.", "caseId");
        return [new ProcedureAssignedToProcurement(c.ProcedureId, c.CaseId, c.By, c.Now)];
    }

    private static IProcedureEvent[] ScheduleReplacement(ScheduleReplacement c, ProcedureLifecycle s, ProcurementRuleSet rules)
    {
        Guard.Require(s.Plan is not null, ViolationCodes.ReplacementNotPlanned, "Plan the replacement before scheduling its cut-over.");
        Guard.Require(c.CutOverOn >= s.IntroducedOn, ViolationCodes.CutOverBeforeIntroduction,
            $"The cut-over cannot come before the introduction on {Dates.English(s.IntroducedOn)}.", "cutOverOn");
        EnsurePlausibleParallelRun(c, rules.PlanningOn(c.Today()));
        var freeze = rules.FreezeOn(c.CutOverOn, s.Category, s.Ags.Land);
        Guard.Require(freeze is null, ViolationCodes.CutOverInFreezeWindow,
            $"The cut-over on {Dates.English(c.CutOverOn)} falls into the freeze window \"{freeze?.Name}\" " +
            $"({Dates.English(freeze?.From ?? default)} to {Dates.English(freeze?.To ?? default)}).", "cutOverOn");
        EnsureAfterAward(s, c.ProcurementAwardedOn, c.CutOverOn, "cutOverOn");
        if (s.CaseId is not null && c.ParallelRunFrom is { } from)
        {
            Guard.Require(from >= c.ProcurementAwardedOn, ViolationCodes.ParallelRunBeforeAward,
                $"The parallel run cannot start before the award on {Dates.English(c.ProcurementAwardedOn.GetValueOrDefault())}.", "parallelRunFrom");
        }

        return [new ReplacementScheduled(c.ProcedureId, c.CutOverOn, c.ParallelRunFrom, c.ParallelRunUntil, s.CaseId,
            s.CaseId is null ? null : c.ProcurementAwardedOn, c.By, c.Now)];
    }

    private static void EnsurePlausibleParallelRun(ScheduleReplacement c, PlanningFigures figures)
    {
        Guard.Require(c.ParallelRunFrom is null == c.ParallelRunUntil is null, ViolationCodes.ParallelRunIncomplete,
            "A parallel run needs both a start and an end.", c.ParallelRunFrom is null ? "parallelRunFrom" : "parallelRunUntil");
        if (c is not { ParallelRunFrom: { } from, ParallelRunUntil: { } until })
        {
            return;
        }

        Guard.Require(from <= until, ViolationCodes.ParallelRunOutOfOrder, "The parallel run must start before it ends.", "parallelRunUntil");
        Guard.Require(from <= c.CutOverOn, ViolationCodes.ParallelRunAfterCutOver,
            "The parallel run starts no later than the cut-over: the new system runs alongside the old one first.", "parallelRunFrom");
        var latestEnd = c.CutOverOn.AddCalendarMonths(figures.ParallelRunMaxMonthsAfterCutOver);
        Guard.Require(until <= latestEnd, ViolationCodes.ParallelRunTooLong,
            $"The parallel run may last at most {figures.ParallelRunMaxMonthsAfterCutOver} months past the cut-over, " +
            $"so until {Dates.English(latestEnd)}.", "parallelRunUntil");
    }

    /// <summary>A procedure bought through a procurement case cannot switch before the contract is awarded.</summary>
    private static void EnsureAfterAward(ProcedureLifecycle s, DateOnly? awardedOn, DateOnly cutOverOn, string field)
    {
        if (s.CaseId is null)
        {
            return;
        }

        Guard.Require(awardedOn is not null, ViolationCodes.CutOverBeforeAward,
            $"The procedure is part of procurement case {s.CaseId}, which is not awarded yet; the cut-over has to wait for the award.", field);
        Guard.Require(cutOverOn >= awardedOn, ViolationCodes.CutOverBeforeAward,
            $"The cut-over on {Dates.English(cutOverOn)} cannot come before the award on {Dates.English(awardedOn.GetValueOrDefault())}.", field);
    }

    private static IProcedureEvent[] CompleteCutOver(CompleteCutOver c, ProcedureLifecycle s)
    {
        Guard.Require(s.Schedule is not null, ViolationCodes.ReplacementNotScheduled, "Schedule the cut-over before completing it.");
        Guard.Require(c.CompletedOn >= s.IntroducedOn, ViolationCodes.CutOverBeforeIntroduction,
            $"The cut-over cannot come before the introduction on {Dates.English(s.IntroducedOn)}.", "completedOn");
        Guard.Require(c.CompletedOn <= c.Today(), ViolationCodes.CutOverInFuture,
            $"A cut-over on {Dates.English(c.CompletedOn)} has not happened yet; record it when it is done.", "completedOn");
        EnsureAfterAward(s, c.ProcurementAwardedOn, c.CompletedOn, "completedOn");
        var newRelease = c.NewReleaseId ?? s.Plan?.TargetReleaseId ?? s.ReleaseId;
        return [new CutOverCompleted(c.ProcedureId, c.CompletedOn, s.ReleaseId, newRelease, c.By, c.Now)];
    }

    private static IProcedureEvent[] Retire(RetireProcedure c, ProcedureLifecycle s)
    {
        var reason = Guard.RequireText(c.Reason, ViolationCodes.ReasonRequired, "reason", "Retiring a procedure needs a reason.");
        Guard.Require(c.RetiredOn >= s.IntroducedOn, ViolationCodes.RetirementBeforeIntroduction,
            $"The retirement cannot come before the introduction on {Dates.English(s.IntroducedOn)}.", "retiredOn");
        return [new ProcedureRetired(c.ProcedureId, c.RetiredOn, reason, c.By, c.Now)];
    }
}

using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurements;

public abstract record ProcurementCaseState;

public sealed record NotOpenedCase : ProcurementCaseState
{
    public static NotOpenedCase Instance { get; } = new();
}

/// <summary>
/// A case under way. <see cref="StandstillEndsOn"/> is set once the award intention was notified;
/// <see cref="ReviewFiledOn"/> while a review is pending; <see cref="AppealEndsOn"/> after a dismissed review.
/// </summary>
public sealed record OpenCase(
    Guid CaseId,
    Ags LeadAgs,
    IReadOnlyList<ProcurementParticipant> Participants,
    Money? TotalNetValue,
    ProcurementProcedureType? ProcedureType,
    DateOnly? StartedOn,
    DateOnly? PublishedOn,
    DateOnly? OfferDeadline,
    DateOnly? StandstillEndsOn,
    DateOnly? ReviewFiledOn,
    ContractingAuthorityKind AuthorityKind = ContractingAuthorityKind.SubCentral,
    DateOnly? NoticeSentOn = null,
    DateOnly? DecisionServedOn = null,
    DateOnly? AppealEndsOn = null) : ProcurementCaseState
{
    /// <inheritdoc cref="ProcurementCase.ActualStart"/>
    public DateOnly? ActualStartOn => ProcurementCase.ActualStart(NoticeSentOn, PublishedOn, StartedOn);
}

public sealed record AwardedCase(Guid CaseId, DateOnly AwardedOn) : ProcurementCaseState;

public sealed record CancelledCase(Guid CaseId, DateOnly CancelledOn) : ProcurementCaseState;

/// <summary>
/// One stream per procurement case, possibly joint for several municipalities and procedures. Thresholds, Land
/// limits and legal periods come from the <see cref="ProcurementRuleSet"/>, so the decider is built for a rule set.
/// </summary>
public static partial class ProcurementCase
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "procurement-";

    /// <summary>The decider with the shipped rules.</summary>
    public static Decider<IProcurementCommand, IProcurementEvent, ProcurementCaseState> Decider { get; } = For(ProcurementRuleSet.LoadDefault());

    public static Decider<IProcurementCommand, IProcurementEvent, ProcurementCaseState> For(ProcurementRuleSet rules) =>
        new(NotOpenedCase.Instance, Evolve, (command, state) => Decide(command, state, rules));

    public static string StreamId(Guid caseId) => $"{StreamIdPrefix}{caseId}";

    /// <summary>
    /// The day a procedure actually begins, whose threshold and Land limits count (§ 3 (3) VgV): the day its notice was
    /// sent, else published, else the start. The deciders and the read models both take it from here.
    /// </summary>
    public static DateOnly? ActualStart(DateOnly? noticeSentOn, DateOnly? publishedOn, DateOnly? startedOn) => noticeSentOn ?? publishedOn ?? startedOn;

    public static ProcurementCaseState Evolve(ProcurementCaseState state, IProcurementEvent @event) => (state, @event) switch
    {
        (_, ProcurementCaseOpened e) => new OpenCase(e.CaseId, e.LeadAgs, e.Participants, null, null, null, null, null, null, null),
        // A new estimate may change the suggested procedure, so the procedure has to be determined again.
        (OpenCase s, ProcurementValueEstimated e) => s with { TotalNetValue = e.TotalNetValue, ProcedureType = null },
        (OpenCase s, ProcurementProcedureDetermined e) => s with { ProcedureType = e.ChosenType, AuthorityKind = e.AuthorityKind },
        (OpenCase s, ProcurementStarted e) => s with { StartedOn = e.StartedOn, PublishedOn = e.PublishedOn, NoticeSentOn = e.NoticeSentOn },
        (OpenCase s, ProcurementDeadlinesSet e) => s with
        {
            OfferDeadline = e.OfferDeadline,
            PublishedOn = e.PublishedOn ?? s.PublishedOn,
            NoticeSentOn = e.NoticeSentOn ?? s.NoticeSentOn,
        },
        (OpenCase s, AwardIntentionNotified e) => s with { StandstillEndsOn = e.StandstillEndsOn },
        (OpenCase s, ReviewFiled e) => s with { ReviewFiledOn = e.FiledOn },
        // An upheld review voids the award decision: the bidders have to be notified again before any award.
        (OpenCase s, ReviewConcluded e) => s with
        {
            ReviewFiledOn = null,
            StandstillEndsOn = e.Outcome == ReviewOutcome.Upheld ? null : s.StandstillEndsOn,
            DecisionServedOn = e.AppealPeriodEndsOn is null ? s.DecisionServedOn : e.DecisionServedOn,
            AppealEndsOn = e.AppealPeriodEndsOn ?? s.AppealEndsOn,
        },
        (_, ProcurementAwarded e) => new AwardedCase(e.CaseId, e.AwardedOn),
        (_, ProcurementCancelled e) => new CancelledCase(e.CaseId, e.CancelledOn),
        _ => state,
    };

    public static IReadOnlyList<IProcurementEvent> Decide(IProcurementCommand command, ProcurementCaseState state, ProcurementRuleSet rules)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (OpenProcurementCase c, NotOpenedCase) => Open(c),
            (OpenProcurementCase c, _) => throw new DomainRuleViolation(
                ViolationCodes.CaseAlreadyOpened, $"The procurement case {c.CaseId} is already open.", "caseId"),
            (_, NotOpenedCase) => throw DomainRuleViolation.NotFound(
                ViolationCodes.ProcurementCaseUnknown, $"No procurement case with id {command.CaseId} has been opened."),
            (AwardProcurement, CancelledCase s) => throw new DomainRuleViolation(
                ViolationCodes.AwardAfterCancellation, $"The procurement was cancelled on {Dates.English(s.CancelledOn)}; it cannot be awarded."),
            (_, CancelledCase s) => throw new DomainRuleViolation(
                ViolationCodes.ProcurementCancelled, $"The procurement was cancelled on {Dates.English(s.CancelledOn)}; nothing more can be decided for it."),
            (_, AwardedCase s) => throw new DomainRuleViolation(
                ViolationCodes.AlreadyAwarded, $"The procurement was awarded on {Dates.English(s.AwardedOn)}; nothing more can be decided for it."),
            (EstimateProcurementValue c, OpenCase s) => Estimate(c, s),
            (DetermineProcurementProcedure c, OpenCase s) => Determine(c, s, rules),
            (StartProcurement c, OpenCase s) => Start(c, s, rules),
            (SetProcurementDeadlines c, OpenCase s) => SetDeadlines(c, s, rules),
            (NotifyAwardIntention c, OpenCase s) => NotifyAwardIntention(c, s, rules),
            (FileReview c, OpenCase s) => FileReview(c, s, rules),
            (ConcludeReview c, OpenCase s) => ConcludeReview(c, s, rules),
            (AwardProcurement c, OpenCase s) => Award(c, s, rules),
            (CancelProcurement c, OpenCase s) => Cancel(c, s),
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static IProcurementEvent[] Open(OpenProcurementCase c)
    {
        var title = Guard.RequireText(c.Title, ViolationCodes.TitleRequired, "title", "A procurement case needs a title.");
        Guard.Require(c.Participants is { Count: > 0 }, ViolationCodes.ParticipantsRequired,
            "A procurement case needs at least one participating municipality with its procedure.", "participants");
        var duplicate = c.Participants.GroupBy(p => p.ProcedureId).FirstOrDefault(g => g.Count() > 1);
        Guard.Require(duplicate is null, ViolationCodes.DuplicateParticipant,
            $"The procedure {duplicate?.Key} is listed more than once.", "participants");
        return [new ProcurementCaseOpened(c.CaseId, title, c.Category, c.LeadAgs, [.. c.Participants], c.By, c.Now)];
    }

    private static IProcurementEvent[] Estimate(EstimateProcurementValue c, OpenCase s)
    {
        RequireNotStarted(s);
        Guard.Require(c.Shares is { Count: > 0 }, ViolationCodes.SharesRequired,
            "Estimate a value for every participating municipality.", "shares");
        var duplicate = c.Shares.GroupBy(share => share.Ags).FirstOrDefault(g => g.Count() > 1);
        Guard.Require(duplicate is null, ViolationCodes.DuplicateShare, $"The municipality {duplicate?.Key} has more than one share.", "shares");
        var participants = s.Participants.Select(p => p.Ags).ToHashSet();
        var stranger = c.Shares.FirstOrDefault(share => !participants.Contains(share.Ags));
        Guard.Require(stranger is null, ViolationCodes.ShareForNonParticipant,
            $"The municipality {stranger?.Ags} does not take part in this procurement.", "shares");
        var missing = participants.FirstOrDefault(ags => c.Shares.All(share => share.Ags != ags));
        Guard.Require(missing is null, ViolationCodes.ShareMissing,
            $"The participating municipality {missing} has no share; the value of a joint procurement is the sum of all shares.", "shares");
        var justification = string.IsNullOrWhiteSpace(c.Justification) ? null : c.Justification.Trim();
        Guard.Require(c.IncludesOptions || justification is not null, ViolationCodes.OptionsJustificationRequired,
            "The value must include options and extensions; if there are none, say why.", "justification");
        Guard.Require(Money.TrySum(c.Shares.Select(share => share.NetValue), out var total), ViolationCodes.ValueAboveCeiling,
            $"The shares add up to more than {Money.Euro(Money.MaxEuros)}, the most a procurement case can be valued at; check the amounts.", "shares");
        return [new ProcurementValueEstimated(c.CaseId, [.. c.Shares], total, c.IncludesOptions,
            justification, c.By, c.Now)];
    }

    private static IProcurementEvent[] Determine(DetermineProcurementProcedure c, OpenCase s, ProcurementRuleSet rules)
    {
        RequireNotStarted(s);
        Guard.Require(s.TotalNetValue is not null, ViolationCodes.ValueNotEstimated, "Estimate the value before determining the procedure.");
        var total = s.TotalNetValue.GetValueOrDefault();
        var kindJustification = string.IsNullOrWhiteSpace(c.AuthorityKindJustification) ? null : c.AuthorityKindJustification.Trim();
        Guard.Require(c.AuthorityKind == ContractingAuthorityKind.SubCentral || kindJustification is not null,
            ViolationCodes.AuthorityKindNeedsJustification,
            $"A municipality buying IT is a sub-central contracting authority buying supplies and services; the threshold for " +
            $"{AuthorityKindText(c.AuthorityKind)} (§ 106 (2) GWB) applies only with a recorded justification of why this procurement is one.",
            "authorityKindJustification");
        var suggestion = rules.Suggest(total, s.LeadAgs.Land, c.PlannedPublicationOn, c.AuthorityKind);
        var chosen = c.ChosenType ?? suggestion.Type;
        var check = rules.CheckProcedureClass(chosen, total, s.LeadAgs.Land, c.PlannedPublicationOn, c.AuthorityKind);
        if (!check.Allowed)
        {
            throw new DomainRuleViolation(CodeFor(check.Breach), Unlawful(check), "chosenType");
        }

        var justification = string.IsNullOrWhiteSpace(c.Justification) ? null : c.Justification.Trim();
        Guard.Require(!chosen.IsLessStrictThan(suggestion.Type) || justification is not null, ViolationCodes.OverrideNeedsJustification,
            $"Choosing {chosen.GermanName()} instead of the suggested {suggestion.Type.GermanName()} needs a justification " +
            $"(the suggestion: {suggestion.Reason})", "justification");
        var threshold = suggestion.Threshold;
        return
        [
            new ProcurementProcedureDetermined(c.CaseId, total, s.LeadAgs.Land, c.AuthorityKind, c.PlannedPublicationOn, suggestion.Type,
                suggestion.Reason, chosen, threshold.Amount, threshold.ValidFrom, threshold.ValidTo, threshold.Provisional,
                suggestion.LandLimits.GermanLabel, suggestion.AppliedLimitName, suggestion.AppliedLimitAmount,
                suggestion.LandLimits.RequiresExPostPublication(chosen, total), justification, c.By, c.Now, kindJustification),
        ];
    }

    private static IProcurementEvent[] Start(StartProcurement c, OpenCase s, ProcurementRuleSet rules)
    {
        RequireNotStarted(s);
        Guard.Require(s.ProcedureType is not null, ViolationCodes.ProcedureNotDetermined, "Determine the procurement procedure before starting it.");
        Guard.Require(!(c.PublishedOn < c.StartedOn), ViolationCodes.PublicationBeforeStart,
            $"The publication cannot come before the start on {Dates.English(c.StartedOn)}.", "publishedOn");
        Guard.Require(!(c.NoticeSentOn < c.StartedOn), ViolationCodes.PublicationBeforeStart,
            $"The notice cannot be sent before the start on {Dates.English(c.StartedOn)}.", "noticeSentOn");
        var type = s.ProcedureType.GetValueOrDefault();
        var actualStart = ActualStart(c.NoticeSentOn, c.PublishedOn, c.StartedOn).GetValueOrDefault();
        var field = c.NoticeSentOn is not null ? "noticeSentOn" : c.PublishedOn is not null ? "publishedOn" : "startedOn";
        RequireLawfulAtActualStart(type, s, actualStart, rules, field,
            "Determine the procedure again with that day as the planned publication, then start it.");
        return [new ProcurementStarted(c.CaseId, type, c.StartedOn, c.PublishedOn, c.By, c.Now, c.NoticeSentOn)];
    }

    private static IProcurementEvent[] Cancel(CancelProcurement c, OpenCase s)
    {
        var reason = Guard.RequireText(c.Reason, ViolationCodes.ReasonRequired, "reason", "Cancelling a procurement needs a reason.");
        Guard.Require(!(c.CancelledOn < s.StartedOn), ViolationCodes.CancellationBeforeStart,
            $"The cancellation cannot come before the start on {Dates.English(s.StartedOn.GetValueOrDefault())}.", "cancelledOn");
        return [new ProcurementCancelled(c.CaseId, c.CancelledOn, reason, c.By, c.Now)];
    }

    private static void RequireNotStarted(OpenCase s) =>
        Guard.Require(s.StartedOn is null, ViolationCodes.ProcurementAlreadyStarted,
            $"The procurement started on {Dates.English(s.StartedOn.GetValueOrDefault())}; its value and procedure are fixed now.");

    private static DateOnly RequireStarted(OpenCase s)
    {
        Guard.Require(s.StartedOn is not null, ViolationCodes.ProcurementNotStarted, "Start the procurement first.");
        return s.StartedOn.GetValueOrDefault();
    }
}

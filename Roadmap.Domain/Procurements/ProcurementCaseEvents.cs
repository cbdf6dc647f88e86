using System.Text.Json.Serialization;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurements;

/// <summary>A municipality taking part in a procurement with one of its procedure instances.</summary>
public sealed record ProcurementParticipant(Ags Ags, Guid ProcedureId);

/// <summary>One participating municipality's share of the estimated value, net, including options and extensions.</summary>
public sealed record ValueShare(Ags Ags, Money NetValue);

[JsonConverter(typeof(JsonStringEnumConverter<ReviewOutcome>))]
public enum ReviewOutcome
{
    Dismissed,
    Upheld,
    Withdrawn,
}

public interface IProcurementEvent : IDomainEvent
{
    Guid CaseId { get; }
}

public sealed record ProcurementCaseOpened(
    Guid CaseId,
    string Title,
    ProcedureCategory Category,
    Ags LeadAgs,
    IReadOnlyList<ProcurementParticipant> Participants,
    string By,
    DateTimeOffset RecordedAt) : IProcurementEvent;

/// <summary>The estimated value; for a joint procurement the shares add up to <paramref name="TotalNetValue"/>, which decides the procedure.</summary>
public sealed record ProcurementValueEstimated(
    Guid CaseId,
    IReadOnlyList<ValueShare> Shares,
    Money TotalNetValue,
    bool IncludesOptions,
    string? Justification,
    string By,
    DateTimeOffset RecordedAt) : IProcurementEvent;

/// <summary>
/// The procurement procedure was determined: what the rules suggested and why, what was chosen, and the threshold
/// and limits on the planned publication date the decision rests on (so it stays explainable when the rules change).
/// </summary>
public sealed record ProcurementProcedureDetermined(
    Guid CaseId,
    Money TotalNetValue,
    LandCode Land,
    ContractingAuthorityKind AuthorityKind,
    DateOnly PlannedPublicationOn,
    ProcurementProcedureType SuggestedType,
    string SuggestionReason,
    ProcurementProcedureType ChosenType,
    Money ThresholdAmount,
    DateOnly ThresholdValidFrom,
    DateOnly ThresholdValidTo,
    bool ThresholdProvisional,
    string LandLimitsName,
    string AppliedLimitName,
    Money AppliedLimitAmount,
    bool ExPostPublicationRequired,
    string? Justification,
    string By,
    DateTimeOffset RecordedAt,
    string? AuthorityKindJustification = null) : IProcurementEvent;

public sealed record ProcurementStarted(
    Guid CaseId, ProcurementProcedureType ProcedureType, DateOnly StartedOn, DateOnly? PublishedOn, string By, DateTimeOffset RecordedAt)
    : IProcurementEvent;

/// <summary>Deadlines of the procedure, with the legal minimum periods (days) they were checked against; null for national procedures.</summary>
public sealed record ProcurementDeadlinesSet(
    Guid CaseId,
    DateOnly? PublishedOn,
    DateOnly? ParticipationDeadline,
    DateOnly OfferDeadline,
    bool ElectronicSubmission,
    bool Urgent,
    string? UrgencyReason,
    int? MinimumParticipationDays,
    int? MinimumOfferDays,
    string By,
    DateTimeOffset RecordedAt) : IProcurementEvent;

/// <summary>Bidders were told who is to win (§ 134 GWB); the award may follow after <paramref name="StandstillEndsOn"/>.</summary>
public sealed record AwardIntentionNotified(
    Guid CaseId,
    DateOnly NotifiedOn,
    bool SentElectronically,
    string IntendedBidder,
    int StandstillDays,
    DateOnly StandstillEndsOn,
    string By,
    DateTimeOffset RecordedAt) : IProcurementEvent;

/// <summary>A review request at a Vergabekammer; it blocks the award. <paramref name="DecisionDueOn"/> is the chamber's statutory deadline.</summary>
public sealed record ReviewFiled(Guid CaseId, DateOnly FiledOn, string Chamber, DateOnly DecisionDueOn, string By, DateTimeOffset RecordedAt)
    : IProcurementEvent;

public sealed record ReviewConcluded(Guid CaseId, DateOnly ConcludedOn, ReviewOutcome Outcome, string By, DateTimeOffset RecordedAt)
    : IProcurementEvent;

public sealed record ProcurementAwarded(
    Guid CaseId,
    DateOnly AwardedOn,
    string VendorName,
    Guid? ReleaseId,
    Money NetValue,
    ProcurementProcedureType ProcedureType,
    string By,
    DateTimeOffset RecordedAt) : IProcurementEvent;

public sealed record ProcurementCancelled(Guid CaseId, DateOnly CancelledOn, string Reason, string By, DateTimeOffset RecordedAt)
    : IProcurementEvent;

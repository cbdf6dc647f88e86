using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurements;

public interface IProcurementCommand : IDomainCommand
{
    Guid CaseId { get; }
}

/// <summary>Opens a (possibly joint) procurement case. The Land of <paramref name="LeadAgs"/> selects the Land limits.</summary>
public sealed record OpenProcurementCase(
    Guid CaseId,
    string Title,
    ProcedureCategory Category,
    Ags LeadAgs,
    IReadOnlyList<ProcurementParticipant> Participants,
    DateTimeOffset Now,
    string By) : IProcurementCommand;

/// <summary>
/// Estimates the value, one share per participating municipality. The value includes options and extensions; when
/// <paramref name="IncludesOptions"/> is false, <paramref name="Justification"/> says why there are none to include.
/// </summary>
public sealed record EstimateProcurementValue(
    Guid CaseId, IReadOnlyList<ValueShare> Shares, bool IncludesOptions, string? Justification, DateTimeOffset Now, string By)
    : IProcurementCommand;

/// <summary>
/// Determines the procedure. <paramref name="ChosenType"/> null takes the rules' suggestion. The chosen type must be
/// lawful for the value (only EU procedures at or above the threshold, national ones within the Land's limits); an EU
/// type less strict than the suggestion needs <paramref name="Justification"/>. A municipality buying IT is a sub-central
/// authority buying supplies and services: another <paramref name="AuthorityKind"/> needs <paramref name="AuthorityKindJustification"/>.
/// </summary>
public sealed record DetermineProcurementProcedure(
    Guid CaseId,
    DateOnly PlannedPublicationOn,
    ProcurementProcedureType? ChosenType,
    string? Justification,
    DateTimeOffset Now,
    string By,
    ContractingAuthorityKind AuthorityKind = ContractingAuthorityKind.SubCentral,
    string? AuthorityKindJustification = null) : IProcurementCommand;

/// <summary>
/// Starts the determined procedure. The procedure actually begins (§ 3 (3) VgV) on <paramref name="NoticeSentOn"/> (the day
/// the notice was sent), else <paramref name="PublishedOn"/>, else <paramref name="StartedOn"/>; the determination is checked
/// again against the rules of that day.
/// </summary>
public sealed record StartProcurement(
    Guid CaseId, DateOnly StartedOn, DateOnly? PublishedOn, DateTimeOffset Now, string By, DateOnly? NoticeSentOn = null) : IProcurementCommand;

/// <summary>
/// Sets the deadlines. EU procedures need the day their notice was sent (<paramref name="NoticeSentOn"/>, else the one given
/// at the start): the legal minimum periods run from the day after it, and a period ending on a Saturday, Sunday or public
/// holiday ends on the next working day. National procedures only need the deadlines to lie after the start.
/// </summary>
public sealed record SetProcurementDeadlines(
    Guid CaseId,
    DateOnly? ParticipationDeadline,
    DateOnly OfferDeadline,
    bool ElectronicSubmission,
    bool Urgent,
    string? UrgencyReason,
    DateTimeOffset Now,
    string By,
    DateOnly? PublishedOn = null,
    DateOnly? NoticeSentOn = null) : IProcurementCommand;

public sealed record NotifyAwardIntention(
    Guid CaseId, DateOnly NotifiedOn, bool SentElectronically, string IntendedBidder, DateTimeOffset Now, string By) : IProcurementCommand;

public sealed record FileReview(Guid CaseId, DateOnly FiledOn, string Chamber, DateTimeOffset Now, string By) : IProcurementCommand;

/// <summary>
/// Concludes the pending review. A dismissal needs <paramref name="DecisionServedOn"/>, the day the chamber's decision was
/// served: the award waits two weeks from then for the immediate appeal (§ 172 (1), § 169 (1) GWB).
/// </summary>
public sealed record ConcludeReview(
    Guid CaseId, DateOnly ConcludedOn, ReviewOutcome Outcome, DateTimeOffset Now, string By, DateOnly? DecisionServedOn = null) : IProcurementCommand;

public sealed record AwardProcurement(
    Guid CaseId, DateOnly AwardedOn, string VendorName, Guid? ReleaseId, Money NetValue, DateTimeOffset Now, string By) : IProcurementCommand;

public sealed record CancelProcurement(Guid CaseId, DateOnly CancelledOn, string Reason, DateTimeOffset Now, string By) : IProcurementCommand;

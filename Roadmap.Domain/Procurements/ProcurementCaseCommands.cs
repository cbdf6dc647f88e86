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
/// Determines the procedure. <paramref name="ChosenType"/> null takes the rules' suggestion; a type less strict than
/// the suggestion needs <paramref name="Justification"/>.
/// </summary>
public sealed record DetermineProcurementProcedure(
    Guid CaseId,
    DateOnly PlannedPublicationOn,
    ProcurementProcedureType? ChosenType,
    string? Justification,
    DateTimeOffset Now,
    string By,
    ContractingAuthorityKind AuthorityKind = ContractingAuthorityKind.SubCentral) : IProcurementCommand;

public sealed record StartProcurement(Guid CaseId, DateOnly StartedOn, DateOnly? PublishedOn, DateTimeOffset Now, string By) : IProcurementCommand;

/// <summary>
/// Sets the deadlines. EU procedures are checked against the legal minimum periods counted from the publication
/// (<paramref name="PublishedOn"/>, else the one given at the start); national ones only need to lie after the start.
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
    DateOnly? PublishedOn = null) : IProcurementCommand;

public sealed record NotifyAwardIntention(
    Guid CaseId, DateOnly NotifiedOn, bool SentElectronically, string IntendedBidder, DateTimeOffset Now, string By) : IProcurementCommand;

public sealed record FileReview(Guid CaseId, DateOnly FiledOn, string Chamber, DateTimeOffset Now, string By) : IProcurementCommand;

public sealed record ConcludeReview(Guid CaseId, DateOnly ConcludedOn, ReviewOutcome Outcome, DateTimeOffset Now, string By) : IProcurementCommand;

public sealed record AwardProcurement(
    Guid CaseId, DateOnly AwardedOn, string VendorName, Guid? ReleaseId, Money NetValue, DateTimeOffset Now, string By) : IProcurementCommand;

public sealed record CancelProcurement(Guid CaseId, DateOnly CancelledOn, string Reason, DateTimeOffset Now, string By) : IProcurementCommand;

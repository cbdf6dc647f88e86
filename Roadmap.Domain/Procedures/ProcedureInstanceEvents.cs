using System.Text.Json.Serialization;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procedures;

[JsonConverter(typeof(JsonStringEnumConverter<ReplacementStrategy>))]
public enum ReplacementStrategy
{
    /// <summary>Move to a newer release of the same product.</summary>
    Upgrade,

    /// <summary>Move to another product.</summary>
    Replace,

    /// <summary>Join a procedure another municipality or the county already runs.</summary>
    Consolidate,

    /// <summary>Switch the procedure off without a successor.</summary>
    Retire,
}

public interface IProcedureEvent : IDomainEvent
{
    Guid ProcedureId { get; }
}

/// <summary>A municipality runs a release of a product for one procedure category.</summary>
public sealed record ProcedureIntroduced(
    Guid ProcedureId, Ags Ags, ProcedureCategory Category, Guid ReleaseId, string Name, DateOnly IntroducedOn, string By, DateTimeOffset RecordedAt)
    : IProcedureEvent;

/// <summary>Support beyond the vendor's end of support was bought; it moves the effective end of support to <paramref name="Until"/>.</summary>
public sealed record ExtendedSupportPurchased(
    Guid ProcedureId, Guid ReleaseId, DateOnly Until, Money? Cost, string Reference, string By, DateTimeOffset RecordedAt) : IProcedureEvent;

/// <summary>Someone accountable accepted running past the end of support until <paramref name="Until"/>. Moves no date: it is a badge, not a green light.</summary>
public sealed record RiskAccepted(
    Guid ProcedureId, Guid ReleaseId, string AcceptedBy, DateOnly Until, string Reason, string By, DateTimeOffset RecordedAt) : IProcedureEvent;

public sealed record ReplacementPlanned(
    Guid ProcedureId, ReplacementStrategy Strategy, DateOnly TargetGoLive, Guid? TargetReleaseId, string By, DateTimeOffset RecordedAt)
    : IProcedureEvent;

/// <summary>A procurement case includes this procedure; from now on its cut-over waits for that case's award.</summary>
public sealed record ProcedureAssignedToProcurement(Guid ProcedureId, Guid CaseId, string By, DateTimeOffset RecordedAt) : IProcedureEvent;

public sealed record ReplacementScheduled(
    Guid ProcedureId,
    DateOnly CutOverOn,
    DateOnly? ParallelRunFrom,
    DateOnly? ParallelRunUntil,
    Guid? CaseId,
    DateOnly? ProcurementAwardedOn,
    string By,
    DateTimeOffset RecordedAt) : IProcedureEvent;

/// <summary>The procedure now runs <paramref name="ReleaseId"/> (unchanged for a retirement-style cut-over without a new release).</summary>
public sealed record CutOverCompleted(
    Guid ProcedureId, DateOnly CompletedOn, Guid PreviousReleaseId, Guid ReleaseId, string By, DateTimeOffset RecordedAt) : IProcedureEvent;

public sealed record ProcedureRetired(Guid ProcedureId, DateOnly RetiredOn, string Reason, string By, DateTimeOffset RecordedAt) : IProcedureEvent;

using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procedures;

public interface IProcedureCommand : IDomainCommand
{
    Guid ProcedureId { get; }
}

/// <summary>Records that a municipality runs a release. That municipality and release exist is checked by the caller.</summary>
public sealed record IntroduceProcedure(
    Guid ProcedureId, Ags Ags, ProcedureCategory Category, Guid ReleaseId, string Name, DateOnly IntroducedOn, DateTimeOffset Now, string By)
    : IProcedureCommand;

public sealed record PurchaseExtendedSupport(
    Guid ProcedureId, DateOnly Until, Money? Cost, string Reference, DateTimeOffset Now, string By) : IProcedureCommand;

public sealed record AcceptRisk(
    Guid ProcedureId, string AcceptedBy, DateOnly Until, string Reason, DateTimeOffset Now, string By) : IProcedureCommand;

public sealed record PlanReplacement(
    Guid ProcedureId, ReplacementStrategy Strategy, DateOnly TargetGoLive, Guid? TargetReleaseId, DateTimeOffset Now, string By)
    : IProcedureCommand;

public sealed record AssignToProcurement(Guid ProcedureId, Guid CaseId, DateTimeOffset Now, string By) : IProcedureCommand;

/// <summary>
/// Schedules the cut-over. When the procedure is assigned to a procurement case, the caller reads that case and
/// passes its award date in <paramref name="ProcurementAwardedOn"/> (null when not awarded): deciders see one stream only.
/// </summary>
public sealed record ScheduleReplacement(
    Guid ProcedureId,
    DateOnly CutOverOn,
    DateOnly? ParallelRunFrom,
    DateOnly? ParallelRunUntil,
    DateOnly? ProcurementAwardedOn,
    DateTimeOffset Now,
    string By) : IProcedureCommand;

/// <summary>Completes the scheduled cut-over; <paramref name="ProcurementAwardedOn"/> as in <see cref="ScheduleReplacement"/>.</summary>
public sealed record CompleteCutOver(
    Guid ProcedureId, DateOnly CompletedOn, Guid? NewReleaseId, DateOnly? ProcurementAwardedOn, DateTimeOffset Now, string By) : IProcedureCommand;

public sealed record RetireProcedure(Guid ProcedureId, DateOnly RetiredOn, string Reason, DateTimeOffset Now, string By) : IProcedureCommand;

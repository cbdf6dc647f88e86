using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Projections.Roadmaps;

// The answers of the roadmap read models: what the JSON endpoints return and what the mayor's page, the CSV
// export and the iCalendar feed render. Slack and bands depend on "today", which the query takes; the stored
// read model never reads the clock, so a rebuild is deterministic.

/// <summary>A municipality's replacement roadmap as known on <see cref="Stand"/>.</summary>
/// <param name="Today">The day slack is counted from.</param>
/// <param name="Stand">The day the knowledge is from: the asOf date, or today.</param>
/// <param name="AsOf">Set when the roadmap was asked for as known on an earlier day (only events recorded up to then).</param>
public sealed record MunicipalityRoadmap(
    string Ags,
    string Name,
    DateOnly Today,
    DateOnly Stand,
    DateOnly? AsOf,
    IReadOnlyList<RoadmapEntry> Entries,
    IReadOnlyList<DueDecision> DecisionsDue,
    BandCounts Counts,
    IReadOnlyList<SplittingWarning> SplittingWarnings);

/// <summary>One procedure instance of the municipality and what its replacement needs when.</summary>
/// <param name="LifecycleState">introduced, planned, scheduled, cut-over or retired.</param>
/// <param name="Milestones">Null while the release's end of support is to be announced.</param>
public sealed record RoadmapEntry(
    Guid ProcedureId,
    string Name,
    ProcedureCategory Category,
    string CategoryName,
    ReleaseRef Release,
    string LifecycleState,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSupportToBeAnnounced,
    Milestones? Milestones,
    ProcedureTypeInfo? ProcedureType,
    PlannedDates Planned,
    ActualDates Actual,
    Badges Badges,
    int? SlackDays,
    SlackBand? Band,
    Guid? ProcurementCaseId,
    SplittingWarning? SplittingWarning = null);

public sealed record ReleaseRef(Guid ReleaseId, string Version, string Product, string Vendor);

/// <summary>The computed latest dates (domain.md, "Date rules the read models compute").</summary>
public sealed record Milestones(
    DateOnly EffectiveEndOfSupport,
    EndOfSupportBasis EndOfSupportBasis,
    DateOnly RequiredGoLive,
    IReadOnlyList<string> FreezeWindowsAvoided,
    int MigrationMonths,
    DateOnly LatestAward,
    int ProcurementMonths,
    DateOnly LatestProcurementStart,
    bool Provisional = false);

/// <summary>The procurement procedure that applies and why.</summary>
/// <param name="Basis">Chosen (determined in the case), SuggestedFromValue, or AssumedWithoutEstimate.</param>
/// <param name="Reason">A German sentence: value, limit, threshold and its period.</param>
/// <param name="Provisional">The threshold for the planned publication date is not yet published.</param>
/// <param name="AuthorityKind">The kind of contracting authority the threshold is for; anything but SubCentral needs the justification.</param>
public sealed record ProcedureTypeInfo(
    ProcurementProcedureType Type,
    string GermanName,
    ProcedureTypeBasis Basis,
    string Reason,
    bool Provisional,
    decimal? EstimatedTotalNetValue,
    decimal? Threshold,
    string? ThresholdPeriod,
    ContractingAuthorityKind AuthorityKind = ContractingAuthorityKind.SubCentral,
    string? AuthorityKindJustification = null);

/// <summary>
/// Procurement cases of one municipality and category whose days lie within twelve months and whose values together
/// reach the EU threshold although some of them stay below it: possibly a split that § 3 (2) VgV forbids. A warning to
/// check, not a refusal.
/// </summary>
/// <param name="Provisional">The threshold of that period is not yet published.</param>
/// <param name="Message">German, for the mayor's page and the CSV.</param>
public sealed record SplittingWarning(
    string Ags,
    ProcedureCategory Category,
    string CategoryName,
    DateOnly From,
    DateOnly To,
    decimal CombinedNetValue,
    decimal Threshold,
    string ThresholdPeriod,
    bool Provisional,
    IReadOnlyList<SplitCase> Cases,
    string Message);

/// <param name="Day">The day the case counts from: its start, else the planned publication, else the day of the estimate.</param>
/// <param name="NetValue">The municipality's own share of the case's estimated value.</param>
public sealed record SplitCase(Guid CaseId, string Title, DateOnly Day, decimal NetValue, ProcurementProcedureType? ProcedureType);

public sealed record PlannedDates(
    string? Strategy,
    DateOnly? TargetGoLive,
    DateOnly? CutOverOn,
    DateOnly? ParallelRunFrom,
    DateOnly? ParallelRunUntil);

public sealed record ActualDates(
    DateOnly IntroducedOn,
    DateOnly? ProcurementStartedOn,
    DateOnly? AwardedOn,
    DateOnly? CutOverCompletedOn,
    DateOnly? RetiredOn);

/// <summary>Shown as badges, never as a green light: accepted risk and extended support do not make a procedure safe.</summary>
public sealed record Badges(RiskBadge? AcceptedRisk, DateOnly? ExtendedSupportUntil, JointBadge? JointProcurement);

public sealed record RiskBadge(string AcceptedBy, DateOnly Until, string Reason);

public sealed record JointBadge(Guid CaseId, string Title, IReadOnlyList<string> ParticipantAgs);

/// <summary>"Entscheidungen, die jetzt anstehen": what the council must decide, by when.</summary>
/// <param name="What">German, e.g. "Vergabeverfahren (EU-Verhandlungsverfahren) starten".</param>
public sealed record DueDecision(Guid ProcedureId, string Procedure, string What, DateOnly Due, SlackBand Band);

public sealed record BandCounts(int Late, int High, int Moderate, int Low, int Unknown);

/// <summary>The county's risk board: releases × municipalities, with bands and counts.</summary>
public sealed record RiskBoard(string CountyAgs, DateOnly Today, DateOnly Stand, IReadOnlyList<RiskBoardRow> Rows, BandCounts Counts);

/// <summary>One release and every municipality that runs it; rows sort by the worst band, then by count.</summary>
public sealed record RiskBoardRow(ReleaseRef Release, DateOnly? EffectiveEndOfSupport, IReadOnlyList<RiskCell> Cells, BandCounts Counts);

public sealed record RiskCell(string Ags, string Municipality, Guid ProcedureId, string Procedure, int? SlackDays, SlackBand? Band, bool RiskAccepted, bool ExtendedSupport);

/// <summary>
/// A procurement case's phases, planned from the rules and the legal minimum periods, with actual dates. The phases
/// follow each other without overlap; the cut-over is never after <see cref="RequiredGoLive"/> (the earliest of the
/// participating procedures) nor in a freeze window. <see cref="Provisional"/>: the procedure type rests on a
/// threshold period not yet published.
/// </summary>
public sealed record ProcurementTimeline(
    Guid CaseId,
    string Title,
    IReadOnlyList<string> ParticipantAgs,
    ProcurementProcedureType? ProcedureType,
    string State,
    DateOnly Today,
    IReadOnlyList<TimelinePhase> Phases,
    DateOnly? RequiredGoLive,
    bool Provisional,
    string? ThresholdPeriod,
    IReadOnlyList<TimelineNote> Notes);

/// <summary>Why the plan differs from the planning estimates (code for machines, text in German).</summary>
/// <param name="Code">compressed-to-meet-go-live, scheduled-cut-over-after-go-live, cut-over-moved-out-of-freeze, go-live-unreachable, cancelled.</param>
public sealed record TimelineNote(string Code, string Text);

/// <param name="Key">preparation, participation, offers, negotiation, evaluation, award-notice, standstill, review-reserve, contract, migration, cut-over.</param>
/// <param name="CannotMeetMinimum">The phase can no longer meet its legal minimum period before its planned end.</param>
public sealed record TimelinePhase(
    string Key,
    string GermanName,
    DateOnly? PlannedStart,
    DateOnly? PlannedEnd,
    int? LegalMinimumDays,
    DateOnly? ActualStart,
    DateOnly? ActualEnd,
    bool CannotMeetMinimum);

/// <summary>A live roadmap (null: municipality unknown) and the version of its inputs it was computed from (null: none recorded yet).</summary>
public sealed record VersionedRoadmap(MunicipalityRoadmap? Roadmap, long? Version);

/// <summary>The queries over the roadmap read models. <c>today</c> counts slack; <c>asOf</c> limits knowledge to events recorded by then.</summary>
public interface IRoadmapQueries
{
    Task<MunicipalityRoadmap?> GetRoadmapAsync(Ags ags, DateOnly today, DateOnly? asOf, CancellationToken cancellationToken);

    Task<RiskBoard> GetRiskBoardAsync(Ags countyAgs, DateOnly today, DateOnly? asOf, CancellationToken cancellationToken);

    Task<ProcurementTimeline?> GetProcurementTimelineAsync(Guid caseId, DateOnly today, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProcurementTimeline>> GetMunicipalityTimelinesAsync(Ags ags, DateOnly today, CancellationToken cancellationToken);

    /// <summary>The splitting warnings (§ 3 (2) VgV) that name the case, for every municipality taking part in it.</summary>
    Task<IReadOnlyList<SplittingWarning>> GetSplittingWarningsAsync(Guid caseId, CancellationToken cancellationToken);
}

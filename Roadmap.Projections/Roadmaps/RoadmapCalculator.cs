using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Projections.Roadmaps;

/// <summary>
/// Computes the roadmap views from a set of fact documents and a "today": pure, the same for the live read model and
/// for the roadmap as known on an earlier day. The date rules are <see cref="ReplacementSchedule"/>'s.
/// </summary>
public sealed class RoadmapCalculator(ProcurementRuleSet rules)
{
    public ProcurementRuleSet Rules { get; } = rules;

    public MunicipalityRoadmap? Roadmap(RoadmapFacts facts, string ags, DateOnly today, DateOnly? asOf)
    {
        if (!facts.Municipalities.TryGetValue(ags, out var municipality))
        {
            return null;
        }

        var entries = facts.Procedures.Values
            .Where(p => p.Ags == ags)
            .Select(p => Entry(facts, municipality, p, today))
            .OrderBy(e => e.Milestones?.LatestProcurementStart ?? DateOnly.MaxValue)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ThenBy(e => e.ProcedureId)
            .ToList();
        var decisions = entries
            .Select(Decision)
            .OfType<DueDecision>()
            .OrderBy(d => d.Due)
            .ThenBy(d => d.ProcedureId)
            .ToList();
        return new MunicipalityRoadmap(municipality.Ags, municipality.Name, today, asOf ?? today, asOf, entries, decisions, Count(entries));
    }

    public RiskBoard RiskBoard(RoadmapFacts facts, string countyAgs, DateOnly today, DateOnly? asOf)
    {
        var municipalities = facts.Municipalities.Values.Where(m => m.CountyAgs == countyAgs).ToDictionary(m => m.Ags, StringComparer.Ordinal);
        var entries = facts.Procedures.Values
            .Where(p => municipalities.ContainsKey(p.Ags) && p.State != "retired")
            .Select(p => (Procedure: p, Entry: Entry(facts, municipalities[p.Ags], p, today)))
            .ToList();
        var rows = entries
            .GroupBy(e => e.Procedure.ReleaseId)
            .Select(g =>
            {
                var release = facts.Releases.GetValueOrDefault(g.Key);
                var cells = g
                    .OrderBy(e => BandOrder(e.Entry.Band))
                    .ThenBy(e => e.Entry.SlackDays ?? int.MaxValue)
                    .ThenBy(e => e.Procedure.Ags, StringComparer.Ordinal)
                    .ThenBy(e => e.Procedure.ProcedureId)
                    .Select(e => new RiskCell(e.Procedure.Ags, municipalities[e.Procedure.Ags].Name, e.Procedure.ProcedureId, e.Entry.Name,
                        e.Entry.SlackDays, e.Entry.Band, e.Entry.Badges.AcceptedRisk is not null, e.Entry.Badges.ExtendedSupportUntil is not null))
                    .ToList();
                return new RiskBoardRow(g.First().Entry.Release, release?.Lifecycle.EffectiveEndOfSupport, cells, Count(g.Select(e => e.Entry)));
            })
            .OrderBy(r => r.Cells.Min(c => BandOrder(c.Band)))
            .ThenByDescending(r => r.Cells.Count)
            .ThenBy(r => r.Release.Product, StringComparer.Ordinal)
            .ThenBy(r => r.Release.Version, StringComparer.Ordinal)
            .ThenBy(r => r.Release.ReleaseId)
            .ToList();
        return new RiskBoard(countyAgs, today, asOf ?? today, rows, Count(entries.Select(e => e.Entry)));
    }

    public ProcurementTimeline? Timeline(RoadmapFacts facts, Guid caseId, DateOnly today) =>
        facts.Cases.TryGetValue(caseId, out var c) ? new ProcurementTimelinePlanner(this, facts, c, today).Plan() : null;

    public IReadOnlyList<ProcurementTimeline> Timelines(RoadmapFacts facts, string ags, DateOnly today) =>
        facts.Cases.Values
            .Where(c => c.Participants.Any(p => p.Ags == ags))
            .OrderBy(c => c.Title, StringComparer.Ordinal)
            .ThenBy(c => c.CaseId)
            .Select(c => new ProcurementTimelinePlanner(this, facts, c, today).Plan())
            .ToList();

    /// <summary>The date rules for one procedure; null while its release's end is to be announced, or once it is retired.</summary>
    public ReplacementTimeline? Schedule(RoadmapFacts facts, ProcedureFacts procedure, DateOnly today)
    {
        if (procedure.State == "retired")
        {
            return null;
        }

        var lifecycle = facts.Releases.GetValueOrDefault(procedure.ReleaseId)?.Lifecycle;
        var @case = ActiveCase(facts, procedure);
        return ReplacementSchedule.Compute(
            new ReplacementScheduleInput(
                lifecycle?.EndOfSecuritySupport,
                lifecycle?.EndOfLife,
                procedure.ExtendedSupportUntil,
                procedure.Category,
                LandOf(procedure.Ags),
                today,
                @case?.TotalNetValue is { } value ? new Money(value) : null,
                @case?.ChosenType,
                @case?.Determination?.PlannedPublicationOn),
            Rules);
    }

    /// <summary>The procedure's procurement case unless it was cancelled (then the rules' assumption applies again).</summary>
    internal static CaseFacts? ActiveCase(RoadmapFacts facts, ProcedureFacts procedure) =>
        procedure.CaseId is { } id && facts.Cases.TryGetValue(id, out var c) && c.State != "cancelled" ? c : null;

    internal static LandCode LandOf(string ags) => LandCode.Parse(ags[..2]);

    private RoadmapEntry Entry(RoadmapFacts facts, MunicipalityFacts municipality, ProcedureFacts p, DateOnly today)
    {
        var release = facts.Releases.GetValueOrDefault(p.ReleaseId);
        var product = release is null ? null : facts.Products.GetValueOrDefault(release.ProductId);
        var vendor = product is null ? null : facts.Vendors.GetValueOrDefault(product.VendorId);
        var lifecycle = release?.Lifecycle;
        var anyCase = p.CaseId is { } caseId ? facts.Cases.GetValueOrDefault(caseId) : null;
        var @case = ActiveCase(facts, p);
        var schedule = Schedule(facts, p, today);
        var milestones = schedule is null
            ? null
            : new Milestones(schedule.EffectiveEndOfSupport, schedule.EndOfSupportBasis, schedule.RequiredGoLive,
                [.. schedule.FreezeWindowsAvoided.Select(f => $"{f.Name}: {Dates.German(f.From)}–{Dates.German(f.To)}")],
                schedule.MigrationMonths, schedule.LatestAward, schedule.ProcurementMonths, schedule.LatestProcurementStart);
        var tba = lifecycle is { EndOfSecuritySupport: null, EndOfLife: null } && (lifecycle.EndOfSecuritySupportTba || lifecycle.EndOfLifeTba);
        return new RoadmapEntry(
            p.ProcedureId,
            p.Name,
            p.Category,
            p.Category.GermanName(),
            new ReleaseRef(p.ReleaseId, release?.Version ?? "?", product?.Name ?? "?", vendor?.Name ?? "?"),
            p.State,
            lifecycle?.EndOfSecuritySupport,
            lifecycle?.EndOfLife,
            tba,
            milestones,
            schedule is null ? null : TypeInfo(schedule, @case, today),
            new PlannedDates(p.Plan?.Strategy.ToString(), p.Plan?.TargetGoLive, p.Schedule?.CutOverOn, p.Schedule?.ParallelRunFrom, p.Schedule?.ParallelRunUntil),
            new ActualDates(p.IntroducedOn, anyCase?.StartedOn, anyCase?.AwardedOn, p.CutOverCompletedOn, p.RetiredOn),
            new Badges(
                p.Risk is { } risk ? new RiskBadge(risk.AcceptedBy, risk.Until, risk.Reason) : null,
                p.ExtendedSupportUntil,
                @case is { IsJoint: true } ? new JointBadge(@case.CaseId, @case.Title, [.. @case.Participants.Select(x => x.Ags).Distinct()]) : null),
            schedule?.SlackDays,
            schedule?.SlackBand,
            p.CaseId);
    }

    private ProcedureTypeInfo TypeInfo(ReplacementTimeline schedule, CaseFacts? @case, DateOnly today)
    {
        var type = schedule.ProcedureType;
        switch (schedule.ProcedureTypeBasis)
        {
            case ProcedureTypeBasis.Chosen when @case?.Determination is { } d:
                var period = $"{d.ThresholdValidFrom.Year}–{d.ThresholdValidTo.Year}" + (d.ThresholdProvisional ? ", vorläufig" : "");
                var chosen = d.ChosenType == d.SuggestedType
                    ? $"Im Vergabefall festgelegt: {type.GermanName()}. {d.SuggestionReason}"
                    : $"Im Vergabefall festgelegt: {type.GermanName()} (vorgeschlagen war {d.SuggestedType.GermanName()}: {d.SuggestionReason})";
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis, chosen, d.ThresholdProvisional,
                    d.TotalNetValue, d.ThresholdAmount, period);
            case ProcedureTypeBasis.Chosen:
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis, $"Im Vergabefall festgelegt: {type.GermanName()}.",
                    false, @case?.TotalNetValue, null, null);
            case ProcedureTypeBasis.SuggestedFromValue when schedule.Suggestion is { } s:
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis, s.Reason, s.Threshold.Provisional,
                    s.TotalNetValue.Euros, s.Threshold.Amount.Euros, s.Threshold.GermanLabel);
            default:
                var threshold = Rules.ThresholdOn(today);
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis,
                    $"Noch kein Auftragswert geschätzt: geplant wird mit dem längsten üblichen Verfahren, {type.GermanName()}.",
                    threshold.Provisional, null, threshold.Amount.Euros, threshold.GermanLabel);
        }
    }

    private static DueDecision? Decision(RoadmapEntry entry)
    {
        if (entry is not { Milestones: { } m, Band: { } band, ProcedureType: { } type } || band == SlackBand.Low ||
            entry.LifecycleState is "retired" || entry.Actual.AwardedOn is not null)
        {
            return null;
        }

        return entry.Actual.ProcurementStartedOn is null
            ? new DueDecision(entry.ProcedureId, entry.Name, $"Vergabeverfahren ({type.GermanName}) starten", m.LatestProcurementStart, band)
            : new DueDecision(entry.ProcedureId, entry.Name, "Zuschlag erteilen", m.LatestAward, band);
    }

    internal static int BandOrder(SlackBand? band) => band switch
    {
        SlackBand.Late => 0,
        SlackBand.High => 1,
        SlackBand.Moderate => 2,
        SlackBand.Low => 3,
        _ => 4,
    };

    private static BandCounts Count(IEnumerable<RoadmapEntry> entries)
    {
        var active = entries.Where(e => e.LifecycleState != "retired").ToList();
        return new BandCounts(
            active.Count(e => e.Band == SlackBand.Late),
            active.Count(e => e.Band == SlackBand.High),
            active.Count(e => e.Band == SlackBand.Moderate),
            active.Count(e => e.Band == SlackBand.Low),
            active.Count(e => e.Band is null));
    }
}

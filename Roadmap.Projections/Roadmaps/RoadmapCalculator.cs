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

        var warnings = SplittingWarnings(facts, ags);
        var entries = facts.Procedures.Values
            .Where(p => p.Ags == ags)
            .Select(p => Entry(facts, municipality, p, today) is var e && ActiveCase(facts, p) is { } c
                ? e with { SplittingWarning = warnings.FirstOrDefault(w => w.Cases.Any(x => x.CaseId == c.CaseId)) }
                : e)
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
        return new MunicipalityRoadmap(municipality.Ags, municipality.Name, today, asOf ?? today, asOf, entries, decisions, Count(entries), warnings);
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
        var input = new ReplacementScheduleInput(
            lifecycle?.EndOfSecuritySupport,
            lifecycle?.EndOfLife,
            procedure.ExtendedSupportUntil,
            procedure.Category,
            LandOf(procedure.Ags),
            today,
            @case?.TotalNetValue is { } value ? new Money(value) : null,
            @case?.ChosenType,
            @case?.Determination?.PlannedPublicationOn);
        var schedule = ReplacementSchedule.Compute(input, Rules);

        // Before a determination the threshold is the one valid when the procurement would begin (its latest start, not
        // before today), not today's (domain rule 4): a start in a period not yet published makes the estimate provisional.
        // The type may change with the threshold and the start with the type, so follow it a few steps.
        for (var step = 0; step < 3 && schedule is { ProcedureTypeBasis: ProcedureTypeBasis.SuggestedFromValue }; step++)
        {
            var publication = Later(schedule.LatestProcurementStart, today);
            if (publication == input.PlannedPublicationOn)
            {
                break;
            }

            input = input with { PlannedPublicationOn = publication };
            schedule = ReplacementSchedule.Compute(input, Rules);
        }

        return schedule;
    }

    /// <summary>The procedure type a case's timeline is planned for and whether it rests on a threshold not yet published.</summary>
    internal ProcedureTypeInfo? CaseTypeInfo(CaseFacts @case, ReplacementTimeline? schedule, DateOnly today) =>
        schedule is not null ? TypeInfo(schedule, @case, today)
        : @case.Determination is { } d ? DeterminedTypeInfo(@case.ChosenType ?? d.ChosenType, ProcedureTypeBasis.Chosen, @case, d)
        : null;

    /// <summary>
    /// Cases of the municipality (not cancelled, with an estimate) of one category whose days lie within twelve months and
    /// whose shares together reach the EU threshold valid on the first of those days, while at least one of them stays
    /// below it (§ 3 (2) VgV). The longest such runs only: a run inside another one is not repeated.
    /// </summary>
    public IReadOnlyList<SplittingWarning> SplittingWarnings(RoadmapFacts facts, string ags)
    {
        var warnings = new List<SplittingWarning>();
        var candidates = facts.Cases.Values
            .Where(c => c.State != "cancelled" && c.Participants.Any(p => p.Ags == ags))
            .Select(c => (Case: c, Day: c.ReferenceDay, Value: c.NetValueOf(ags)))
            .Where(x => x.Day is not null && x.Value is not null)
            .Select(x => (x.Case, Day: x.Day!.Value, Value: x.Value!.Value))
            .GroupBy(x => x.Case.Category)
            .OrderBy(g => g.Key);
        foreach (var category in candidates)
        {
            var cases = category.OrderBy(x => x.Day).ThenBy(x => x.Case.CaseId).ToList();
            var covered = new List<HashSet<Guid>>();
            for (var i = 0; i < cases.Count; i++)
            {
                var from = cases[i].Day;
                var window = cases.Skip(i).TakeWhile(x => x.Day < from.AddCalendarMonths(12)).ToList();
                var kind = window.Select(x => x.Case.Determination?.AuthorityKind).FirstOrDefault(k => k is not null) ?? ContractingAuthorityKind.SubCentral;
                var threshold = Rules.ThresholdOn(from, kind);
                var sum = window.Sum(x => x.Value);
                var ids = window.Select(x => x.Case.CaseId).ToHashSet();
                if (window.Count < 2 || sum < threshold.Amount.Euros || window.All(x => x.Value >= threshold.Amount.Euros) ||
                    covered.Any(ids.IsSubsetOf))
                {
                    continue;
                }

                covered.Add(ids);
                var to = window[^1].Day;
                var titles = string.Join(", ", window.Select(x => $"„{x.Case.Title}“"));
                var message =
                    $"Mögliche unzulässige Aufteilung (§ 3 Abs. 2 VgV): {window.Count} Vergabefälle der Kategorie {category.Key.GermanName()} " +
                    $"zwischen {Dates.German(from)} und {Dates.German(to)} ({titles}) erreichen zusammen {new Money(sum).ToGermanString()} " +
                    $"und damit den EU-Schwellenwert von {threshold.Amount.ToGermanString()} ({threshold.GermanLabel}). " +
                    "Bitte prüfen, ob der Auftragswert gemeinsam zu schätzen ist.";
                warnings.Add(new SplittingWarning(ags, category.Key, category.Key.GermanName(), from, to, sum, threshold.Amount.Euros, threshold.GermanLabel,
                    threshold.Provisional,
                    [.. window.Select(x => new SplitCase(x.Case.CaseId, x.Case.Title, x.Day, x.Value, x.Case.ChosenType))], message));
            }
        }

        return warnings;
    }

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

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
        var typeInfo = schedule is null ? null : TypeInfo(schedule, @case, today);
        if (milestones is not null && typeInfo is { Provisional: true, Basis: not ProcedureTypeBasis.AssumedWithoutEstimate })
        {
            // The latest start, the slack and the band rest on the procedure type, which rests on that threshold.
            milestones = milestones with { Provisional = true };
        }

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
            typeInfo,
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
                return DeterminedTypeInfo(type, schedule.ProcedureTypeBasis, @case, d);
            case ProcedureTypeBasis.Chosen:
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis, $"Im Vergabefall festgelegt: {type.GermanName()}.",
                    false, @case?.TotalNetValue, null, null);
            case ProcedureTypeBasis.SuggestedFromValue when schedule.Suggestion is { } s:
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis, s.Reason, s.Threshold.Provisional,
                    s.TotalNetValue.Euros, s.Threshold.Amount.Euros, s.Threshold.GermanLabel);
            default:
                var threshold = Rules.ThresholdOn(Later(schedule.LatestProcurementStart, today));
                return new ProcedureTypeInfo(type, type.GermanName(), schedule.ProcedureTypeBasis,
                    $"Noch kein Auftragswert geschätzt: geplant wird mit dem längsten üblichen Verfahren, {type.GermanName()}.",
                    threshold.Provisional, null, threshold.Amount.Euros, threshold.GermanLabel);
        }
    }

    /// <summary>
    /// A determined procedure type and the threshold it rested on. The threshold is the one in force when the procedure
    /// begins (§ 3 (3) VgV: its actual start, else the planned publication); it is provisional while the rules have no
    /// published period for that day, and once they have, the published amount replaces the stand-in of the determination.
    /// </summary>
    private ProcedureTypeInfo DeterminedTypeInfo(ProcurementProcedureType type, ProcedureTypeBasis basis, CaseFacts @case, DeterminationFacts d)
    {
        var begins = @case.ActualStartOn ?? d.PlannedPublicationOn;
        var current = Rules.ThresholdOn(begins, d.AuthorityKind);
        var reason = d.ChosenType == d.SuggestedType
            ? $"Im Vergabefall festgelegt: {type.GermanName()}. {d.SuggestionReason}"
            : $"Im Vergabefall festgelegt: {type.GermanName()} (vorgeschlagen war {d.SuggestedType.GermanName()}: {d.SuggestionReason})";
        var amount = d.ThresholdAmount;
        var period = $"{d.ThresholdValidFrom.Year}–{d.ThresholdValidTo.Year}";
        if (d.ThresholdProvisional && !current.Provisional)
        {
            amount = current.Amount.Euros;
            period = current.GermanLabel;
            reason += $" Der Schwellenwert für {current.GermanLabel} ist inzwischen veröffentlicht: {current.Amount.ToGermanString()}.";
        }
        else if (current.Provisional)
        {
            period += ", vorläufig";
        }

        if (d.AuthorityKind != ContractingAuthorityKind.SubCentral)
        {
            reason += $" Auftraggeberart: {AuthorityKindName(d.AuthorityKind)}" +
                      (d.AuthorityKindJustification is { } why ? $" – Begründung: {why}" : " – ohne erfasste Begründung") + ".";
        }

        return new ProcedureTypeInfo(type, type.GermanName(), basis, reason, current.Provisional, d.TotalNetValue, amount, period,
            d.AuthorityKind, d.AuthorityKindJustification);
    }

    /// <summary>The German name of a kind of contracting authority (for works: of the contract).</summary>
    public static string AuthorityKindName(ContractingAuthorityKind kind) => kind switch
    {
        ContractingAuthorityKind.SubCentral => "subzentraler öffentlicher Auftraggeber",
        ContractingAuthorityKind.TopLevelFederal => "oberste Bundesbehörde",
        ContractingAuthorityKind.Sector => "Sektorenauftraggeber",
        ContractingAuthorityKind.Works => "Bauauftrag",
        _ => kind.ToString(),
    };

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

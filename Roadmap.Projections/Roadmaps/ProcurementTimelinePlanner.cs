using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Projections.Roadmaps;

/// <summary>
/// Plans the phases of one procurement case as one chain of days: preparation, the legal phases, the contract, the
/// migration and the cut-over, each phase starting the day after the one before ends (so no offer phase ever comes
/// before the preparation). What has happened is taken as it happened: the start, the publication, the deadlines, the
/// award intention, the award and a completed cut-over fix the chain, and the phases between two such days share the
/// days between them. The rest is planned from the last of them (never before today): with the planning estimates
/// when they fit, and squeezed (estimates first, legal minimum periods last) when the cut-over would otherwise come
/// after the roadmap's required go-live. The cut-over never lies after the required go-live of any participating
/// procedure nor in a freeze window (it moves earlier, as the go-live does); when the remaining phases no longer fit
/// before it, they are left unplanned and a note says so. A phase that has not ended and cannot fit its legal
/// minimum any more (from today, or from its actual start) before its planned end is flagged.
/// </summary>
internal sealed class ProcurementTimelinePlanner(RoadmapCalculator calculator, RoadmapFacts facts, CaseFacts c, DateOnly today)
{
    // Planning estimates for the phases the law sets no length for; national procedures are planned tighter.
    private const int EuPhaseDays = 30;
    private const int NationalPhaseDays = 20;
    private const int MinimumPreparationDays = 14;
    private const int MaxFreezeMoves = 24;

    private sealed record Step(string Key, int Desired, int? Minimum, bool Legal, DateOnly? ActualStart, DateOnly? ActualEnd);

    public ProcurementTimeline Plan()
    {
        var rules = calculator.Rules;
        var schedules = c.Participants
            .Select(p => facts.Procedures.GetValueOrDefault(p.ProcedureId))
            .OfType<ProcedureFacts>()
            .Select(p => (Procedure: p, Schedule: calculator.Schedule(facts, p, today)))
            .ToList();
        var earliest = schedules.Select(s => s.Schedule).OfType<ReplacementTimeline>().OrderBy(s => s.LatestProcurementStart).FirstOrDefault();
        var figures = rules.PlanningOn(today);
        var type = c.ChosenType ?? earliest?.ProcedureType ?? figures.ProcedureWhenValueUnknown;
        var requiredGoLive = schedules.Select(s => s.Schedule?.RequiredGoLive).Where(d => d is not null).Min();
        var typeInfo = calculator.CaseTypeInfo(c, earliest, today);
        var notes = new List<TimelineNote>();

        // Not started: at the latest start the participants allow, but never in the past.
        var plannedStart = c.StartedOn ?? Later(earliest?.LatestProcurementStart ?? today, today);
        var steps = Steps(type, plannedStart, figures);
        var migration = steps.Count - 1;
        var contract = steps.FindIndex(s => s.Key == "contract");
        var completedCutOvers = schedules.Select(s => s.Procedure.CutOverCompletedOn).ToList();
        DateOnly? cutOverDone = completedCutOvers.Count > 0 && completedCutOvers.All(d => d is not null) ? completedCutOvers.Max() : null;

        // boundary[i] is the first day of step i; boundary[migration + 1] is the day of the cut-over.
        var boundary = new DateOnly?[steps.Count + 1];
        var fixedAt = new bool[steps.Count + 1];
        DateOnly? lastFixed = null;
        void Fix(int index, DateOnly? day)
        {
            // Actual days out of order (a review filed during the standstill) are shown but do not move the chain back.
            if (day is { } d && (lastFixed is null || d >= lastFixed))
            {
                boundary[index] = d;
                fixedAt[index] = true;
                lastFixed = d;
            }
        }

        Fix(0, c.StartedOn ?? plannedStart);
        for (var i = 0; i < steps.Count; i++)
        {
            Fix(i, steps[i].ActualStart);
            Fix(i + 1, steps[i].ActualEnd?.AddDays(1));
        }

        Fix(steps.Count, cutOverDone);

        var lengths = new int?[steps.Count];
        var last = Array.FindLastIndex(fixedAt, f => f);

        // Between two actual days: the phases share the days in between, as planned relative to each other.
        for (var from = 0; from < last;)
        {
            var to = Array.FindIndex(fixedAt, from + 1, f => f);
            var run = steps.Skip(from).Take(to - from).Select(s => (s.Desired, Floor: 0, s.Legal)).ToList();
            var fitted = Fit(run, boundary[to]!.Value.DayNumber - boundary[from]!.Value.DayNumber)!;
            for (var i = from; i < to; i++)
            {
                lengths[i] = fitted[i - from];
            }

            from = to;
        }

        DateOnly? cutOver = cutOverDone;
        if (last < steps.Count && c.State == "cancelled")
        {
            notes.Add(new TimelineNote("cancelled", $"Das Vergabeverfahren wurde am {Dates.German(c.CancelledOn ?? today)} aufgehoben; der Rest ist nicht geplant."));
        }
        else if (last < steps.Count)
        {
            cutOver = PlanRest(steps, boundary, lengths, last, contract, migration, figures, schedules.Select(s => s.Procedure).ToList(), requiredGoLive, notes);
        }

        var phases = new List<TimelinePhase>();
        var day = boundary[0]!.Value;
        for (var i = 0; i < steps.Count; i++)
        {
            DateOnly? start = null, end = null;
            if (lengths[i] is { } length)
            {
                if (length > 0)
                {
                    start = day;
                    end = day.AddDays(length - 1);
                }

                day = day.AddDays(length);
            }

            phases.Add(Phase(steps[i], start, end));
        }

        phases.Add(Phase(new Step("cut-over", 1, null, false, cutOverDone, cutOverDone), cutOver, cutOver));
        return new ProcurementTimeline(c.CaseId, c.Title, [.. c.Participants.Select(p => p.Ags).Distinct()], type, c.State, today, phases,
            requiredGoLive, typeInfo is { Provisional: true, Basis: not ProcedureTypeBasis.AssumedWithoutEstimate }, typeInfo?.ThresholdPeriod, notes);
    }

    /// <summary>The phases of the procedure type with their planned lengths and what has actually happened.</summary>
    private List<Step> Steps(ProcurementProcedureType type, DateOnly plannedStart, PlanningFigures figures)
    {
        var legal = calculator.Rules.LegalPeriodsOn(c.ActualStartOn ?? c.Determination?.PlannedPublicationOn ?? plannedStart);
        var minimum = legal.MinimumPeriodsFor(type);
        var electronic = c.ElectronicSubmission ?? true;
        int? participationMinimum = type.HasParticipationStage() ? c.MinimumParticipationDays ?? minimum?.Participation?.For(electronic, c.Urgent) : null;
        int? offerMinimum = type.IsEu() ? c.MinimumOfferDays ?? minimum?.Offers?.For(electronic, c.Urgent) : null;
        var phaseDays = type.IsEu() ? EuPhaseDays : NationalPhaseDays;
        var negotiates = type is ProcurementProcedureType.EuVerhandlungsverfahren or ProcurementProcedureType.EuWettbewerblicherDialog
            or ProcurementProcedureType.Verhandlungsvergabe;

        var rest = new List<(string Key, int Days, int? Minimum)>();
        if (type.HasParticipationStage())
        {
            rest.Add(("participation", participationMinimum ?? phaseDays, participationMinimum));
        }

        rest.Add(("offers", offerMinimum ?? phaseDays, offerMinimum));
        if (negotiates)
        {
            rest.Add(("negotiation", phaseDays, null));
        }

        rest.Add(("evaluation", phaseDays, null));
        if (type.IsEu())
        {
            var standstill = legal.StandstillDays(electronic);
            rest.Add(("award-notice", 1, null));
            rest.Add(("standstill", standstill, standstill));
            rest.Add(("review-reserve", legal.ReviewDecisionWeeks * 7, null));
        }

        // The procurement takes the planning duration of its type: the preparation gets what the other phases leave,
        // at least two weeks; a short procedure (a Direktauftrag) shortens its other phases rather than overlap them.
        var total = plannedStart.AddCalendarMonths(figures.ProcurementMonthsFor(type)).DayNumber - plannedStart.DayNumber;
        List<(int Desired, int Floor, bool Legal)> shape =
            [(Math.Max(MinimumPreparationDays, total - rest.Sum(r => r.Days)), 1, false), .. rest.Select(r => (r.Days, r.Minimum ?? 1, r.Minimum is not null))];
        var lengths = Fit(shape, total) ?? [.. shape.Select(s => s.Floor)];

        var steps = new List<Step> { Make("preparation", lengths[0], null) };
        steps.AddRange(rest.Select((r, i) => Make(r.Key, lengths[i + 1], r.Minimum)));
        steps.Add(Make("contract", 1, null));
        // The migration's length depends on the day of the contract; it is set when the chain is laid out.
        steps.Add(Make("migration", 0, null));
        return steps;

        Step Make(string key, int days, int? min)
        {
            var (start, end) = Actual(key, type);
            return new Step(key, days, min, min is not null, start, end);
        }
    }

    /// <summary>
    /// Lays out the steps after the last actual day up to the cut-over, and returns the cut-over day (null when the
    /// rest no longer fits before the required go-live).
    /// </summary>
    private DateOnly? PlanRest(
        List<Step> steps, DateOnly?[] boundary, int?[] lengths, int first, int contract, int migration, PlanningFigures figures,
        IReadOnlyList<ProcedureFacts> procedures, DateOnly? requiredGoLive, List<TimelineNote> notes)
    {
        var from = boundary[first]!.Value;
        // A phase that began on or before today cannot end before today: it has not ended, or we would know.
        var floors = steps.Skip(first).Select((s, i) => i == 0 && from <= today ? today.DayNumber - from.DayNumber + 1 : 1).ToList();
        var desired = steps.Skip(first).Select((s, i) => Math.Max(s.Desired, floors[i])).ToList();

        // With the estimates: where the contract falls, and the migration after it.
        var day = from;
        var contractDay = contract < first ? ContractDayBefore(boundary, lengths, contract) : (DateOnly?)null;
        for (var i = first; i < migration; i++)
        {
            if (i == contract)
            {
                contractDay = day;
            }

            day = day.AddDays(desired[i - first]);
        }

        var contractOn = contractDay ?? day;
        var goLiveAfterMigration = contractOn.AddCalendarMonths(figures.MigrationMonthsFor(c.Category));
        desired[migration - first] = Math.Max(floors[migration - first], goLiveAfterMigration.DayNumber - day.DayNumber);
        var planned = day.AddDays(desired[migration - first]);

        var scheduled = procedures.Select(p => p.Schedule?.CutOverOn).Where(d => d is not null).Min();
        var target = scheduled ?? planned;
        if (requiredGoLive is { } goLive && target > goLive)
        {
            notes.Add(scheduled is not null
                ? new TimelineNote("scheduled-cut-over-after-go-live",
                    $"Die terminierte Umstellung am {Dates.German(target)} liegt nach dem spätesten Produktivstart {Dates.German(goLive)}; geplant wird bis dahin.")
                : new TimelineNote("compressed-to-meet-go-live",
                    $"Mit den üblichen Dauern käme die Umstellung erst am {Dates.German(target)}, nach dem spätesten Produktivstart {Dates.German(goLive)}: die Phasen sind gekürzt."));
            target = goLive;
        }

        var moved = target;
        for (var moves = 0; FreezeOn(moved, procedures) is { } freeze; moves++)
        {
            if (moves == MaxFreezeMoves)
            {
                throw new InvalidOperationException($"The freeze windows around {moved} chain more than {MaxFreezeMoves} times.");
            }

            notes.Add(new TimelineNote("cut-over-moved-out-of-freeze",
                $"Die Umstellung wird vor die Sperrzeit „{freeze.Name}“ ({Dates.German(freeze.From)}–{Dates.German(freeze.To)}) gelegt."));
            moved = freeze.From.AddDays(-1);
        }

        var fitted = Fit([.. desired.Select((d, i) => (d, floors[i], steps[first + i].Legal))], moved.DayNumber - from.DayNumber);
        if (fitted is null)
        {
            notes.Add(new TimelineNote("go-live-unreachable",
                $"Bis zum spätesten Produktivstart {Dates.German(moved)} bleibt nicht genug Zeit für die restlichen Phasen; sie sind nicht geplant."));
            return null;
        }

        for (var i = first; i < steps.Count; i++)
        {
            lengths[i] = fitted[i - first];
        }

        return moved;
    }

    private static DateOnly ContractDayBefore(DateOnly?[] boundary, int?[] lengths, int contract)
    {
        var day = boundary[0]!.Value;
        for (var i = 0; i < contract; i++)
        {
            day = day.AddDays(lengths[i] ?? 0);
        }

        return day;
    }

    /// <summary>A freeze window that keeps any participating procedure (its category, its Land) from going live that day.</summary>
    private FreezeOccurrence? FreezeOn(DateOnly day, IReadOnlyList<ProcedureFacts> procedures)
    {
        var rules = calculator.Rules;
        var lands = c.Participants.Select(p => RoadmapCalculator.LandOf(p.Ags)).Distinct();
        var categories = procedures.Select(p => p.Category).Append(c.Category).Distinct();
        return lands.SelectMany(land => categories.Select(category => rules.FreezeOn(day, category, land))).FirstOrDefault(f => f is not null);
    }

    /// <summary>
    /// Lengths for consecutive steps that fill exactly <paramref name="days"/>: the desired ones when they fit (the last
    /// step takes what is left over), else shortened down to their floors, phases without a legal minimum first. Null
    /// when even the floors do not fit.
    /// </summary>
    internal static int[]? Fit(IReadOnlyList<(int Desired, int Floor, bool Legal)> steps, int days)
    {
        if (steps.Count == 0 || steps.Sum(s => s.Floor) > days)
        {
            return steps.Count == 0 && days == 0 ? [] : null;
        }

        var lengths = steps.Select(s => Math.Max(s.Desired, s.Floor)).ToArray();
        var excess = lengths.Sum() - days;
        foreach (var legal in new[] { false, true })
        {
            var shrinkable = Enumerable.Range(0, steps.Count).Where(i => steps[i].Legal == legal && lengths[i] > steps[i].Floor).ToList();
            var room = shrinkable.Sum(i => lengths[i] - steps[i].Floor);
            if (excess <= 0 || room == 0)
            {
                continue;
            }

            var take = Math.Min(excess, room);
            var taken = 0;
            foreach (var i in shrinkable)
            {
                var share = (int)((long)take * (lengths[i] - steps[i].Floor) / room);
                lengths[i] -= share;
                taken += share;
            }

            // What rounding left: one day at a time from the longest.
            while (taken < take)
            {
                var longest = shrinkable.Where(i => lengths[i] > steps[i].Floor).MaxBy(i => lengths[i]);
                lengths[longest]--;
                taken++;
            }

            excess -= take;
        }

        lengths[^1] += days - lengths.Sum();
        return lengths;
    }

    private TimelinePhase Phase(Step step, DateOnly? start, DateOnly? end)
    {
        var flagged = step.Minimum is { } days && step.ActualEnd is null && end is { } e &&
                      Later(today, step.ActualStart ?? start ?? today).AddDays(days - 1) > e;
        return new TimelinePhase(step.Key, GermanName(step.Key), start, end, step.Minimum, step.ActualStart, step.ActualEnd, flagged);
    }

    private (DateOnly? Start, DateOnly? End) Actual(string key, ProcurementProcedureType type) => key switch
    {
        "preparation" => (c.StartedOn, c.PublishedOn?.AddDays(-1)),
        "participation" => (c.PublishedOn, c.ParticipationDeadline),
        "offers" => (type.HasParticipationStage() ? c.ParticipationDeadline?.AddDays(1) : c.PublishedOn, c.OfferDeadline),
        "negotiation" => (c.OfferDeadline?.AddDays(1), null),
        "evaluation" => (type is ProcurementProcedureType.EuVerhandlungsverfahren or ProcurementProcedureType.EuWettbewerblicherDialog
            or ProcurementProcedureType.Verhandlungsvergabe ? null : c.OfferDeadline?.AddDays(1),
            c.AwardIntentionOn?.AddDays(-1) ?? c.AwardedOn?.AddDays(-1)),
        "award-notice" => (c.AwardIntentionOn, c.AwardIntentionOn),
        "standstill" => (c.AwardIntentionOn?.AddDays(1), c.StandstillEndsOn),
        "review-reserve" => (c.ReviewFiledOn, c.ReviewConcludedOn),
        "contract" => (c.AwardedOn, c.AwardedOn),
        "migration" => (c.AwardedOn?.AddDays(1), null),
        _ => (null, null),
    };

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    internal static string GermanName(string key) => key switch
    {
        "preparation" => "Vorbereitung",
        "participation" => "Teilnahmefrist",
        "offers" => "Angebotsfrist",
        "negotiation" => "Verhandlung",
        "evaluation" => "Wertung",
        "award-notice" => "Vorabinformation",
        "standstill" => "Wartefrist",
        "review-reserve" => "Reserve Nachprüfung",
        "contract" => "Zuschlag und Vertrag",
        "migration" => "Migration",
        "cut-over" => "Umstellung",
        _ => key,
    };
}

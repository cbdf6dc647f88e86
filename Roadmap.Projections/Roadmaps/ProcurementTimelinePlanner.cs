using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Projections.Roadmaps;

/// <summary>
/// Plans the phases of one procurement case. The procurement runs from its start (the actual one, else the latest
/// start its participants allow, else today) for the planning duration of its procedure type; the legal phases take
/// their minimum periods counted back from the contract, and the preparation gets what is left. Migration and
/// cut-over follow the contract. A phase that has not ended and cannot fit its legal minimum any more (from today,
/// or from its actual start) before its planned end is flagged.
/// </summary>
internal sealed class ProcurementTimelinePlanner(RoadmapCalculator calculator, RoadmapFacts facts, CaseFacts c, DateOnly today)
{
    // Planning estimates for the phases the law sets no length for; national procedures are planned tighter.
    private const int EuPhaseDays = 30;
    private const int NationalPhaseDays = 20;
    private const int MinimumPreparationDays = 14;

    public ProcurementTimeline Plan()
    {
        var rules = calculator.Rules;
        var schedules = c.Participants
            .Select(p => facts.Procedures.GetValueOrDefault(p.ProcedureId))
            .OfType<ProcedureFacts>()
            .Select(p => (Procedure: p, Schedule: calculator.Schedule(facts, p, today)))
            .ToList();
        var earliest = schedules.Select(s => s.Schedule).OfType<ReplacementTimeline>().OrderBy(s => s.LatestProcurementStart).FirstOrDefault();
        var type = c.ChosenType ?? earliest?.ProcedureType ?? rules.PlanningOn(today).ProcedureWhenValueUnknown;
        var figures = rules.PlanningOn(today);

        var start = c.StartedOn ?? earliest?.LatestProcurementStart ?? today;
        var contract = start.AddCalendarMonths(figures.ProcurementMonthsFor(type));
        var legal = rules.LegalPeriodsOn(c.PublishedOn ?? c.Determination?.PlannedPublicationOn ?? start);
        var minimum = legal.MinimumPeriodsFor(type);
        var electronic = c.ElectronicSubmission ?? true;
        int? participationMinimum = type.HasParticipationStage() ? c.MinimumParticipationDays ?? minimum?.Participation?.For(electronic, c.Urgent) : null;
        int? offerMinimum = type.IsEu() ? c.MinimumOfferDays ?? minimum?.Offers?.For(electronic, c.Urgent) : null;
        int? standstill = type.IsEu() ? legal.StandstillDays(electronic) : null;
        var reviewReserve = type.IsEu() ? legal.ReviewDecisionWeeks * 7 : 0;
        var negotiates = type is ProcurementProcedureType.EuVerhandlungsverfahren or ProcurementProcedureType.EuWettbewerblicherDialog
            or ProcurementProcedureType.Verhandlungsvergabe;

        var phaseDays = type.IsEu() ? EuPhaseDays : NationalPhaseDays;

        // Counted back from the contract: each phase ends the day before the next one starts.
        var phases = new List<(string Key, int Days, int? Minimum)>();
        if (type.HasParticipationStage())
        {
            phases.Add(("participation", participationMinimum ?? phaseDays, participationMinimum));
        }

        phases.Add(("offers", offerMinimum ?? phaseDays, offerMinimum));
        if (negotiates)
        {
            phases.Add(("negotiation", phaseDays, null));
        }

        phases.Add(("evaluation", phaseDays, null));
        if (type.IsEu())
        {
            phases.Add(("award-notice", 1, null));
            phases.Add(("standstill", standstill!.Value, standstill));
            phases.Add(("review-reserve", reviewReserve, null));
        }

        var planned = new List<(string Key, DateOnly Start, DateOnly End, int? Minimum)>();
        var next = contract;
        foreach (var (key, days, min) in Enumerable.Reverse(phases))
        {
            var phaseStart = next.AddDays(-days);
            planned.Insert(0, (key, phaseStart, next.AddDays(-1), min));
            next = phaseStart;
        }

        // A procurement planned too short for its legal periods still gets a preparation; the later phases then overlap it.
        var preparationEnd = next.AddDays(-1) < start.AddDays(MinimumPreparationDays - 1) ? start.AddDays(MinimumPreparationDays - 1) : next.AddDays(-1);
        planned.Insert(0, ("preparation", start, preparationEnd, null));
        planned.Add(("contract", contract, contract, null));

        var migrationMonths = figures.MigrationMonthsFor(c.Category);
        var migrationEnd = contract.AddCalendarMonths(migrationMonths);
        planned.Add(("migration", contract.AddDays(1), migrationEnd, null));
        var scheduledCutOver = schedules.Select(s => s.Procedure.Schedule?.CutOverOn).Where(d => d is not null).Min();
        var cutOver = scheduledCutOver ?? migrationEnd.AddDays(1);
        planned.Add(("cut-over", cutOver, cutOver, null));

        var completedCutOvers = schedules.Select(s => s.Procedure.CutOverCompletedOn).ToList();
        DateOnly? cutOverDone = completedCutOvers.Count > 0 && completedCutOvers.All(d => d is not null) ? completedCutOvers.Max() : null;

        var result = planned.Select(p =>
        {
            var (actualStart, actualEnd) = Actual(p.Key, type, cutOverDone);
            var flagged = p.Minimum is { } days && actualEnd is null &&
                          Later(today, actualStart ?? p.Start).AddDays(days - 1) > p.End;
            return new TimelinePhase(p.Key, GermanName(p.Key), p.Start, p.End, p.Minimum, actualStart, actualEnd, flagged);
        }).ToList();

        // The type the phases were planned for: the chosen one, else what the value or the planning assumption suggests.
        return new ProcurementTimeline(c.CaseId, c.Title, [.. c.Participants.Select(p => p.Ags).Distinct()], type, c.State, today, result);
    }

    private (DateOnly? Start, DateOnly? End) Actual(string key, ProcurementProcedureType type, DateOnly? cutOverDone) => key switch
    {
        "preparation" => (c.StartedOn, c.PublishedOn?.AddDays(-1)),
        "participation" => (c.PublishedOn, c.ParticipationDeadline),
        "offers" => (type.HasParticipationStage() ? c.ParticipationDeadline?.AddDays(1) : c.PublishedOn, c.OfferDeadline),
        "negotiation" => (c.OfferDeadline?.AddDays(1), null),
        "evaluation" => (c.OfferDeadline?.AddDays(1), c.AwardIntentionOn?.AddDays(-1) ?? c.AwardedOn?.AddDays(-1)),
        "award-notice" => (c.AwardIntentionOn, c.AwardIntentionOn),
        "standstill" => (c.AwardIntentionOn?.AddDays(1), c.StandstillEndsOn),
        "review-reserve" => (c.ReviewFiledOn, c.ReviewConcludedOn),
        "contract" => (c.AwardedOn, c.AwardedOn),
        "migration" => (c.AwardedOn?.AddDays(1), cutOverDone),
        "cut-over" => (cutOverDone, cutOverDone),
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

using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Tests.Pages;

/// <summary>Constructed view models for the renderer tests: one procedure per band, one without an end-of-support date.</summary>
public static class SampleRoadmaps
{
    public static readonly DateOnly Today = new(2026, 5, 12);

    public static RoadmapEntry Entry(
        string name, SlackBand? band, DateOnly? endOfSupport, Badges? badges = null, ProcedureCategory category = ProcedureCategory.Einwohnermeldewesen,
        Guid? id = null)
    {
        Milestones? milestones = endOfSupport is { } eos
            ? new Milestones(eos, EndOfSupportBasis.EndOfSecuritySupport, eos.AddMonths(-3), [], 9, eos.AddMonths(-12), 9, eos.AddMonths(-21))
            : null;
        var slack = milestones is null ? (int?)null : milestones.LatestProcurementStart.DayNumber - Today.DayNumber;
        var procedureType = milestones is null
            ? null
            : new ProcedureTypeInfo(ProcurementProcedureType.EuVerhandlungsverfahren, "EU-Verhandlungsverfahren", ProcedureTypeBasis.AssumedWithoutEstimate,
                "Kein Auftragswert geschätzt: Planungsannahme.", Provisional: false, null, 216_000m, "2026–2027");
        return new RoadmapEntry(
            id ?? Guid.NewGuid(), name, category, category.ToString(), new ReleaseRef(Guid.NewGuid(), "7.2", "Lech-EWO", "Ammerdata AG"), "introduced",
            endOfSupport, endOfSupport, endOfSupport is null, milestones, procedureType, new PlannedDates(null, null, null, null, null),
            new ActualDates(new DateOnly(2019, 4, 1), null, null, null, null), badges ?? new Badges(null, null, null), slack, band, null);
    }

    public static MunicipalityRoadmap Kaufering(params RoadmapEntry[] extra)
    {
        RoadmapEntry[] entries =
        [
            Entry("Einwohnermeldewesen Lech-EWO", SlackBand.Late, new DateOnly(2027, 12, 31)),
            Entry("Finanzwesen Doppik", SlackBand.High, new DateOnly(2028, 3, 31), new Badges(new RiskBadge("bgm.huber", new DateOnly(2026, 12, 31), "Haushaltssperre"), null, null),
                ProcedureCategory.Finanzwesen),
            Entry("Gewerbe", SlackBand.Moderate, new DateOnly(2028, 6, 30), new Badges(null, new DateOnly(2028, 6, 30), null), ProcedureCategory.Gewerbe),
            Entry("Wahlen", SlackBand.Low, new DateOnly(2030, 6, 30),
                new Badges(null, null, new JointBadge(Guid.NewGuid(), "Wahlsoftware 2029", ["09181118", "09181119"])), ProcedureCategory.Wahlen),
            Entry("E-Akte", null, null, category: ProcedureCategory.DokumentenmanagementEAkte),
            .. extra,
        ];
        DueDecision[] decisions =
        [
            new(entries[0].ProcedureId, entries[0].Name, "Vergabeverfahren (EU-Verhandlungsverfahren) starten", new DateOnly(2026, 3, 31), SlackBand.Late),
            new(entries[1].ProcedureId, entries[1].Name, "Auftragswert schätzen und Vergabeart festlegen", new DateOnly(2026, 6, 30), SlackBand.High),
        ];
        return new MunicipalityRoadmap("09181118", "Kaufering", Today, Today, null, entries, decisions, new BandCounts(1, 1, 1, 1, 1), []);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /municipalities/{ags}/roadmap.csv.</summary>
public static class RoadmapCsv
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/roadmap.csv", HandleAsync)
        .Produces<string>(StatusCodes.Status200OK, "text/csv")
        .WithSummary("The roadmap as CSV for Excel (';', UTF-8 with BOM): a header and one line per procedure.")
        .WithDescription("`today` and `asOf` as for GET /municipalities/{ags}/roadmap. 400 for a malformed date, 404 `municipality-unknown`.");

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string ags, string? today, string? asOf, IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, asOf, clock, out var days, out var problem))
        {
            return problem!;
        }

        if (!Ags.TryParse(ags, out var parsed, out _) || await queries.GetRoadmapAsync(parsed, days.Today, days.AsOf, cancellationToken) is not { } roadmap)
        {
            return ProcedureLookups.MunicipalityUnknown(ags);
        }

        var csv = new Csv().Row(
            "AGS", "Gemeinde", "Stand", "Verfahren", "Kategorie", "Hersteller", "Produkt", "Release", "Status", "Ende Sicherheitsupdates", "Ende Lebenszyklus",
            "Wirksames Supportende", "Spätester Produktivstart", "Spätester Zuschlag", "Spätester Vergabestart", "Vergabeart", "Vergabeart vorläufig",
            "Begründung", "Schlupf (Tage)", "Risikostufe", "Geplanter Produktivstart", "Geplante Umstellung", "Vergabe gestartet", "Zuschlag",
            "Umstellung erfolgt", "Risiko akzeptiert bis", "Erweiterter Support bis", "Gemeinsame Beschaffung", "Termine vorläufig", "Auftraggeberart",
            "Begründung Auftraggeberart", "Warnung Aufteilung (§ 3 Abs. 2 VgV)");
        foreach (var e in roadmap.Entries)
        {
            csv.Row(
                roadmap.Ags, roadmap.Name, roadmap.Stand, e.Name, e.CategoryName, e.Release.Vendor, e.Release.Product, e.Release.Version,
                GermanText.LifecycleName(e.LifecycleState),
                e.EndOfSupportToBeAnnounced && e.EndOfSecuritySupport is null ? NotAnnounced : e.EndOfSecuritySupport,
                e.EndOfSupportToBeAnnounced && e.EndOfLife is null ? NotAnnounced : e.EndOfLife,
                e.Milestones?.EffectiveEndOfSupport, e.Milestones?.RequiredGoLive, e.Milestones?.LatestAward, e.Milestones?.LatestProcurementStart,
                e.ProcedureType?.GermanName, e.ProcedureType?.Provisional, e.ProcedureType?.Reason, e.SlackDays, GermanText.BandName(e.Band),
                e.Planned.TargetGoLive, e.Planned.CutOverOn, e.Actual.ProcurementStartedOn, e.Actual.AwardedOn, e.Actual.CutOverCompletedOn,
                e.Badges.AcceptedRisk?.Until, e.Badges.ExtendedSupportUntil, e.Badges.JointProcurement?.Title, e.Milestones?.Provisional,
                e.ProcedureType is { } t ? RoadmapCalculator.AuthorityKindName(t.AuthorityKind) : null, e.ProcedureType?.AuthorityKindJustification,
                e.SplittingWarning?.Message);
        }

        return TypedResults.File(csv.ToBytes(), "text/csv; charset=utf-8", $"roadmap-{roadmap.Ags}-{roadmap.Stand:yyyy-MM-dd}.csv");
    }

    /// <summary>What the page says for an end of support the vendor has not announced ("tba").</summary>
    internal const string NotAnnounced = "noch nicht angekündigt";
}

using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /counties/{countyAgs}/risk-board.csv.</summary>
public static class RiskBoardCsv
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/risk-board.csv", HandleAsync)
        .Produces<string>(StatusCodes.Status200OK, "text/csv")
        .WithSummary("The risk board as CSV for Excel (';', UTF-8 with BOM): a header and one line per release and municipality's procedure.")
        .WithDescription("`today` and `asOf` as for the roadmap. 400 for a malformed date or a county AGS that does not end in 000.");

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string countyAgs, string? today, string? asOf, IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, asOf, clock, out var days, out var problem))
        {
            return problem!;
        }

        if (GetRiskBoard.ParseCounty(countyAgs) is { } invalid)
        {
            return invalid;
        }

        var board = await queries.GetRiskBoardAsync(Ags.Parse(countyAgs), days.Today, days.AsOf, cancellationToken);
        var csv = new Csv().Row(
            "Landkreis", "Stand", "Hersteller", "Produkt", "Release", "Supportende", "AGS", "Gemeinde", "Verfahren", "Schlupf (Tage)", "Risikostufe",
            "Risiko akzeptiert", "Erweiterter Support");
        foreach (var row in board.Rows)
        {
            foreach (var cell in row.Cells)
            {
                csv.Row(board.CountyAgs, board.Stand, row.Release.Vendor, row.Release.Product, row.Release.Version, row.EffectiveEndOfSupport,
                    cell.Ags, cell.Municipality, cell.Procedure, cell.SlackDays, GermanText.BandName(cell.Band), cell.RiskAccepted, cell.ExtendedSupport);
            }
        }

        return TypedResults.File(csv.ToBytes(), "text/csv; charset=utf-8", $"risikoboard-{board.CountyAgs}-{board.Stand:yyyy-MM-dd}.csv");
    }
}

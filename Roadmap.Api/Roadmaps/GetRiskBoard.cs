using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /counties/{countyAgs}/risk-board.</summary>
public static class GetRiskBoard
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/risk-board", HandleAsync)
        .WithSummary("The county's risk board: releases × municipalities with slack and band (late, high under 90 days, moderate 90–180, low) and counts; the worst release first.")
        .WithDescription("`today` and `asOf` as for the roadmap. 400 for a malformed date or a county AGS that does not end in 000.");

    private static async Task<Results<Ok<RiskBoard>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string countyAgs, string? today, string? asOf, IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, asOf, clock, out var days, out var problem))
        {
            return problem!;
        }

        if (ParseCounty(countyAgs) is { } invalid)
        {
            return invalid;
        }

        return TypedResults.Ok(await queries.GetRiskBoardAsync(Ags.Parse(countyAgs), days.Today, days.AsOf, cancellationToken));
    }

    /// <summary>A 400 unless the value is a county's AGS (8 digits ending in 000).</summary>
    internal static ProblemHttpResult? ParseCounty(string countyAgs)
    {
        if (!Ags.TryParse(countyAgs, out var county, out var reason))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid county AGS", reason);
        }

        return county.IsCounty
            ? null
            : Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid county AGS", $"A county's AGS ends in 000; {countyAgs} names a municipality.");
    }
}

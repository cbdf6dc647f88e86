using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /municipalities/{ags}/procurement-timelines.</summary>
public static class GetMunicipalityTimelines
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/procurement-timelines", HandleAsync)
        .WithSummary("The timelines of every procurement case the municipality takes part in.")
        .WithDescription("`today` (yyyy-MM-dd, default: the current day in Europe/Berlin). 400 for a malformed date; an unknown municipality has no cases.");

    private static async Task<Results<Ok<IReadOnlyList<ProcurementTimeline>>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string ags, string? today, IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, null, clock, out var days, out var problem))
        {
            return problem!;
        }

        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return ProcedureLookups.MunicipalityUnknown(ags);
        }

        return TypedResults.Ok(await queries.GetMunicipalityTimelinesAsync(parsed, days.Today, cancellationToken));
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /municipalities/{ags}/roadmap.</summary>
public static class GetRoadmap
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/roadmap", HandleAsync)
        .WithSummary("The municipality's replacement roadmap: per procedure the end of support, required go-live, latest award and latest procurement start, the procurement procedure and why, planned and actual dates, badges and slack.")
        .WithDescription(
            "`today` (yyyy-MM-dd, default: the current day in Europe/Berlin) counts the slack. `asOf` (yyyy-MM-dd) answers with the roadmap as known " +
            "at the end of that day (only events recorded up to then), for council reports; today then defaults to asOf. The live answer reads the " +
            "async read model as it stands. 400 for a malformed date, 404 `municipality-unknown`.");

    private static async Task<Results<Ok<MunicipalityRoadmap>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string ags, string? today, string? asOf, IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, asOf, clock, out var days, out var problem))
        {
            return problem!;
        }

        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return ProcedureLookups.MunicipalityUnknown(ags);
        }

        var roadmap = await queries.GetRoadmapAsync(parsed, days.Today, days.AsOf, cancellationToken);
        return roadmap is null ? ProcedureLookups.MunicipalityUnknown(ags) : TypedResults.Ok(roadmap);
    }
}

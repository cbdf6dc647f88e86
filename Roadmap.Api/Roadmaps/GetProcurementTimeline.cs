using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Deciding;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /procurements/{id}/timeline.</summary>
public static class GetProcurementTimeline
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/{id:guid}/timeline", HandleAsync)
        .WithSummary("The procurement case's phases (preparation to cut-over) with planned dates from the rules, legal minimum periods and actual dates; a phase that can no longer meet its minimum is flagged.")
        .WithDescription("`today` (yyyy-MM-dd, default: the current day in Europe/Berlin). 400 for a malformed date, 404 `procurement-case-unknown`.");

    private static async Task<Results<Ok<ProcurementTimeline>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid id, string? today, IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, null, clock, out var days, out var problem))
        {
            return problem!;
        }

        var timeline = await queries.GetProcurementTimelineAsync(id, days.Today, cancellationToken);
        return timeline is null
            ? Problems.NotFound(ViolationCodes.ProcurementCaseUnknown, $"No procurement case with id {id} has been opened.")
            : TypedResults.Ok(timeline);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /municipalities/{ags}/roadmap.ics: the milestones as an iCalendar feed a mayor's office subscribes to.</summary>
public static class RoadmapCalendarFeed
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{ags}/roadmap.ics", GetAsync)
            .WithSummary("The municipality's milestones as iCalendar (RFC 5545): latest procurement start, latest award, go-live and end of support per procedure, with stable UIDs.")
            .Produces<string>(StatusCodes.Status200OK, "text/calendar");

    private static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAsync(
        string ags, string? stand, string? heute, [FromServices] IRoadmapQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!PageDates.TryParse(stand, heute, out var asOf, out var today, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: "The request has invalid fields", type: Problems.TypeFor("validation"));
        }

        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return Unknown(ags);
        }

        var roadmap = await queries.GetRoadmapAsync(parsed, today ?? CalendarDay.Today(clock), asOf, cancellationToken);
        return roadmap is null ? Unknown(ags) : TypedResults.Content(RoadmapCalendar.Render(roadmap), RoadmapCalendar.ContentType);
    }

    private static ProblemHttpResult Unknown(string ags) =>
        Problems.NotFound("municipality-unknown", $"No municipality with AGS {ags} is registered.");
}

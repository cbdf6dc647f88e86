using Roadmap.Api.Access;
namespace Roadmap.Api.Roadmaps;

public static class RoadmapPageEndpoints
{
    /// <summary>The German pages for mayors and the county, and the iCalendar feed; they read through <c>IRoadmapQueries</c>.</summary>
    public static IEndpointRouteBuilder MapRoadmapPages(this IEndpointRouteBuilder app)
    {
        // A municipality's page and calendar open with a link token too; the county's overview does not.
        var pages = app.MapGroup("/gemeinden").WithTags("Pages");
        MayorRoadmapPage.Map(pages.MapGroup("").RequireAccess(Access.Access.ReadPages, Access.Access.ReadPages));
        CountyOverview.Map(pages.MapGroup("").RequireAccess(Access.Access.Read, Access.Access.Read));

        var feeds = app.MapGroup("/municipalities").WithTags("Roadmaps").RequireAccess(Access.Access.ReadPages, Access.Access.ReadPages);
        RoadmapCalendarFeed.Map(feeds);
        return app;
    }
}

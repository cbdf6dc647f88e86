namespace Roadmap.Api.Roadmaps;

public static class RoadmapPageEndpoints
{
    /// <summary>The German pages for mayors and the county, and the iCalendar feed; they read through <c>IRoadmapQueries</c>.</summary>
    public static IEndpointRouteBuilder MapRoadmapPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/gemeinden").WithTags("Pages");
        MayorRoadmapPage.Map(pages);
        CountyOverview.Map(pages);

        var feeds = app.MapGroup("/municipalities").WithTags("Roadmaps");
        RoadmapCalendarFeed.Map(feeds);
        return app;
    }
}

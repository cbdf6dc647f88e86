using Roadmap.Api.Access;
namespace Roadmap.Api.Integrations.Feeds;

/// <summary>The feeds (deprecations, deadline alerts): pages to pull (GET /feeds/…) and a live stream each (Server-Sent Events).</summary>
public static class FeedEndpoints
{
    /// <summary>The feed's reader and its shared LISTEN connection (a hosted service of this node).</summary>
    public static IServiceCollection AddFeeds(this IServiceCollection services)
    {
        services.AddSingleton<FeedListener>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedListener>());
        services.AddSingleton<FeedReader>();
        return services;
    }

    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder app)
    {
        var deprecations = app.MapGroup("/feeds/deprecations").WithTags("Integrations: feeds").RequireAccess(Access.Access.Integrate, Access.Access.Integrate)
            .RequireMunicipalityInScope();
        GetFeed.Map<DeprecationData>(deprecations, IntegrationEventTypes.Deprecations,
            "Deprecation notices and end-of-support changes as CloudEvents, oldest first, a page at a time; `wait=30s` long-polls.");
        StreamFeed.Map(deprecations, IntegrationEventTypes.Deprecations,
            "Deprecation notices and end-of-support changes live as Server-Sent Events; a reconnect with Last-Event-ID resumes after that event.");
        var deadlines = app.MapGroup("/feeds/deadlines").WithTags("Integrations: feeds").RequireAccess(Access.Access.Integrate, Access.Access.Integrate)
            .RequireMunicipalityInScope();
        GetFeed.Map<Roadmap.Api.Deadlines.DeadlineAlertData>(deadlines, IntegrationEventTypes.Deadlines,
            "Deadline alerts (a procurement start or an award coming near, a worsened band, a missed day) as CloudEvents, oldest first; `wait=30s` long-polls.");
        StreamFeed.Map(deadlines, IntegrationEventTypes.Deadlines,
            "Deadline alerts live as Server-Sent Events; a reconnect with Last-Event-ID resumes after that event.");
        return app;
    }
}

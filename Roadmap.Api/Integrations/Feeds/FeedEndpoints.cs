namespace Roadmap.Api.Integrations.Feeds;

/// <summary>The deprecation feed: pages to pull (GET /feeds/deprecations) and a live stream (Server-Sent Events).</summary>
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
        var group = app.MapGroup("/feeds/deprecations").WithTags("Integrations: feeds");
        GetDeprecationFeed.Map(group);
        StreamDeprecations.Map(group);
        return app;
    }
}

using Roadmap.Api.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;
using Roadmap.Projections.Roadmaps;

using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Roadmaps;

public static class RoadmapEndpoints
{
    /// <summary>The async roadmap projection and its queries; the live roadmap is cached by version (<see cref="RoadmapCache"/>).</summary>
    public static IServiceCollection AddRoadmapReadModels(this IServiceCollection services)
    {
        services.AddProjection(new RoadmapProjection(), ProjectionLifecycle.Async);
        services.AddSingleton(sp => new RoadmapQueries(
            sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<PostgresEventStore>(), sp.GetRequiredService<ProcurementRuleSet>()));
        services.AddSingleton(sp => new RoadmapCache(
            sp.GetRequiredService<RoadmapQueries>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>(),
            (sp.GetRequiredService<IConfiguration>().GetValue<long?>("Roadmap:RoadmapCache:SizeLimitMiB") ?? RoadmapCache.DefaultSizeLimitMiB) * 1024 * 1024));
        services.AddSingleton<IRoadmapQueries>(sp => new CachedRoadmapQueries(sp.GetRequiredService<RoadmapQueries>(), sp.GetRequiredService<RoadmapCache>()));
        return services;
    }

    public static IEndpointRouteBuilder MapRoadmaps(this IEndpointRouteBuilder app)
    {
        var municipalities = app.MapGroup("/municipalities/{ags}").WithTags("Roadmaps").RequireAccess(Access.Access.Read, Access.Access.Plan);
        GetRoadmap.Map(municipalities);
        RoadmapCsv.Map(municipalities);
        GetMunicipalityTimelines.Map(municipalities);
        var counties = app.MapGroup("/counties/{countyAgs}").WithTags("Roadmaps").RequireAccess(Access.Access.Read, Access.Access.Plan);
        GetRiskBoard.Map(counties);
        RiskBoardCsv.Map(counties);
        var procurements = app.MapGroup("/procurements").WithTags("Roadmaps").RequireAccess(Access.Access.Read, Access.Access.Plan);
        GetProcurementTimeline.Map(procurements);
        app.MapGet("/admin/roadmap-cache", (RoadmapCache cache) => TypedResults.Ok(cache.Statistics()))
            .WithTags("Admin")
            .WithSummary("The live roadmap cache of this node: entries, size and limit, hits, misses and hit ratio since the start, entries dropped for the size limit.")
            .RequireAccess(Access.Access.Admin);
        app.MapDelete("/admin/roadmap-cache", (RoadmapCache cache) =>
            {
                cache.Clear();
                return TypedResults.NoContent();
            })
            .WithTags("Admin")
            .WithSummary("Drops every cached live roadmap of this node (the counters keep counting); each next read computes its answer again.")
            .RequireAccess(Access.Access.Admin);
        return app;
    }
}

/// <summary>The <c>today</c> and <c>asOf</c> query parameters (yyyy-MM-dd, within <see cref="InputDates"/>' window). Today defaults to the current day in Europe/Berlin, or to asOf when only that is given.</summary>
public readonly record struct RoadmapDays(DateOnly Today, DateOnly? AsOf)
{
    public static bool TryParse(string? today, string? asOf, TimeProvider clock, out RoadmapDays days, out ValidationProblem? problem)
    {
        var errors = new Dictionary<string, string[]>();
        var parsedToday = Parse(today, "today", errors);
        var parsedAsOf = Parse(asOf, "asOf", errors);
        if (errors.Count > 0)
        {
            days = default;
            problem = TypedResults.ValidationProblem(errors, title: "The request has invalid fields", type: Problems.TypeFor("validation"));
            return false;
        }

        days = new RoadmapDays(parsedToday ?? parsedAsOf ?? CalendarDay.Today(clock), parsedAsOf);
        problem = null;
        return true;
    }

    private static DateOnly? Parse(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (InputDates.TryParse(value, out var date, out var reason))
        {
            return date;
        }

        errors[field] = [reason!];
        return null;
    }
}

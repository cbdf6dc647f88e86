using JasperFx.Events.Daemon;
using Marten;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Infrastructure;

public static class ProjectionSetup
{
    /// <summary>Registers a read model; RoadmapMarten hands it to Marten, inline or async.</summary>
    public static IServiceCollection AddProjection(this IServiceCollection services, Projection projection, ProjectionLifecycle lifecycle) =>
        services.AddSingleton(new ProjectionRegistration(projection, lifecycle));

    /// <summary>
    /// Roadmap:Projections:RunDaemon (default true). With false this node serves reads and appends only; another node
    /// runs the async daemon (Marten's HotCold: one node holds each projection, another takes over when it stops).
    /// </summary>
    public static bool RunDaemon(IConfiguration configuration) =>
        configuration.GetSection("Roadmap:Projections").GetValue("RunDaemon", true);

    /// <summary>Roadmap:Projections: FastPollingMs, SlowPollingMs, MinimumWakeupMs, LeadershipPollingMs, BatchSize.</summary>
    public static DaemonTuning Tuning(IConfiguration configuration)
    {
        var section = configuration.GetSection("Roadmap:Projections");
        var defaults = new DaemonTuning();
        return new DaemonTuning
        {
            FastPolling = TimeSpan.FromMilliseconds(section.GetValue("FastPollingMs", defaults.FastPolling.TotalMilliseconds)),
            SlowPolling = TimeSpan.FromMilliseconds(section.GetValue("SlowPollingMs", defaults.SlowPolling.TotalMilliseconds)),
            MinimumWakeupInterval = TimeSpan.FromMilliseconds(section.GetValue("MinimumWakeupMs", defaults.MinimumWakeupInterval.TotalMilliseconds)),
            LeadershipPolling = TimeSpan.FromMilliseconds(section.GetValue("LeadershipPollingMs", defaults.LeadershipPolling.TotalMilliseconds)),
            BatchSize = section.GetValue("BatchSize", defaults.BatchSize),
        };
    }

    public static IServiceCollection AddProjectionAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        var runDaemon = RunDaemon(configuration);
        services.AddSingleton(sp =>
        {
            var admin = new ProjectionAdmin(
                sp.GetRequiredService<PostgresEventStore>(),
                sp.GetServices<ProjectionRegistration>().ToList(),
                () => runDaemon ? sp.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase() : null,
                sp.GetRequiredService<ILogger<ProjectionAdmin>>());
            // A rebuild gives the same documents for the same versions unless the old read model was damaged (the reason
            // to rebuild it): every node's cached roadmaps go (RebuildNotices), so none outlives the tables it was computed from.
            admin.Rebuilt += name =>
            {
                if (name == Roadmap.Projections.Roadmaps.RoadmapProjection.ProjectionName)
                {
                    sp.GetService<Roadmap.Api.Roadmaps.RoadmapCache>()?.Clear();
                }
            };
            return admin;
        });
        if (runDaemon)
        {
            services.AddHostedService<RebuildRequests>();
        }

        services.AddHostedService<RebuildNotices>();
        return services;
    }
}

/// <summary>
/// On every node, daemon or not: notices rebuilds that finished on any node (<see cref="ProjectionAdmin.NoticeFinishedRebuildsAsync"/>),
/// so that this node's caches of the rebuilt read model are dropped within a poll interval.
/// </summary>
internal sealed class RebuildNotices(ProjectionAdmin admin, ILogger<RebuildNotices> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        do
        {
            try
            {
                await admin.NoticeFinishedRebuildsAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not look for finished rebuilds; trying again");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
        while (await RebuildRequests.NextTickAsync(timer, stoppingToken));
    }
}

/// <summary>Runs the rebuilds requested from any node (or the command line) for the projections this node's daemon holds.</summary>
internal sealed class RebuildRequests(ProjectionAdmin admin, ILogger<RebuildRequests> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await NextTickAsync(timer, stoppingToken))
        {
            try
            {
                await admin.PickUpRebuildsAsync(onlyHeldHere: true, stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not look for rebuild requests; trying again");
            }
        }
    }

    internal static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

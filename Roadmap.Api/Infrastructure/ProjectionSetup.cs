using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Infrastructure;

/// <summary>When a projection runs: inside each append's transaction, or behind the log in the daemon.</summary>
public enum ProjectionLifecycle
{
    Inline,
    Async,
}

/// <summary>A projection the host knows, and how it runs.</summary>
public sealed record ProjectionRegistration(Projection Projection, ProjectionLifecycle Lifecycle);

public static class ProjectionSetup
{
    /// <summary>Registers a read model. Inline ones are handed to the event store, async ones to the daemon.</summary>
    public static IServiceCollection AddProjection(this IServiceCollection services, Projection projection, ProjectionLifecycle lifecycle) =>
        services.AddSingleton(new ProjectionRegistration(projection, lifecycle));

    /// <summary>
    /// The daemon and its options (configuration section Roadmap:Projections: RunDaemon, BatchSize,
    /// RebuildBatchSize, PollIntervalMs, InstanceId). With RunDaemon false this node only serves reads and appends.
    /// </summary>
    public static IServiceCollection AddProjectionDaemon(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Roadmap:Projections");
        services.AddSingleton(_ =>
        {
            var defaults = new ProjectionDaemonOptions();
            return new ProjectionDaemonOptions
            {
                InstanceId = section["InstanceId"] is { Length: > 0 } instance ? instance : defaults.InstanceId,
                BatchSize = section.GetValue("BatchSize", defaults.BatchSize),
                RebuildBatchSize = section.GetValue("RebuildBatchSize", defaults.RebuildBatchSize),
                PollInterval = TimeSpan.FromMilliseconds(section.GetValue("PollIntervalMs", defaults.PollInterval.TotalMilliseconds)),
            };
        });
        services.AddSingleton(sp => new ProjectionDaemon(
            sp.GetRequiredService<PostgresEventStore>(),
            AsyncProjections(sp),
            sp.GetRequiredService<ProjectionDaemonOptions>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new ProjectionAdmin(sp.GetRequiredService<PostgresEventStore>()));
        services.AddHostedService(sp => new ProjectionDaemonService(
            sp, section.GetValue("RunDaemon", true), sp.GetRequiredService<ILogger<ProjectionDaemonService>>()));
        return services;
    }

    public static IReadOnlyList<Projection> InlineProjections(IServiceProvider services) =>
        Registered(services, ProjectionLifecycle.Inline);

    public static IReadOnlyList<Projection> AsyncProjections(IServiceProvider services) =>
        Registered(services, ProjectionLifecycle.Async);

    private static List<Projection> Registered(IServiceProvider services, ProjectionLifecycle lifecycle) =>
        services.GetServices<ProjectionRegistration>().Where(r => r.Lifecycle == lifecycle).Select(r => r.Projection).ToList();
}

/// <summary>
/// Creates every projection's tables (inline ones too, before the first append can need them) and runs the
/// async daemon on this node. Registered after the schema migration, so it starts on a migrated schema.
/// </summary>
internal sealed class ProjectionDaemonService(IServiceProvider services, bool runDaemon, ILogger<ProjectionDaemonService> logger) : IHostedService
{
    private ProjectionDaemon? _daemon;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<PostgresEventStore>();
        await ProjectionDaemon.EnsureProjectionTablesAsync(store, ProjectionSetup.InlineProjections(services), withCheckpoints: false, cancellationToken);
        await ProjectionDaemon.EnsureProjectionTablesAsync(store, ProjectionSetup.AsyncProjections(services), withCheckpoints: true, cancellationToken);
        if (!runDaemon)
        {
            logger.LogInformation("Projection daemon disabled on this node (Roadmap:Projections:RunDaemon=false)");
            return;
        }

        _daemon = services.GetRequiredService<ProjectionDaemon>();
        await _daemon.StartAsync(cancellationToken);
        logger.LogInformation("Projection daemon {Instance} started with {Count} async projections", _daemon.InstanceId, _daemon.Projections.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_daemon is not null)
        {
            // A batch in flight either commits or rolls back; the checkpoint is never ahead of the read model.
            await _daemon.StopAsync();
        }
    }
}

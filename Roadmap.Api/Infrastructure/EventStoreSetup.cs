using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Schema;
using Roadmap.EventStore.Serialization;
using Wolverine.Marten;

namespace Roadmap.Api.Infrastructure;

public static class EventStoreSetup
{
    public const string ConnectionStringName = "Roadmap";

    /// <summary>
    /// Registers the data source, Marten (the event log, our projections, the async daemon) and the event log's
    /// facade, and migrates the API's tables before the server starts listening. Configuration:
    /// ConnectionStrings:Roadmap, Roadmap:Schema (default "roadmap"), Roadmap:Projections (see <see cref="ProjectionSetup"/>).
    /// </summary>
    public static IServiceCollection AddRoadmapEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ =>
        {
            var connectionString = configuration.GetConnectionString(ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    "No database configured: set ConnectionStrings__Roadmap (./roadmap run does this for you with a private PostgreSQL cluster).");
            }

            return EventStoreDataSource.Create(connectionString, "roadmap-api");
        });
        services.AddSingleton(_ => new EventStoreOptions(configuration["Roadmap:Schema"] ?? "roadmap", EventTypes.Create()));
        services.AddProjection(new Roadmap.Projections.Registry.CatalogueIndex(), ProjectionLifecycle.Inline);
        services.AddProjection(new Roadmap.Projections.Registry.ProcedureIndex(), ProjectionLifecycle.Inline);
        services.AddProjection(new Roadmap.Projections.Registry.ProcurementIndex(), ProjectionLifecycle.Inline);
        services.AddSingleton<AppendWakeup>();
        services.AddSingleton<Roadmap.Api.Infrastructure.Deciding.DecidedStateCache>();
        // Before Marten's own hosted services: the API's tables and the projections' tables exist before the daemon starts.
        services.AddHostedService<SchemaMigrationService>();

        var tuning = ProjectionSetup.Tuning(configuration);
        var marten = services.AddMarten(sp =>
            {
                var opts = new StoreOptions();
                RoadmapMarten.Configure(
                    opts,
                    sp.GetRequiredService<EventStoreOptions>(),
                    sp.GetRequiredService<NpgsqlDataSource>(),
                    sp.GetServices<ProjectionRegistration>().ToList(),
                    tuning,
                    sp.GetRequiredService<AppendWakeup>(),
                    // Marten's own category, so a logging configuration for Marten applies as before.
                    sp.GetRequiredService<ILogger<IDocumentStore>>());
                // The deciders' states as Marten folds them for decisions through Wolverine (docs/0013).
                AddDecidedStates(opts);
                Telemetry.ConfigureMarten(opts, sp.GetRequiredService<RoadmapMetrics>());
                return opts;
            })
            .UseNpgsqlDataSource()
            .ApplyAllDatabaseChangesOnStartup()
            // Wolverine's inbox, outbox and scheduled messages in the same schema and transactions as the events.
            .IntegrateWithWolverine();
        marten.AddAsyncDaemon(ProjectionSetup.RunDaemon(configuration) ? DaemonMode.HotCold : DaemonMode.Disabled);

        services.AddSingleton(sp => new PostgresEventStore(
            sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreOptions>(),
            sp.GetRequiredService<AppendWakeup>(), sp.GetRequiredService<TimeProvider>()));
        services.AddProjectionAdmin(configuration);
        return services;
    }

    /// <summary>
    /// The deciders' states as Marten folds them (live) for the decisions that fetch several streams with
    /// <c>FetchForWriting</c> (opening a procurement case, a subscription's secret); single-stream decisions lock and fold
    /// through <see cref="Roadmap.Api.Infrastructure.Deciding.DecidedStateCache"/>.
    /// </summary>
    private static void AddDecidedStates(StoreOptions opts)
    {
        const JasperFx.Events.Projections.ProjectionLifecycle live = JasperFx.Events.Projections.ProjectionLifecycle.Live;
        opts.Projections.Add(new Roadmap.Api.Integrations.Subscriptions.SubscriptionStates(), live);
        opts.Projections.Add(new Roadmap.Api.Procedures.ProcedureStates(), live);
        opts.Projections.Add(new Roadmap.Api.Procurements.ProcurementStates(), live);
    }
}

/// <summary>
/// Applies the API's pending migrations and creates every projection's tables at start-up (under advisory locks,
/// so instances may start together). Marten creates its own tables (mt_events, mt_streams, ...) right after.
/// </summary>
internal sealed class SchemaMigrationService(
    NpgsqlDataSource dataSource, EventStoreOptions options, IEnumerable<ProjectionRegistration> projections, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DropPreMartenStoreAsync(cancellationToken);
        var applied = await ApiMigrator(dataSource, options.Schema).MigrateAsync(cancellationToken);
        await RoadmapMarten.EnsureProjectionTablesAsync(dataSource, options.Schema, projections.Select(p => p.Projection), cancellationToken);
        if (applied.Count > 0)
        {
            logger.LogInformation("Applied migrations {Versions} to schema {Schema}", string.Join(", ", applied), options.Schema);
        }
        else
        {
            logger.LogInformation("Schema {Schema} is up to date", options.Schema);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A schema that still holds the event store from before Marten (its own <c>events</c> table) holds only development
    /// and demo data: there were no deployments before the move (issue 11). Its log, its engine's tables and every read
    /// model (which would collide with the new log's) are dropped, with a warning; the read models are created anew.
    /// </summary>
    private async Task DropPreMartenStoreAsync(CancellationToken cancellationToken)
    {
        var s = options.Schema;
        await using var check = dataSource.CreateCommand($"select to_regclass('{s}.events') is not null and to_regclass('{s}.projection_checkpoints') is not null");
        if (await check.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return;
        }

        logger.LogWarning("Schema {Schema} holds the event store from before Marten (no deployments existed): dropping its log and read models", s);
        var tables = new[] { "events", "streams", "projection_checkpoints", "dead_letters" }
            .Concat(projections.SelectMany(p => p.Projection.Tables))
            .Select(t => $"drop table if exists {s}.{t} cascade;");
        await using var drop = dataSource.CreateCommand(
            $"""
            {string.Join(Environment.NewLine, tables)}
            drop function if exists {s}.append_events cascade;
            delete from {s}.schema_migrations where component = 'event_store';
            delete from {s}.mt_event_progression;
            """);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The API's own tables (idempotency keys, webhooks), recorded as component "api".</summary>
    public static SchemaMigrator ApiMigrator(NpgsqlDataSource dataSource, string schema) =>
        new(dataSource, schema, "api", SchemaMigrator.LoadEmbedded(typeof(SchemaMigrationService).Assembly));
}

/// <summary>The stable names of every event Roadmap stores. Domain events are registered here as they are added.</summary>
public static class EventTypes
{
    public static EventTypeRegistry Create()
    {
        var registry = new EventTypeRegistry();
        foreach (var (type, name, version) in Roadmap.Domain.Deciding.DomainEvents.All)
        {
            // A changed shape gets a new name; the old name is then read through an upcaster (RoadmapMarten).
            registry.Register(type, version == 1 ? name : $"{name}.v{version}");
        }

        return registry;
    }
}

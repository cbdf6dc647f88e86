using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Schema;
using Roadmap.EventStore.Serialization;

namespace Roadmap.Api.Infrastructure;

public static class EventStoreSetup
{
    public const string ConnectionStringName = "Roadmap";

    /// <summary>
    /// Registers the data source, the event type registry and the event store, and migrates the schema before
    /// the server starts listening. Configuration: ConnectionStrings:Roadmap, Roadmap:Schema (default "roadmap").
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
        services.AddSingleton(sp => new PostgresEventStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreOptions>(), ProjectionSetup.InlineProjections(sp),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<SchemaMigrationService>();
        services.AddProjectionDaemon(configuration);
        return services;
    }
}

/// <summary>Applies pending migrations at start-up (under the migrator's advisory lock, so instances may start together).</summary>
internal sealed class SchemaMigrationService(NpgsqlDataSource dataSource, EventStoreOptions options, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await new SchemaMigrator(dataSource, options.Schema).MigrateAsync(cancellationToken);
        await ApiMigrator(dataSource, options.Schema).MigrateAsync(cancellationToken);
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

    /// <summary>The API's own tables (idempotency keys), recorded as component "api" next to the event store's.</summary>
    public static SchemaMigrator ApiMigrator(NpgsqlDataSource dataSource, string schema) =>
        new(dataSource, schema, "api", SchemaMigrator.LoadEmbedded(typeof(SchemaMigrationService).Assembly));
}

/// <summary>The stable names of every event Roadmap stores. Domain events are registered here as they are added.</summary>
public static class EventTypes
{
    public static EventTypeRegistry Create()
    {
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        // Enums are stored by name: reordering an enum must never change what a stored event means.
        json.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        var registry = new EventTypeRegistry(json);
        foreach (var (type, name, version) in Roadmap.Domain.Deciding.DomainEvents.All)
        {
            registry.Register(type, name, version);
        }

        return registry;
    }
}

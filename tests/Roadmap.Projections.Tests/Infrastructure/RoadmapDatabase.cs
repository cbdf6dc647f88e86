using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Serialization;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Projections.Tests.Infrastructure;

/// <summary>
/// A schema of its own for one test class (xunit class fixture) on the PostgreSQL that ./roadmap test provides
/// (ConnectionStrings__Roadmap): the event log on Marten, configured as the API does (RoadmapMarten), the async
/// <see cref="RoadmapProjection"/> running on a Marten daemon of its own, and the queries over its tables. Dropped after the last test, so classes run in parallel.
/// </summary>
public sealed class RoadmapDatabase : IAsyncLifetime
{
    public const string ConnectionStringVariable = "ConnectionStrings__Roadmap";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private DocumentStore? _marten;
    private IProjectionDaemon? _daemon;
    private ProjectionAdmin? _admin;

    public string Schema { get; } = $"p_{Guid.NewGuid():N}"[..20];

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public PostgresEventStore Store { get; private set; } = null!;

    public ProcurementRuleSet Rules { get; } = ProcurementRuleSet.LoadDefault();

    public RoadmapQueries Queries { get; private set; } = null!;

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set. Run the tests with ./roadmap test, which starts a throwaway PostgreSQL cluster, or set it to a database you own.");

    public async Task InitializeAsync()
    {
        DataSource = EventStoreDataSource.Create(ConnectionString, "roadmap-projection-tests");
        var options = new EventStoreOptions(Schema, Registry());
        ProjectionRegistration[] projections = [new(new RoadmapProjection(), ProjectionLifecycle.Async)];
        var wakeup = new AppendWakeup();
        var marten = new StoreOptions();
        RoadmapMarten.Configure(marten, options, DataSource, projections, new DaemonTuning(), wakeup);
        marten.Connection(DataSource);
        _marten = new DocumentStore(marten);
        await RoadmapMarten.EnsureProjectionTablesAsync(DataSource, Schema, projections.Select(p => p.Projection));
        await _marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        Store = new PostgresEventStore(_marten, DataSource, options, wakeup);
        Queries = new RoadmapQueries(DataSource, Store, Rules);
        _daemon = await _marten.BuildProjectionDaemonAsync();
        await _daemon.StartAllAsync();
        _admin = new ProjectionAdmin(Store, projections, () => _daemon);
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.StopAllAsync();
            _daemon.Dispose();
        }

        _marten?.Dispose();

        await using (var drop = DataSource.CreateCommand($"drop schema if exists {Schema} cascade"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await DataSource.DisposeAsync();
    }

    /// <summary>Appends the events in order, each to the stream of the document it changes, and waits until the projection has applied them.</summary>
    public async Task GivenAsync(params IReadOnlyList<object> events)
    {
        foreach (var e in events)
        {
            var (kind, key) = RoadmapFacts.DocumentOf(e) ?? throw new ArgumentException($"{e.GetType().Name} is not read by the roadmap projection.");
            await Store.AppendAsync($"{kind.ToString().ToLowerInvariant()}-{key}", ExpectedVersion.Any,
                [new NewEvent(Guid.CreateVersion7(), e, new EventMetadata("tests"))]);
        }

        var head = await Store.GetHeadPositionAsync();
        await _admin!.WaitForCatchUpAsync(RoadmapProjection.ProjectionName, head, Patience);
    }

    /// <summary>The stored fact document (jsonb) of a table's row, or null.</summary>
    public async Task<JsonElement?> DocumentAsync(string table, string keyColumn, object key)
    {
        await using var command = DataSource.CreateCommand($"select doc::text from {Schema}.{table} where {keyColumn} = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return await command.ExecuteScalarAsync() is string json ? JsonDocument.Parse(json).RootElement.Clone() : null;
    }

    /// <summary>The event names of the domain, as the API registers them (Roadmap.Api's EventTypes).</summary>
    private static EventTypeRegistry Registry()
    {
        var registry = new EventTypeRegistry();
        foreach (var (type, name, version) in DomainEvents.All)
        {
            registry.Register(type, version == 1 ? name : $"{name}.v{version}");
        }

        return registry;
    }
}

using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Schema;
using Roadmap.EventStore.Serialization;

namespace Roadmap.Benchmarks;

/// <summary>
/// The event log of the in-process benchmarks, set up as the API sets up its own (EventStoreSetup): Marten configured by
/// <see cref="RoadmapMarten.Configure"/> on the service's data source settings, the projections' tables, Marten's
/// tables (mt_events, mt_streams, ...) created, and <see cref="PostgresEventStore"/> over it with the
/// <see cref="AppendWakeup"/> that wakes this process's daemon after each append. The daemon is started on request
/// (<see cref="StartDaemonAsync"/>) and stopped when disposed.
/// </summary>
internal sealed class BenchStore : IAsyncDisposable
{
    private IProjectionDaemon? _daemon;

    private BenchStore(DocumentStore marten, PostgresEventStore store, AppendWakeup wakeup, IReadOnlyList<ProjectionRegistration> projections, DaemonTuning tuning)
    {
        Marten = marten;
        Store = store;
        Wakeup = wakeup;
        Projections = projections;
        Tuning = tuning;
    }

    public DocumentStore Marten { get; }

    public PostgresEventStore Store { get; }

    public AppendWakeup Wakeup { get; }

    public IReadOnlyList<ProjectionRegistration> Projections { get; }

    public DaemonTuning Tuning { get; }

    /// <summary>The daemon once started, else null.</summary>
    public IProjectionDaemon? Daemon => _daemon;

    /// <param name="withApiTables">
    /// Also applies the API's own migrations (idempotency keys, webhooks, <c>projection_controls</c>), which
    /// <see cref="ProjectionAdmin"/> needs for rebuild requests.
    /// </param>
    public static async Task<BenchStore> CreateAsync(
        NpgsqlDataSource dataSource,
        string schema,
        EventTypeRegistry types,
        IReadOnlyList<ProjectionRegistration> projections,
        DaemonTuning tuning,
        bool withApiTables,
        CancellationToken cancellationToken)
    {
        var options = new EventStoreOptions(schema, types);
        var wakeup = new AppendWakeup();
        var marten = new StoreOptions();
        RoadmapMarten.Configure(marten, options, dataSource, projections, tuning, wakeup);
        marten.Connection(dataSource);
        // The daemon runs in this process, started by StartDaemonAsync (the API's is started by AddAsyncDaemon); this also
        // keeps Marten from printing its "async daemon is disabled" warning to stdout, where the figures go.
        marten.Projections.AsyncMode = DaemonMode.Solo;
        var documentStore = new DocumentStore(marten);
        try
        {
            await Console.Error.WriteLineAsync($"schema {schema}: creating Marten's tables{(projections.Count > 0 ? " and the projections' tables" : "")}{(withApiTables ? " and the API's tables" : "")}");
            if (withApiTables)
            {
                await new SchemaMigrator(dataSource, schema, "api", SchemaMigrator.LoadEmbedded(typeof(Roadmap.Api.Infrastructure.EventTypes).Assembly))
                    .MigrateAsync(cancellationToken);
            }

            await RoadmapMarten.EnsureProjectionTablesAsync(dataSource, schema, projections.Select(p => p.Projection), cancellationToken);
            await documentStore.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var store = new PostgresEventStore(documentStore, dataSource, options, wakeup);
            return new BenchStore(documentStore, store, wakeup, projections, tuning);
        }
        catch
        {
            documentStore.Dispose();
            wakeup.Dispose();
            throw;
        }
    }

    /// <summary>Builds and starts Marten's async daemon over every async projection, as a single API node runs it.</summary>
    public async Task<IProjectionDaemon> StartDaemonAsync(CancellationToken cancellationToken)
    {
        if (_daemon is not null)
        {
            return _daemon;
        }

        _daemon = await Marten.BuildProjectionDaemonAsync();
        cancellationToken.ThrowIfCancellationRequested();
        await _daemon.StartAllAsync();
        return _daemon;
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null)
        {
            try
            {
                await _daemon.StopAllAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                await Console.Error.WriteLineAsync($"warning: stopping the daemon: {e.Message}");
            }

            _daemon.Dispose();
        }

        Marten.Dispose();
        Wakeup.Dispose();
    }
}

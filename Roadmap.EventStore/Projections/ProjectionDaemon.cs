using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Roadmap.EventStore.Projections;

/// <summary>
/// Hosts one runner per async projection on this node. Every node of a cluster runs a daemon; for each
/// projection exactly one of them holds its advisory lock and does the work, the others stand by.
/// </summary>
public sealed class ProjectionDaemon : IAsyncDisposable
{
    private readonly PostgresEventStore _store;
    private readonly IReadOnlyList<Projection> _projections;
    private readonly ProjectionDaemonOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly EventLogListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runners = [];
    private bool _started;
    private int _disposed;

    public ProjectionDaemon(
        PostgresEventStore store, IEnumerable<Projection> projections, ProjectionDaemonOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _store = store;
        _projections = projections.ToList();
        _options = options ?? new ProjectionDaemonOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _listener = new EventLogListener(store.DataSource, store.Options);
        foreach (var projection in _projections)
        {
            projection.Validate();
        }

        var duplicate = _projections.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two projections are named '{duplicate.Key}'.");
        }
    }

    public string InstanceId => _options.InstanceId;

    public IReadOnlyList<Projection> Projections => _projections;

    /// <summary>Creates the projections' tables and checkpoint rows if missing, then starts the runners.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("The daemon is already started.");
        }

        _started = true;
        await EnsureProjectionTablesAsync(_store, _projections, withCheckpoints: true, cancellationToken);
        await _listener.StartAsync(cancellationToken);
        foreach (var projection in _projections)
        {
            var runner = new ProjectionRunner(projection, _store, _options, _listener, _loggerFactory.CreateLogger($"Roadmap.Projections.{projection.Name}"));
            _runners.Add(Task.Run(() => runner.RunAsync(_stop.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops the runners: a batch in flight is rolled back (or has committed), never half applied.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await Task.WhenAll(_runners);
        _runners.Clear();
        await _listener.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>
    /// Creates each projection's live tables and checkpoint row, under a transaction-level advisory lock so
    /// that nodes starting together do not race on the DDL. Also used for inline projections.
    /// </summary>
    public static async Task EnsureProjectionTablesAsync(
        PostgresEventStore store, IEnumerable<Projection> projections, bool withCheckpoints = true, CancellationToken cancellationToken = default)
    {
        var schema = store.Options.Schema;
        var sql = new ProjectionSql(schema);
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue($"roadmap.projection-tables:{schema}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var projection in projections)
        {
            projection.Validate();
            await using (var ddl = new NpgsqlCommand(projection.TablesSql.Replace(Projection.SchemaPlaceholder, schema, StringComparison.Ordinal), connection, transaction))
            {
                await ddl.ExecuteNonQueryAsync(cancellationToken);
            }

            if (!withCheckpoints)
            {
                continue;
            }

            await using var row = new NpgsqlCommand($"insert into {schema}.projection_checkpoints (name) values ($1) on conflict (name) do nothing", connection, transaction);
            row.Parameters.AddWithValue(projection.Name);
            await row.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

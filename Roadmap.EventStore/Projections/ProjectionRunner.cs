using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Roadmap.EventStore.Projections;

/// <summary>
/// Runs one projection on this node while it holds the projection's advisory lock: reads the global log from
/// the checkpoint, applies each batch and moves the checkpoint with a compare-and-set in the same transaction,
/// rebuilds into a schema of its own on request and swaps the result in. After Marten's async daemon; the
/// differences are the log order (docs/0002) and that ownership is a session advisory lock, so a node that
/// dies releases it with its connection and a standby takes over at its next try.
/// </summary>
internal sealed class ProjectionRunner
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private readonly Projection _projection;
    private readonly PostgresEventStore _store;
    private readonly ProjectionDaemonOptions _options;
    private readonly EventLogListener _listener;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly string _rebuildSchema;
    private readonly string _lockName;
    private readonly ProjectionSql _sql;

    public ProjectionRunner(Projection projection, PostgresEventStore store, ProjectionDaemonOptions options, EventLogListener listener, ILogger logger)
    {
        _projection = projection;
        _store = store;
        _options = options;
        _listener = listener;
        _logger = logger;
        _schema = store.Options.Schema;
        _rebuildSchema = RebuildSchemaName(_schema, projection.Name);
        _lockName = LockName(_schema, projection.Name);
        _sql = new ProjectionSql(_schema);
    }

    public string Name => _projection.Name;

    internal static string LockName(string schema, string projection) => $"roadmap.projection:{schema}:{projection}";

    internal static string RebuildSchemaName(string schema, string projection)
    {
        var name = $"{schema}_rb_{projection}";
        return name.Length <= 63
            ? name
            : $"{schema[..Math.Min(schema.Length, 40)]}_rb_{(uint)string.GetHashCode(projection, StringComparison.Ordinal):x8}";
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = _options.InitialBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _store.DataSource.OpenConnectionAsync(stop);
                if (!await TryLockAsync(connection, stop))
                {
                    await Task.Delay(_options.LockRetryInterval, stop);
                    continue;
                }

                _logger.LogInformation("Projection {Projection}: {Instance} took over", Name, _options.InstanceId);
                try
                {
                    await RunOwnedAsync(connection, stop);
                }
                finally
                {
                    await UnlockAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (LostOwnershipException e)
            {
                _logger.LogWarning("{Message}", e.Message);
                await DelayQuietlyAsync(_options.LockRetryInterval, stop);
            }
            catch (Exception e) when (IsTransient(e))
            {
                _logger.LogWarning(e, "Projection {Projection}: database error, retrying in {Backoff}", Name, backoff);
                await DelayQuietlyAsync(backoff, stop);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                continue;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Projection {Projection}: runner error, retrying in {Backoff}", Name, _options.MaxBackoff);
                await DelayQuietlyAsync(_options.MaxBackoff, stop);
            }

            backoff = _options.InitialBackoff;
        }
    }

    private async Task RunOwnedAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        var lastHeartbeat = DateTime.MinValue;
        while (!stop.IsCancellationRequested)
        {
            var row = await _sql.ReadRowAsync(connection, Name, stop)
                ?? throw new InvalidOperationException($"Projection '{Name}' has no checkpoint row.");

            if (DateTime.UtcNow - lastHeartbeat > HeartbeatInterval)
            {
                await _sql.HeartbeatAsync(connection, Name, _options.InstanceId, stop);
                lastHeartbeat = DateTime.UtcNow;
            }

            if (row.State is ProjectionState.Failed or ProjectionState.Stopped)
            {
                await _listener.WaitAsync(_options.PollInterval, stop);
                continue;
            }

            try
            {
                if (row.RebuildRequestedAt is not null || row.RebuildStartedAt is not null)
                {
                    await RebuildAsync(connection, row, stop);
                    continue;
                }

                var page = await _store.ReadAllAsync(connection, null, row.Checkpoint, _options.BatchSize, cancellationToken: stop);
                if (page.Next == row.Checkpoint)
                {
                    await _listener.WaitAsync(_options.PollInterval, stop);
                    continue;
                }

                await ApplyAsync(connection, page.Events, row.Checkpoint, page.Next, rebuild: false, stop);
            }
            catch (ProjectionFailedException e)
            {
                _logger.LogError(e.InnerException, "Projection {Projection} stopped by its poison policy", Name);
            }
        }
    }

    /// <summary>Applies events and moves the checkpoint from <paramref name="from"/> to <paramref name="to"/>, once.</summary>
    private async Task ApplyAsync(
        NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, GlobalCheckpoint from, GlobalCheckpoint to, bool rebuild, CancellationToken stop)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(connection, events, from, to, rebuild, stop);
                return;
            }
            catch (Exception e) when (e is not (LostOwnershipException or OperationCanceledException) && !IsTransient(e))
            {
                if (events.Count > 1)
                {
                    // Find the event that fails: one at a time, each with its own attempts.
                    _logger.LogWarning(e, "Projection {Projection}: batch of {Count} failed; applying one event at a time", Name, events.Count);
                    await ApplyOneByOneAsync(connection, events, from, to, rebuild, stop);
                    return;
                }

                if (events.Count == 0)
                {
                    throw;
                }

                if (attempt < _projection.MaxAttempts)
                {
                    await Task.Delay(_options.RetryDelay, stop);
                    continue;
                }

                var poison = events[0];
                if (_projection.PoisonPolicy == PoisonEventPolicy.Skip)
                {
                    _logger.LogError(e, "Projection {Projection}: event {EventType} at {Position} failed {Attempts} times; dead-lettered and skipped",
                        Name, poison.EventType, poison.GlobalPosition, attempt);
                    await DeadLetterAsync(connection, poison, from, to, rebuild, e, attempt, stop);
                    return;
                }

                await _sql.MarkFailedAsync(connection, Name,
                    string.Create(CultureInfo.InvariantCulture, $"{poison.EventType} at position {poison.GlobalPosition} (event {poison.EventId}) failed {attempt} times: {e.Message}"),
                    stop);
                throw new ProjectionFailedException(Name, e);
            }
        }
    }

    private async Task ApplyOneByOneAsync(
        NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, GlobalCheckpoint from, GlobalCheckpoint to, bool rebuild, CancellationToken stop)
    {
        var checkpoint = from;
        foreach (var recorded in events)
        {
            await ApplyAsync(connection, [recorded], checkpoint, recorded.Checkpoint, rebuild, stop);
            checkpoint = recorded.Checkpoint;
        }

        if (checkpoint != to)
        {
            // Past events that are not applied (archived streams) at the end of the page.
            await ApplyAsync(connection, [], checkpoint, to, rebuild, stop);
        }
    }

    private async Task ApplyOnceAsync(
        NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, GlobalCheckpoint from, GlobalCheckpoint to, bool rebuild, CancellationToken stop)
    {
        await using var transaction = await connection.BeginTransactionAsync(stop);
        if (events.Count > 0)
        {
            var batch = new ProjectionBatch(events, connection, transaction, rebuild ? _rebuildSchema : _schema, rebuild);
            await _projection.ApplyAsync(batch, stop);
        }

        if (!await _sql.MoveCheckpointAsync(connection, transaction, Name, _options.InstanceId, from, to, events.Count, rebuild, stop))
        {
            throw new LostOwnershipException(Name);
        }

        if (_options.BeforeCommit is { } hook)
        {
            await hook(Name, events);
        }

        // Not cancellable: once the commit is sent, its outcome must be known.
        await transaction.CommitAsync(CancellationToken.None);
    }

    private async Task DeadLetterAsync(
        NpgsqlConnection connection, RecordedEvent poison, GlobalCheckpoint from, GlobalCheckpoint to, bool rebuild, Exception error, int attempts, CancellationToken stop)
    {
        await using var transaction = await connection.BeginTransactionAsync(stop);
        await _sql.InsertDeadLetterAsync(connection, transaction, Name, poison, error, attempts, stop);
        if (!await _sql.MoveCheckpointAsync(connection, transaction, Name, _options.InstanceId, from, to, 0, rebuild, stop))
        {
            throw new LostOwnershipException(Name);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    private async Task RebuildAsync(NpgsqlConnection connection, ProjectionRow row, CancellationToken stop)
    {
        if (row.RebuildRequestedAt is not null)
        {
            await using var transaction = await connection.BeginTransactionAsync(stop);
            await using (var ddl = new NpgsqlCommand(
                $"drop schema if exists {_rebuildSchema} cascade; create schema {_rebuildSchema}; " +
                _projection.TablesSql.Replace(Projection.SchemaPlaceholder, _rebuildSchema, StringComparison.Ordinal),
                connection, transaction))
            {
                await ddl.ExecuteNonQueryAsync(stop);
            }

            await _sql.StartRebuildAsync(connection, transaction, Name, stop);
            await transaction.CommitAsync(CancellationToken.None);
            _logger.LogInformation("Projection {Projection}: rebuild started into schema {Schema}", Name, _rebuildSchema);
        }

        // The next page is read on a second connection while this one is applied: reading and applying each take
        // about half of a rebuild (bench rebuild), and they need not wait for each other. A prefetched page is
        // only used if the checkpoint is still where it was read from.
        Task<GlobalLogPage>? prefetch = null;
        var prefetchFrom = GlobalCheckpoint.Start;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var current = await _sql.ReadRowAsync(connection, Name, stop);
                if (current is null || current.RebuildRequestedAt is not null || current.RebuildCheckpoint is not { } checkpoint
                    || current.State is ProjectionState.Failed or ProjectionState.Stopped)
                {
                    return;
                }

                GlobalLogPage page;
                if (prefetch is not null && prefetchFrom == checkpoint)
                {
                    page = await prefetch;
                }
                else
                {
                    page = await _store.ReadAllAsync(connection, null, checkpoint, _options.RebuildBatchSize, cancellationToken: stop);
                }

                prefetch = null;
                if (page.Next == checkpoint)
                {
                    await SwapAsync(connection, checkpoint, stop);
                    return;
                }

                prefetchFrom = page.Next;
                prefetch = _store.ReadAllAsync(page.Next, _options.RebuildBatchSize, cancellationToken: stop);
                await ApplyAsync(connection, page.Events, checkpoint, page.Next, rebuild: true, stop);
            }
        }
        finally
        {
            if (prefetch is not null)
            {
                // Abandoned (stop, failure, lost ownership): observe it so its outcome is not an unobserved exception.
                _ = prefetch.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Replaces the live tables by the rebuilt ones and adopts the rebuild's checkpoint, in one transaction.</summary>
    private async Task SwapAsync(NpgsqlConnection connection, GlobalCheckpoint rebuilt, CancellationToken stop)
    {
        await using var transaction = await connection.BeginTransactionAsync(stop);
        var statements = _projection.Tables.Select(table =>
            $"drop table if exists {_schema}.{table} cascade; alter table {_rebuildSchema}.{table} set schema {_schema};");
        await using (var swap = new NpgsqlCommand(string.Concat(statements) + $" drop schema {_rebuildSchema} cascade;", connection, transaction))
        {
            await swap.ExecuteNonQueryAsync(stop);
        }

        if (!await _sql.FinishRebuildAsync(connection, transaction, Name, rebuilt, stop))
        {
            throw new LostOwnershipException(Name);
        }

        await transaction.CommitAsync(CancellationToken.None);
        _logger.LogInformation("Projection {Projection}: rebuild swapped in at {Checkpoint}", Name, rebuilt);
    }

    private async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(hashtextextended($1, 0))", connection);
        command.Parameters.AddWithValue(_lockName);
        return (bool)(await command.ExecuteScalarAsync(stop))!;
    }

    private async Task UnlockAsync(NpgsqlConnection connection)
    {
        // Pooled connections keep session locks (the data source skips DISCARD ALL), so release explicitly.
        // If the connection is broken the server has released the lock already.
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_unlock(hashtextextended($1, 0))", connection);
            command.Parameters.AddWithValue(_lockName);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            _logger.LogDebug(e, "Projection {Projection}: unlock on a broken connection", Name);
        }
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static bool IsTransient(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException { SqlState: var state } when state.StartsWith("40", StringComparison.Ordinal)
                                                        || state.StartsWith("08", StringComparison.Ordinal)
                                                        || state.StartsWith("57P", StringComparison.Ordinal)
                                                        || state == "53300" => true,
        NpgsqlException { InnerException: IOException or TimeoutException } => true,
        _ => false,
    };
}

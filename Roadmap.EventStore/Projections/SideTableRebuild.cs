using JasperFx.Events.Daemon;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Roadmap.EventStore.Projections;

/// <summary>
/// Rebuilds a projection's tables beside the live ones and swaps them in (docs/0012): the old read model keeps serving,
/// and the daemon keeps it current, until the new one is complete.
/// <list type="number">
/// <item>The projection's DDL runs in a side schema (<c>{schema}_rebuild_{name}</c>).</item>
/// <item>The log is replayed into it page by page, each page in its own transaction, chasing the live projection's
/// progress (never past it, so never past the high water mark).</item>
/// <item>When less than a page is left, this node's daemon holds its next batch (the operator's stop) and the batch it
/// may have in flight settles; then one transaction locks the projection's progress row (a daemon elsewhere cannot
/// commit a batch meanwhile), applies the rest up to that progress, moves the live tables out and the rebuilt ones in,
/// and drops the old ones. The progress stays where it was: the daemon continues on the new tables.</item>
/// </list>
/// A failure or a crash before the swap leaves the live tables as they were; the side schema is dropped on the next try.
/// </summary>
internal sealed class SideTableRebuild(
    PostgresEventStore store, Projection projection, Func<ISubscriptionAgent?> localAgent, ILogger? logger)
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SwapLockTimeout = TimeSpan.FromSeconds(5);
    private const int SwapAttempts = 3;

    private readonly string _schema = store.Options.Schema;
    private readonly string _shard = ProjectionAdmin.ShardOf(projection.Name);

    /// <summary>Where the new tables are built.</summary>
    public string SideSchema => Identifier($"{_schema}_rebuild_{projection.Name}");

    /// <summary>Where the old tables go for the moment of the swap.</summary>
    private string RetiredSchema => Identifier($"{_schema}_retired_{projection.Name}");

    /// <summary>Replays the log into the side tables and swaps them in; returns the position the new tables are at.</summary>
    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await PrepareAsync(connection, cancellationToken);
        try
        {
            var position = 0L;
            // The next page is read (on another connection, by Marten) while this one is applied and written.
            Task<Page>? next = null;
            try
            {
                while (true)
                {
                    var live = await LiveProgressAsync(connection, forUpdate: false, cancellationToken);
                    if (live - position <= projection.RebuildPageSize)
                    {
                        break;
                    }

                    var page = next is not null ? await next : await ReadPageAsync(position, live, cancellationToken);
                    next = page.End < live ? ReadPageAsync(page.End, live, cancellationToken) : null;
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await ApplyPageAsync(connection, page, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    position = page.End;
                }
            }
            finally
            {
                if (next is not null)
                {
                    await next.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }
            }

            return await SwapAsync(connection, position, cancellationToken);
        }
        catch
        {
            await DropSideSchemaAsync(connection);
            throw;
        }
    }

    private async Task PrepareAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"drop schema if exists {SideSchema} cascade"),
                new NpgsqlBatchCommand($"drop schema if exists {RetiredSchema} cascade"),
                new NpgsqlBatchCommand($"create schema {SideSchema}"),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await using var tables = new NpgsqlCommand(projection.TablesSql.Replace(Projection.SchemaPlaceholder, SideSchema, StringComparison.Ordinal), connection);
        await tables.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The events of a page and the position the side tables are at once it is applied.</summary>
    private sealed record Page(IReadOnlyList<RecordedEvent> Events, long End);

    /// <summary>The next page after <paramref name="after"/>, at most up to <paramref name="upTo"/>.</summary>
    private async Task<Page> ReadPageAsync(long after, long upTo, CancellationToken cancellationToken)
    {
        var events = await store.ReadRangeAsync(after, upTo, projection.RebuildPageSize, cancellationToken);
        // Fewer than a page: nothing else is stored up to upTo (sequence numbers a failed append took are never filled).
        return new Page(events, events.Count < projection.RebuildPageSize ? upTo : events[^1].GlobalPosition);
    }

    /// <summary>Applies a page to the side tables in the connection's transaction and records the progress.</summary>
    private async Task ApplyPageAsync(NpgsqlConnection connection, Page page, CancellationToken cancellationToken)
    {
        var (events, position) = (page.Events, page.End);
        var writes = new List<NpgsqlBatchCommand>();
        try
        {
            writes.AddRange(await ComputeAsync(connection, events, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException && projection.PoisonPolicy == PoisonEventPolicy.Skip && events.Count > 0)
        {
            // As on the daemon: the event that cannot be applied is skipped (the daemon has its dead letter), the rest applied.
            await ApplyOneByOneAsync(connection, events, cancellationToken);
        }

        writes.Add(Progress(position));
        await ExecuteAsync(connection, writes, cancellationToken);
    }

    private async Task<IReadOnlyList<NpgsqlBatchCommand>> ComputeAsync(
        NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var batch = new ProjectionBatch(events, SideSchema, _ => ValueTask.FromResult(connection));
        await projection.ApplyAsync(batch, cancellationToken);
        return batch.Writes;
    }

    private async Task ApplyOneByOneAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        foreach (var recorded in events)
        {
            IReadOnlyList<NpgsqlBatchCommand> writes;
            try
            {
                writes = await ComputeAsync(connection, [recorded], cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger?.LogWarning(e, "Rebuild of {Projection}: skipped the event at {Position} that it cannot apply", projection.Name, recorded.GlobalPosition);
                continue;
            }

            // Applied before the next is computed, which may read what this one wrote.
            await ExecuteAsync(connection, writes, cancellationToken);
        }
    }

    private NpgsqlBatchCommand Progress(long position)
    {
        var command = new NpgsqlBatchCommand($"update {_schema}.projection_controls set applied = $2, heartbeat_at = now() where name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projection.Name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        return command;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, IReadOnlyList<NpgsqlBatchCommand> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection);
        foreach (var write in writes)
        {
            batch.BatchCommands.Add(write);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The live projection's progress (0 before it has any), optionally locking its row until the transaction ends.</summary>
    private async Task<long> LiveProgressAsync(NpgsqlConnection connection, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"select last_seq_id from {_schema}.mt_event_progression where name = $1{(forUpdate ? " for update" : "")}", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _shard });
        return await command.ExecuteScalarAsync(cancellationToken) is long position ? position : 0;
    }

    private async Task<long> SwapAsync(NpgsqlConnection connection, long position, CancellationToken cancellationToken)
    {
        // This node's daemon: its next batch waits before it reads anything, and the one it may be applying settles, so no
        // batch computed from the old tables is committed onto the new ones.
        var stoppedBefore = projection.Stopped;
        projection.Stopped = true;
        try
        {
            await SettleAsync(connection, cancellationToken);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await SwapOnceAsync(connection, position, cancellationToken);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable && attempt < SwapAttempts)
                {
                    logger?.LogWarning("Rebuild of {Projection}: readers held its tables for {Timeout}; trying the swap again", projection.Name, SwapLockTimeout);
                }
            }
        }
        finally
        {
            projection.Stopped = stoppedBefore;
        }
    }

    private async Task SettleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (true)
        {
            var agent = localAgent();
            if (agent is null || agent.Status != JasperFx.AgentStatus.Running || projection.Holding
                || await LiveProgressAsync(connection, forUpdate: false, cancellationToken) >= projection.ComputedThrough)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"The live projection '{projection.Name}' did not finish its batch through {projection.ComputedThrough} within {SettleTimeout}; the live tables are unchanged.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private async Task<long> SwapOnceAsync(NpgsqlConnection connection, long position, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var timeout = new NpgsqlCommand($"set local lock_timeout = '{(int)SwapLockTimeout.TotalMilliseconds}ms'", connection))
        {
            await timeout.ExecuteNonQueryAsync(cancellationToken);
        }

        var live = await LiveProgressAsync(connection, forUpdate: true, cancellationToken);
        if (live < position)
        {
            throw new InvalidOperationException(
                $"The progress of '{projection.Name}' went back from {position} to {live} during the rebuild (was it reset?); the live tables are unchanged.");
        }

        while (position < live)
        {
            var page = await ReadPageAsync(position, live, cancellationToken);
            await ApplyPageAsync(connection, page, cancellationToken);
            position = page.End;
        }

        await using (var existing = new NpgsqlCommand(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'p')", connection))
        {
            existing.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _schema });
            var liveTables = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    liveTables.Add(reader.GetString(0));
                }
            }

            await using var swap = new NpgsqlBatch(connection);
            swap.BatchCommands.Add(new NpgsqlBatchCommand($"create schema {RetiredSchema}"));
            foreach (var table in projection.Tables)
            {
                if (liveTables.Contains(table))
                {
                    swap.BatchCommands.Add(new NpgsqlBatchCommand($"alter table {_schema}.{table} set schema {RetiredSchema}"));
                }

                swap.BatchCommands.Add(new NpgsqlBatchCommand($"alter table {SideSchema}.{table} set schema {_schema}"));
            }

            swap.BatchCommands.Add(new NpgsqlBatchCommand($"drop schema {RetiredSchema} cascade"));
            swap.BatchCommands.Add(new NpgsqlBatchCommand($"drop schema {SideSchema} cascade"));
            swap.BatchCommands.Add(Progress(position));
            await swap.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return position;
    }

    private async Task DropSideSchemaAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                return;
            }

            await using var drop = new NpgsqlCommand($"drop schema if exists {SideSchema} cascade", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger?.LogWarning(e, "Rebuild of {Projection}: could not drop {Schema}; the next rebuild drops it", projection.Name, SideSchema);
        }
    }

    private static string Identifier(string name) =>
        name.Length <= 63 ? name : throw new InvalidOperationException($"'{name}' is longer than PostgreSQL's 63 characters for a name; use a shorter schema or projection name.");
}

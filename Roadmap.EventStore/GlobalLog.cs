using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Roadmap.EventStore;

public sealed partial class PostgresEventStore
{
    private readonly string _globalReadSql;
    private readonly string _headSql;
    private readonly string _globalReadOfTypesSql;
    private readonly string _globalReachedSql;

    // Why (transaction_id, global_position) and pg_snapshot_xmin instead of "position > checkpoint":
    // identity values are taken when a row is inserted but become visible when its transaction commits, so
    // position 11 can be visible while position 10 is still in flight. A reader that moves its checkpoint to
    // 11 never sees 10. Marten's async daemon skipped such "gaps" after a stale timeout and lost events in the
    // field (marten #3122, #4952, #4953, #4964); Eventuous#222 reported skipped events the same way.
    // Here a reader only reads events whose writing transaction is older than the oldest transaction still
    // running (pg_snapshot_xmin of its own snapshot): every such transaction has ended, so nothing below that
    // line can still appear, and nothing uncommitted is shown. A transaction that starts later gets a larger
    // id, so it sorts after the checkpoint. No timeout, no gap detection. The cost: one long-open transaction
    // holds all readers back, which is why service connections set idle_in_transaction_session_timeout
    // (EventStoreDataSource) and projection status shows the lag.
    private static string BuildGlobalReadSql(string schema) =>
        $"""
        select e.global_position, e.transaction_id::text as transaction_id_text, e.stream_id, version, event_id, event_type, schema_version,
               e.data, e.metadata::text, e.recorded_at, e.archived
          from {schema}.events e
         where (e.transaction_id, e.global_position) > ($1::text::xid8, $2)
           and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         -- Qualified on purpose: an unqualified ORDER BY name binds to the output column first, and the text
         -- copy of transaction_id sorts "10" before "9".
         order by e.transaction_id, e.global_position
         limit $3
        """;

    private static string BuildGlobalReadOfTypesSql(string schema) =>
        $"""
        select e.global_position, e.transaction_id::text as transaction_id_text, e.stream_id, version, event_id, event_type, schema_version,
               e.data, e.metadata::text, e.recorded_at, e.archived
          from {schema}.events e
         where (e.transaction_id, e.global_position) > ($1::text::xid8, $2)
           and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           and e.event_type = any($4)
         order by e.transaction_id, e.global_position
         limit $3
        """;

    /// <summary>The last event below the snapshot's xmin: how far a filtered read has looked when it ran out of matches.</summary>
    private static string BuildGlobalReachedSql(string schema) =>
        $"""
        select e.transaction_id::text, e.global_position
          from {schema}.events e
         where e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         order by e.transaction_id desc, e.global_position desc
         limit 1
        """;

    /// <summary>
    /// Reads the next batch of the global log after <paramref name="after"/>, never past an event whose
    /// transaction might still commit. Events of archived streams are left out unless asked for; the checkpoint
    /// moves past them either way.
    /// </summary>
    public async Task<GlobalLogPage> ReadAllAsync(
        GlobalCheckpoint after, int batchSize = 500, bool includeArchived = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAllAsync(connection, null, after, batchSize, includeArchived, cancellationToken);
    }

    /// <summary>The same read on the caller's connection (a projection runner reads and writes in one transaction).</summary>
    public async Task<GlobalLogPage> ReadAllAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        GlobalCheckpoint after,
        int batchSize = 500,
        bool includeArchived = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        await using var command = new NpgsqlCommand(_globalReadSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after.TransactionId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });

        var events = new List<RecordedEvent>(Math.Min(batchSize, 1024));
        var next = after;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var recorded = ReadEvent(reader);
            next = recorded.Checkpoint;
            if (includeArchived || !recorded.Archived)
            {
                events.Add(recorded);
            }
        }

        return new GlobalLogPage(events, next);
    }

    /// <summary>
    /// Reads the next events of the given stored types after <paramref name="after"/>, under the same rule as the
    /// unfiltered read, for consumers that want a few types out of a long log (the integration feed). When fewer
    /// than <paramref name="batchSize"/> events match, <see cref="GlobalLogPage.Next"/> is the last event of any
    /// type that is safe to read, so the caller does not scan the same unrelated events again.
    /// </summary>
    public async Task<GlobalLogPage> ReadAllAsync(
        GlobalCheckpoint after,
        IReadOnlyCollection<string> eventTypes,
        int batchSize = 500,
        bool includeArchived = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(eventTypes);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // Both statements must see one snapshot: with a fresh snapshot the "reached" point could move past a
        // matching event that committed between them, and the caller would skip it.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var page = new NpgsqlBatchCommand(_globalReadOfTypesSql);
        page.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after.TransactionId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        page.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        page.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });
        page.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = eventTypes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.BatchCommands.Add(page);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_globalReachedSql));

        var events = new List<RecordedEvent>(Math.Min(batchSize, 1024));
        var matched = 0;
        var next = after;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var recorded = ReadEvent(reader);
                matched++;
                next = recorded.Checkpoint;
                if (includeArchived || !recorded.Archived)
                {
                    events.Add(recorded);
                }
            }

            await reader.NextResultAsync(cancellationToken);
            if (matched < batchSize && await reader.ReadAsync(cancellationToken))
            {
                var reached = new GlobalCheckpoint(ulong.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(1));
                if (reached > next)
                {
                    next = reached;
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new GlobalLogPage(events, next);
    }

    /// <summary>The highest global position stored (committed or not yet visible to readers); 0 when empty.</summary>
    public async Task<long> GetHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(_headSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

using Marten;
using Npgsql;

namespace Roadmap.EventStore;

public sealed partial class PostgresEventStore
{
    private readonly string _globalReadSql;
    private readonly string _globalReadOfTypesSql;
    private readonly string _highWaterSql;
    private readonly string _headSql;

    // Why a high water mark and not "everything after the checkpoint": sequence numbers are taken when a row is
    // inserted but become visible when its transaction commits, so 11 can be visible while 10 is still in flight;
    // a reader that moved to 11 would never see 10. Marten's async daemon keeps a high water mark below which no
    // live transaction can still add an event (it holds the mark while one may, and records a gap as skipped only
    // once its reserving transaction provably ended), in mt_event_progression, readable from every node. Readers
    // here never go past it. docs/0011 has what was tested.
    private static string BuildGlobalReadSql(string schema) =>
        $"""
        select e.seq_id from {schema}.mt_events e
         where e.seq_id > $1 and e.seq_id <= $2
         order by e.seq_id
         limit $3
        """;

    private static string BuildGlobalReadOfTypesSql(string schema) =>
        $"""
        select e.seq_id from {schema}.mt_events e
         where e.seq_id > $1 and e.seq_id <= $2 and e.type = any($4)
         order by e.seq_id
         limit $3
        """;

    /// <summary>The daemon's high water mark: every event at or below it is committed or will never exist.</summary>
    public async Task<long> GetHighWaterMarkAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(_highWaterSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The next batch of the global log after <paramref name="after"/>, never past the high water mark.</summary>
    public Task<GlobalLogPage> ReadAllAsync(GlobalCheckpoint after, int batchSize = 500, CancellationToken cancellationToken = default) =>
        ReadAsync(after, null, batchSize, cancellationToken);

    /// <summary>
    /// The next events of the given stored types after <paramref name="after"/>, under the same rule. When fewer
    /// than <paramref name="batchSize"/> match, <see cref="GlobalLogPage.Next"/> is the high water mark read
    /// before, so the caller does not scan the same unrelated events again.
    /// </summary>
    public Task<GlobalLogPage> ReadAllAsync(
        GlobalCheckpoint after, IReadOnlyCollection<string> eventTypes, int batchSize = 500, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventTypes);
        return ReadAsync(after, eventTypes, batchSize, cancellationToken);
    }

    private async Task<GlobalLogPage> ReadAsync(GlobalCheckpoint after, IReadOnlyCollection<string>? eventTypes, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var mark = await GetHighWaterMarkAsync(cancellationToken);
        if (mark <= after.Position)
        {
            return new GlobalLogPage([], after);
        }

        var sequences = new List<long>(Math.Min(batchSize, 1024));
        await using (var command = _dataSource.CreateCommand(eventTypes is null ? _globalReadSql : _globalReadOfTypesSql))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = mark });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
            if (eventTypes is not null)
            {
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = eventTypes.ToArray() });
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sequences.Add(reader.GetInt64(0));
            }
        }

        if (sequences.Count == 0)
        {
            return new GlobalLogPage([], new GlobalCheckpoint(mark));
        }

        var events = await ReadSequencesAsync(sequences, cancellationToken);
        var next = sequences.Count < batchSize ? new GlobalCheckpoint(mark) : events[^1].Checkpoint;
        return new GlobalLogPage(events, next);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="after"/> and at or below <paramref name="upTo"/>, in log
    /// order, deserialized by Marten; for a reader that knows every event up to <paramref name="upTo"/> is committed (a
    /// projection's progress, the high water mark), such as a rebuild.
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadRangeAsync(long after, long upTo, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (upTo <= after)
        {
            return [];
        }

        await using var session = Marten.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= upTo)
            .OrderBy(e => e.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return events.Select(Recorded).ToList();
    }

    /// <summary>Events by their sequence numbers, deserialized (and upcast) by Marten, in log order.</summary>
    private async Task<IReadOnlyList<RecordedEvent>> ReadSequencesAsync(List<long> sequences, CancellationToken cancellationToken)
    {
        await using var session = Marten.QuerySession();
        var wanted = sequences.ToArray();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => wanted.Contains(e.Sequence))
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);
        return events.Select(Recorded).ToList();
    }

    /// <summary>The highest sequence stored (committed or not yet visible to readers); 0 when empty.</summary>
    public async Task<long> GetHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(_headSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

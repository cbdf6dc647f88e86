using Npgsql;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>One read-model row: what the projection stored for one event, and how often it was applied.</summary>
public sealed record AppliedRow(
    Guid EventId, long GlobalPosition, string StreamId, long Version, string EventType, int? Amount, DateTimeOffset RecordedAt, string AppliedBy, int Times);

/// <summary>
/// A projection that records every event it applies in <c>__schema__.{name}_applied</c>, keyed by event id, with
/// an upsert that counts applications: applying an event twice shows up as <c>times = 2</c>. Deterministic (no
/// now()), so a rebuild yields the same rows. It records which instance applied each event, and can be told to
/// fail on chosen events or to wait before it writes.
/// </summary>
public sealed class RecordingProjection(string name, string instance = "test") : Projection
{
    private volatile Func<RecordedEvent, bool>? _failOn;
    private volatile Func<ProjectionBatch, Task>? _beforeWrite;
    private int _batches;
    private int _failures;
    private int _lastProcessId;

    public override string Name => name;

    public string Table => $"{name}_applied";

    public override IReadOnlyList<string> Tables => [Table];

    public override string TablesSql =>
        $"""
        create table if not exists {SchemaPlaceholder}.{Table} (
          event_id        uuid        primary key,
          global_position bigint      not null,
          stream_id       text        not null,
          version         bigint      not null,
          event_type      text        not null,
          amount          integer,
          recorded_at     timestamptz not null,
          applied_by      text        not null,
          times           integer     not null
        )
        """;

    public PoisonEventPolicy Policy { get; init; } = PoisonEventPolicy.Skip;

    public override PoisonEventPolicy PoisonPolicy => Policy;

    public int Attempts { get; init; } = 3;

    public override int MaxAttempts => Attempts;

    /// <summary>Events for which ApplyAsync throws (checked before anything is written).</summary>
    public Func<RecordedEvent, bool>? FailOn
    {
        get => _failOn;
        set => _failOn = value;
    }

    /// <summary>Awaited at the start of every batch, before any write (so the batch's transaction holds no xid yet).</summary>
    public Func<ProjectionBatch, Task>? BeforeWrite
    {
        get => _beforeWrite;
        set => _beforeWrite = value;
    }

    /// <summary>How many batches this instance was asked to apply (including ones that failed or rolled back).</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>How many times <see cref="FailOn"/> made a batch throw.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>The server process of the connection of the last batch: lets a test kill it mid-batch.</summary>
    public int LastProcessId => Volatile.Read(ref _lastProcessId);

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batches);
        Volatile.Write(ref _lastProcessId, batch.Connection.ProcessID);
        if (BeforeWrite is { } beforeWrite)
        {
            await beforeWrite(batch);
        }

        if (FailOn is { } failOn && batch.Events.FirstOrDefault(failOn) is { } poison)
        {
            Interlocked.Increment(ref _failures);
            throw new InvalidOperationException($"{name} cannot apply event {poison.EventId}");
        }

        await using var sql = batch.Batch();
        foreach (var e in batch.Events)
        {
            var command = new NpgsqlBatchCommand(
                $"""
                insert into {batch.Table(Table)} as a (event_id, global_position, stream_id, version, event_type, amount, recorded_at, applied_by, times)
                values ($1, $2, $3, $4, $5, $6, $7, $8, 1)
                on conflict (event_id) do update set times = a.times + 1
                """);
            command.Parameters.AddWithValue(e.EventId);
            command.Parameters.AddWithValue(e.GlobalPosition);
            command.Parameters.AddWithValue(e.StreamId);
            command.Parameters.AddWithValue(e.Version);
            command.Parameters.AddWithValue(e.EventType);
            command.Parameters.Add(new NpgsqlParameter<int?> { TypedValue = e.Data is CounterIncremented inc ? inc.By : null, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.AddWithValue(e.RecordedAt);
            command.Parameters.AddWithValue(instance);
            sql.BatchCommands.Add(command);
        }

        await sql.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Options, appends, waits and reads shared by the projection tests.</summary>
public static class ProjectionTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static ProjectionDaemonOptions FastOptions(
        string instanceId = "host-a", int batchSize = 500, Func<string, IReadOnlyList<RecordedEvent>, Task>? beforeCommit = null) => new()
    {
        InstanceId = instanceId,
        BatchSize = batchSize,
        RebuildBatchSize = batchSize,
        PollInterval = TimeSpan.FromMilliseconds(100),
        LockRetryInterval = TimeSpan.FromMilliseconds(200),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        BeforeCommit = beforeCommit,
    };

    /// <summary>Appends <paramref name="count"/> increments, one append each, to streams of its own; returns what was stored.</summary>
    public static async Task<List<RecordedEvent>> AppendIncrementsAsync(PostgresEventStore store, int count, int streams = 3, string tag = "p")
    {
        var prefix = $"{tag}-{Guid.NewGuid():N}"[..16];
        var recorded = new List<RecordedEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var result = await store.AppendAsync($"{prefix}-{i % streams}", "counter", ExpectedVersion.Any, [TestEvents.New(new CounterIncremented(prefix, i + 1))]);
            recorded.AddRange(result.Events);
        }

        return recorded;
    }

    public static async Task<List<AppliedRow>> ReadAppliedAsync(NpgsqlDataSource dataSource, string schema, RecordingProjection projection)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select event_id, global_position, stream_id, version, event_type, amount, recorded_at, applied_by, times
              from {schema}.{projection.Table} order by global_position
            """);
        var rows = new List<AppliedRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new AppliedRow(
                reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7), reader.GetInt32(8)));
        }

        return rows;
    }

    /// <summary>The oracle: every (unarchived) event of the log, straight from the events table, as the projection should store it.</summary>
    public static async Task<List<AppliedRow>> FoldLogAsync(NpgsqlDataSource dataSource, string schema, string appliedBy)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select event_id, global_position, stream_id, version, event_type, (data->>'by')::int, recorded_at
              from {schema}.events where not archived order by global_position
            """);
        var rows = new List<AppliedRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new AppliedRow(
                reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6), appliedBy, 1));
        }

        return rows;
    }

    public static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Task<long> CountEventsAsync(NpgsqlDataSource dataSource, string schema) =>
        ScalarAsync(dataSource, $"select count(*) from {schema}.events where not archived");

    /// <summary>Asserts that every event of the log is in the read model exactly once, and nothing else is.</summary>
    public static async Task AssertEveryEventAppliedOnceAsync(NpgsqlDataSource dataSource, string schema, RecordingProjection projection)
    {
        var rows = await ReadAppliedAsync(dataSource, schema, projection);
        var log = await FoldLogAsync(dataSource, schema, "any");
        var twice = rows.Where(r => r.Times != 1).ToList();
        Assert.True(twice.Count == 0, $"Applied more than once: {string.Join(", ", twice.Select(r => $"{r.GlobalPosition}×{r.Times}"))}");
        var missing = log.Select(e => e.EventId).Except(rows.Select(r => r.EventId)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {log.Count} events never applied");
        Assert.Equal(log.Count, rows.Count);
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Gave up waiting: {what}");
            await Task.Delay(20);
        }
    }

    public static async Task<ProjectionStatus> StatusAsync(PostgresEventStore store, string name) =>
        await new ProjectionAdmin(store).GetStatusAsync(name) ?? throw new InvalidOperationException($"No status for projection '{name}'.");

    public static Task WaitForCatchUpAsync(PostgresEventStore store, string name, RecordedEvent last) =>
        new ProjectionAdmin(store).WaitForCatchUpAsync(name, last.GlobalPosition, Patience);
}

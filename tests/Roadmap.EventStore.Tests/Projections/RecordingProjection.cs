using Npgsql;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>One read-model row: what the projection stored for one event, and how often it was applied.</summary>
public sealed record AppliedRow(long Sequence, Guid EventId, string StreamId, long Version, string EventType, int? Amount, string AppliedBy, int Times);

/// <summary>
/// An async projection that records every event it applies in <c>__schema__.{name}_applied</c>, with a primary key on
/// the event's sequence (<c>mt_events.seq_id</c>) and an upsert that counts applications: an event applied twice shows
/// as <c>times = 2</c>. It stamps each row with the node that applied it, and can be told to fail on chosen events
/// or to wait before it queues its writes.
/// </summary>
public sealed class RecordingProjection(string name, string node = "test") : Projection
{
    private volatile Func<RecordedEvent, bool>? _failOn;
    private volatile Func<ProjectionBatch, CancellationToken, Task>? _beforeApply;
    private int _batches;

    public override string Name => name;

    public string Table => $"{name}_applied";

    public string Node => node;

    public override IReadOnlyList<string> Tables => [Table];

    public override string TablesSql =>
        $"""
        create table if not exists {SchemaPlaceholder}.{Table} (
          seq        bigint  primary key,
          event_id   uuid    not null,
          stream_id  text    not null,
          version    bigint  not null,
          event_type text    not null,
          amount     integer,
          applied_by text    not null,
          times      integer not null
        )
        """;

    public PoisonEventPolicy Policy { get; init; } = PoisonEventPolicy.Skip;

    public override PoisonEventPolicy PoisonPolicy => Policy;

    /// <summary>Events the projection cannot apply: it throws before queueing anything.</summary>
    public Func<RecordedEvent, bool>? FailOn
    {
        get => _failOn;
        set => _failOn = value;
    }

    /// <summary>Awaited at the start of every batch, before anything is queued.</summary>
    public Func<ProjectionBatch, CancellationToken, Task>? BeforeApply
    {
        get => _beforeApply;
        set => _beforeApply = value;
    }

    /// <summary>How many batches this instance was asked to apply (including ones that failed).</summary>
    public int Batches => Volatile.Read(ref _batches);

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batches);
        if (BeforeApply is { } beforeApply)
        {
            await beforeApply(batch, cancellationToken);
        }

        if (FailOn is { } failOn && batch.Events.FirstOrDefault(failOn) is { } poison)
        {
            throw new InvalidOperationException($"{name} cannot apply event {poison.EventId} at {poison.GlobalPosition}");
        }

        foreach (var e in batch.Events)
        {
            batch.Write(
                $"""
                insert into {batch.Table(Table)} as a (seq, event_id, stream_id, version, event_type, amount, applied_by, times)
                values ($1, $2, $3, $4, $5, $6, $7, 1)
                on conflict (seq) do update set times = a.times + 1, applied_by = a.applied_by || '+' || excluded.applied_by
                """,
                e.GlobalPosition, e.EventId, e.StreamId, e.Version, e.EventType,
                new NpgsqlParameter<int?> { TypedValue = e.Data is CounterIncremented inc ? inc.By : null, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer },
                node);
        }
    }

    public async Task<List<AppliedRow>> RowsAsync(TestSchema schema)
    {
        await using var command = schema.DataSource.CreateCommand(
            $"select seq, event_id, stream_id, version, event_type, amount, applied_by, times from {schema.Schema}.{Table} order by seq");
        var rows = new List<AppliedRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new AppliedRow(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetString(6), reader.GetInt32(7)));
        }

        return rows;
    }
}

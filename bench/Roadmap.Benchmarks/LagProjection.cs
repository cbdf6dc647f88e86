using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore.Projections;

namespace Roadmap.Benchmarks;

/// <summary>
/// The async projection of <c>projection-lag</c>: one row per event, written with one multi-row insert per batch,
/// plus a NOTIFY in the same transaction that tells the <see cref="VisibilityObserver"/> how far the batch reached.
/// Both statements go in one NpgsqlBatch: one round trip per batch, whatever its size.
/// </summary>
internal sealed class LagProjection(string channel) : Projection
{
    public const string Table = "lag_seen";

    public override string Name => "bench_lag";

    public override IReadOnlyList<string> Tables { get; } = [Table];

    public override string TablesSql =>
        $"""
        create table if not exists {SchemaPlaceholder}.{Table} (
          event_id        uuid   primary key,
          global_position bigint not null,
          stream_id       text   not null
        )
        """;

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Events;
        var ids = new Guid[events.Count];
        var positions = new long[events.Count];
        var streams = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            ids[i] = events[i].EventId;
            positions[i] = events[i].GlobalPosition;
            streams[i] = events[i].StreamId;
        }

        await using var command = batch.Batch();
        command.BatchCommands.Add(new NpgsqlBatchCommand(
            $"insert into {batch.Table(Table)} (event_id, global_position, stream_id) select * from unnest($1::uuid[], $2::bigint[], $3::text[])")
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = ids },
                new NpgsqlParameter<long[]> { TypedValue = positions },
                new NpgsqlParameter<string[]> { TypedValue = streams, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            },
        });
        if (!batch.IsRebuild && events.Count > 0)
        {
            var last = events[^1].Checkpoint;
            command.BatchCommands.Add(new NpgsqlBatchCommand("select pg_notify($1, $2)")
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = channel },
                    new NpgsqlParameter<string> { TypedValue = string.Create(CultureInfo.InvariantCulture, $"{last.TransactionId}/{last.Position}/{events.Count}") },
                },
            });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore.Projections;

namespace Roadmap.Benchmarks;

/// <summary>
/// The async projection of <c>projection-lag</c>: one row per event, written with one multi-row insert per batch,
/// plus a NOTIFY in the same transaction that tells the <see cref="VisibilityObserver"/> how far the batch reached.
/// Both statements are queued on the batch; Marten's daemon sends them with its progress update in one transaction.
/// </summary>
internal sealed class LagProjection(string channel) : Projection
{
    public const string Table = "lag_seen";

    public const string ProjectionName = "bench_lag";

    public override string Name => ProjectionName;

    public override IReadOnlyList<string> Tables { get; } = [Table];

    public override string TablesSql =>
        $"""
        create table if not exists {SchemaPlaceholder}.{Table} (
          event_id        uuid   primary key,
          global_position bigint not null,
          stream_id       text   not null
        )
        """;

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Events;
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        var ids = new Guid[events.Count];
        var positions = new long[events.Count];
        var streams = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            ids[i] = events[i].EventId;
            positions[i] = events[i].GlobalPosition;
            streams[i] = events[i].StreamId;
        }

        batch.Write(
            $"insert into {batch.Table(Table)} (event_id, global_position, stream_id) select * from unnest($1::uuid[], $2::bigint[], $3::text[])",
            new NpgsqlParameter<Guid[]> { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
            new NpgsqlParameter<long[]> { TypedValue = positions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
            new NpgsqlParameter<string[]> { TypedValue = streams, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.Write(
            "select pg_notify($1, $2)",
            new NpgsqlParameter<string> { TypedValue = channel, NpgsqlDbType = NpgsqlDbType.Text },
            new NpgsqlParameter<string>
            {
                TypedValue = string.Create(CultureInfo.InvariantCulture, $"{events[^1].GlobalPosition}/{events.Count}"),
                NpgsqlDbType = NpgsqlDbType.Text,
            });
        return Task.CompletedTask;
    }
}

using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>An inline projection keyed by event id: a row per event, with the version the projection was handed.</summary>
public sealed class InlineIndex(string name) : Projection
{
    private volatile Func<RecordedEvent, bool>? _failOn;

    public override string Name => name;

    public string Table => $"{name}_rows";

    public override IReadOnlyList<string> Tables => [Table];

    public override string TablesSql =>
        $"create table if not exists {SchemaPlaceholder}.{Table} (event_id uuid primary key, stream_id text not null, version bigint not null, amount integer, times integer not null)";

    public Func<RecordedEvent, bool>? FailOn
    {
        get => _failOn;
        set => _failOn = value;
    }

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch.Events)
        {
            if (FailOn is { } failOn && failOn(e))
            {
                throw new InvalidOperationException($"{name} cannot apply event {e.EventId}");
            }

            batch.Write(
                $"""
                insert into {batch.Table(Table)} as r (event_id, stream_id, version, amount, times) values ($1, $2, $3, $4, 1)
                on conflict (event_id) do update set times = r.times + 1
                """,
                e.EventId, e.StreamId, e.Version, e.Data is CounterIncremented inc ? inc.By : null);
        }

        return Task.CompletedTask;
    }

    public async Task<List<(Guid EventId, long Version, int? Amount, int Times)>> RowsAsync(TestSchema schema, string streamId)
    {
        await using var command = schema.DataSource.CreateCommand($"select event_id, version, amount, times from {schema.Schema}.{Table} where stream_id = $1 order by version, event_id");
        command.Parameters.AddWithValue(streamId);
        var rows = new List<(Guid, long, int?, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetInt32(3)));
        }

        return rows;
    }
}

/// <summary>Our SQL projections hosted inline by Marten (<see cref="MartenProjection"/>): in the append's transaction.</summary>
public sealed class InlineProjectionTests(TestSchema db) : IClassFixture<TestSchema>
{
    private async Task<(PostgresEventStore Store, InlineIndex Index)> StoreWithAsync(string name)
    {
        var index = new InlineIndex(name);
        return (await db.StoreAsync([new ProjectionRegistration(index, ProjectionLifecycle.Inline)]), index);
    }

    [Fact]
    public async Task The_read_model_is_written_in_the_append_transaction_and_visible_when_the_append_returns()
    {
        var (store, index) = await StoreWithAsync("inline_visible");
        var stream = NewStream();

        var first = await store.AppendAsync(stream, ExpectedVersion.NoStream,
            [New(new CounterOpened(stream, "Kfz-Zulassung", DateTimeOffset.UnixEpoch)), New(new CounterIncremented(stream, 5))]);
        Assert.Equal(first.Events.Select(e => (e.EventId, e.Version, (int?)(e.Data is CounterIncremented i ? i.By : null), 1)), await index.RowsAsync(db, stream));

        var second = await store.AppendAsync(stream, ExpectedVersion.Exactly(2), [New(new CounterIncremented(stream, 7)), New(new CounterIncremented(stream, 8))]);
        var rows = await index.RowsAsync(db, stream);
        Assert.Equal(4, rows.Count);
        Assert.Equal(second.Events.Select(e => (e.EventId, e.Version)), rows.Skip(2).Select(r => (r.EventId, r.Version)));
        Assert.Equal([3L, 4L], rows.Skip(2).Select(r => r.Version));
    }

    [Fact]
    public async Task A_throwing_inline_projection_fails_the_append_with_its_own_error_and_nothing_is_stored()
    {
        var (store, index) = await StoreWithAsync("inline_throws");
        var stream = NewStream();
        var poison = New(new CounterIncremented(stream, 13));
        index.FailOn = e => e.EventId == poison.EventId;
        var eventsBefore = await db.ScalarAsync($"select count(*) from {db.Schema}.mt_events");

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterIncremented(stream, 1)), poison]));

        Assert.Contains($"cannot apply event {poison.EventId}", error.ToString(), StringComparison.Ordinal);
        Assert.Null(await store.GetStreamAsync(stream));
        Assert.Equal(eventsBefore, await db.ScalarAsync($"select count(*) from {db.Schema}.mt_events"));
        Assert.Empty(await index.RowsAsync(db, stream));

        // Once the projection can apply it, the same append goes through and is applied once.
        index.FailOn = null;
        var stored = await store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterIncremented(stream, 1)), poison]);
        Assert.False(stored.WasAlreadyStored);
        Assert.Equal(2, (await index.RowsAsync(db, stream)).Count);
    }

    [Fact]
    public async Task A_retried_append_is_not_applied_again()
    {
        var (store, index) = await StoreWithAsync("inline_retry");
        var stream = NewStream();
        NewEvent[] events = [New(new CounterIncremented(stream, 1)), New(new CounterIncremented(stream, 2))];

        var original = await store.AppendAsync(stream, ExpectedVersion.NoStream, events);
        var retry = await store.AppendAsync(stream, ExpectedVersion.NoStream, events);

        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(original.GlobalPositions, retry.GlobalPositions);
        var rows = await index.RowsAsync(db, stream);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(1, r.Times));
    }

    [Fact]
    public async Task An_append_in_a_rolled_back_caller_transaction_leaves_no_read_model_row()
    {
        var (store, index) = await StoreWithAsync("inline_rollback");
        var stream = NewStream();

        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await store.AppendAsync(connection, transaction, stream, ExpectedVersion.NoStream, [New(new CounterIncremented(stream, 1))]);
            await using var inside = new Npgsql.NpgsqlCommand($"select count(*) from {db.Schema}.{index.Table} where stream_id = $1", connection, transaction);
            inside.Parameters.AddWithValue(stream);
            Assert.Equal(1L, await inside.ExecuteScalarAsync());
            await transaction.RollbackAsync();
        }

        Assert.Null(await store.GetStreamAsync(stream));
        Assert.Empty(await index.RowsAsync(db, stream));
    }
}

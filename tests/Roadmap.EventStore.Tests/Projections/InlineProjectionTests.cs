using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionTestKit;

namespace Roadmap.EventStore.Tests.Projections;

public sealed class InlineProjectionTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private async Task<PostgresEventStore> StoreWithAsync(RecordingProjection projection)
    {
        var store = new PostgresEventStore(db.DataSource, new EventStoreOptions(db.Schema, db.Types), [projection]);
        await ProjectionDaemon.EnsureProjectionTablesAsync(store, [projection], withCheckpoints: false);
        return store;
    }

    [Fact]
    public async Task The_read_model_is_written_in_the_append_transaction_and_visible_when_the_append_returns()
    {
        var projection = new RecordingProjection("inline_visible");
        var store = await StoreWithAsync(projection);
        var stream = $"inline-{Guid.NewGuid():N}";

        var first = await store.AppendAsync(stream, "counter", ExpectedVersion.NoStream,
            [TestEvents.New(new CounterOpened(stream, "Kfz-Zulassung", DateTimeOffset.UnixEpoch)), TestEvents.New(new CounterIncremented(stream, 5))]);
        var rows = await ReadAppliedAsync(db.DataSource, db.Schema, projection);

        Assert.Equal(first.Events.Select(e => (e.EventId, e.GlobalPosition, e.Version)), rows.Select(r => (r.EventId, r.GlobalPosition, r.Version)));
        Assert.Equal(new int?[] { null, 5 }, rows.Select(r => r.Amount));
        Assert.All(rows, r => Assert.Equal(1, r.Times));

        var second = await store.AppendAsync(stream, "counter", ExpectedVersion.Exactly(2), [TestEvents.New(new CounterIncremented(stream, 7))]);
        rows = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        Assert.Equal(3, rows.Count);
        Assert.Equal(second.Events[0].EventId, rows[^1].EventId);
        Assert.Equal(7, rows[^1].Amount);
    }

    [Fact]
    public async Task A_throwing_inline_projection_fails_the_append_and_nothing_is_stored()
    {
        var projection = new RecordingProjection("inline_throws");
        var store = await StoreWithAsync(projection);
        var stream = $"inline-{Guid.NewGuid():N}";
        var poison = TestEvents.New(new CounterIncremented(stream, 13));
        projection.FailOn = e => e.EventId == poison.EventId;
        var eventsBefore = await CountEventsAsync(db.DataSource, db.Schema);

        var error = await Assert.ThrowsAsync<InlineProjectionException>(() =>
            store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterIncremented(stream, 1)), poison]));

        Assert.Equal("inline_throws", error.Projection);
        Assert.Contains(stream, error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Null(await store.GetStreamAsync(stream));
        Assert.Equal(0, await ScalarAsync(db.DataSource, $"select count(*) from {db.Schema}.events where stream_id = $1", stream));
        Assert.Equal(eventsBefore, await CountEventsAsync(db.DataSource, db.Schema));
        Assert.Empty(await ReadAppliedAsync(db.DataSource, db.Schema, projection));

        // Once the projection can apply it, the same append goes through and is applied once.
        projection.FailOn = null;
        var stored = await store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterIncremented(stream, 1)), poison]);
        Assert.Equal(2, stored.NextExpectedVersion);
        Assert.Equal(2, (await ReadAppliedAsync(db.DataSource, db.Schema, projection)).Count);
    }

    [Fact]
    public async Task A_retried_append_is_not_applied_again()
    {
        var projection = new RecordingProjection("inline_retry");
        var store = await StoreWithAsync(projection);
        var stream = $"inline-{Guid.NewGuid():N}";
        NewEvent[] events = [TestEvents.New(new CounterIncremented(stream, 1)), TestEvents.New(new CounterIncremented(stream, 2))];

        var original = await store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, events);
        var retry = await store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, events);

        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(original.GlobalPositions, retry.GlobalPositions);
        var rows = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(1, r.Times));
    }

    [Fact]
    public async Task An_append_in_a_rolled_back_caller_transaction_leaves_no_read_model_row()
    {
        var projection = new RecordingProjection("inline_rollback");
        var store = await StoreWithAsync(projection);
        var stream = $"inline-{Guid.NewGuid():N}";

        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await store.AppendAsync(connection, transaction, stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterIncremented(stream, 1))]);
            await using var inside = new Npgsql.NpgsqlCommand($"select count(*) from {db.Schema}.{projection.Table}", connection, transaction);
            Assert.Equal(1L, await inside.ExecuteScalarAsync());
            await transaction.RollbackAsync();
        }

        Assert.Null(await store.GetStreamAsync(stream));
        Assert.Empty(await ReadAppliedAsync(db.DataSource, db.Schema, projection));
    }
}

using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

public sealed class AppendTests(TestSchema db) : IClassFixture<TestSchema>
{
    private readonly PostgresEventStore _store = db.Store;

    [Fact]
    public async Task Append_to_a_new_stream_stores_versions_stable_names_and_the_data()
    {
        var stream = NewStream();
        var opened = New(new CounterOpened(stream, "Einwohnermeldewesen", DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture)));
        var incremented = New(new CounterIncremented(stream, 3));

        var result = await _store.AppendAsync(stream, ExpectedVersion.NoStream, [opened, incremented]);

        Assert.Equal(2, result.NextExpectedVersion);
        Assert.False(result.WasAlreadyStored);
        Assert.Equal(2, result.GlobalPositions.Count);
        Assert.True(result.GlobalPositions[0] < result.GlobalPositions[1]);
        Assert.Equal([1L, 2L], result.Events.Select(e => e.Version));

        var events = await _store.ReadStreamAsync(stream);
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
        Assert.Equal(result.GlobalPositions, events.Select(e => e.GlobalPosition));
        Assert.Equal([opened.EventId, incremented.EventId], events.Select(e => e.EventId));
        Assert.Equal(["counter.opened", "counter.incremented"], events.Select(e => e.EventType));
        Assert.Equal(opened.Data, events[0].Data);
        Assert.Equal(new CounterIncremented(stream, 3), events[1].Data);

        // What is in the table: our ids, positions and stable names, never a CLR name.
        await using var command = db.DataSource.CreateCommand($"select seq_id, id, version, type from {db.Schema}.mt_events where stream_id = $1 order by version");
        command.Parameters.AddWithValue(stream);
        await using var reader = await command.ExecuteReaderAsync();
        foreach (var expected in events)
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(expected.GlobalPosition, reader.GetInt64(0));
            Assert.Equal(expected.EventId, reader.GetGuid(1));
            Assert.Equal(expected.Version, reader.GetInt64(2));
            Assert.Equal(expected.EventType, reader.GetString(3));
        }

        Assert.False(await reader.ReadAsync());
        var info = await _store.GetStreamAsync(stream);
        Assert.NotNull(info);
        Assert.Equal(2, info.Version);
        Assert.False(info.Archived);
    }

    [Fact]
    public async Task Append_with_the_right_expected_version_continues_the_stream()
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch))]);
        var second = await _store.AppendAsync(stream, ExpectedVersion.Exactly(1), [New(new CounterIncremented(stream, 1))]);
        var third = await _store.AppendAsync(stream, ExpectedVersion.Exactly(2), [New(new CounterIncremented(stream, 1)), New(new CounterIncremented(stream, 2))]);
        var fourth = await _store.AppendAsync(stream, ExpectedVersion.Any, [New(new CounterIncremented(stream, 1))]);

        Assert.Equal(2, second.NextExpectedVersion);
        Assert.Equal(4, third.NextExpectedVersion);
        Assert.Equal([3L, 4L], third.Events.Select(e => e.Version));
        Assert.Equal(5, fourth.NextExpectedVersion);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], (await _store.ReadStreamAsync(stream)).Select(e => e.Version));
        Assert.Equal(5, (await _store.GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public async Task Stale_expected_version_is_rejected_with_stream_expected_and_actual()
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream,
            [New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch)), New(new CounterIncremented(stream, 1))]);

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.Exactly(1), [New(new CounterIncremented(stream, 5))]));
        Assert.Equal(stream, stale.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(1), stale.Expected);
        Assert.Equal(2, stale.Actual);
        Assert.Contains(stream, stale.Message, StringComparison.Ordinal);

        var ahead = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.Exactly(3), [New(new CounterIncremented(stream, 5))]));
        Assert.Equal(2, ahead.Actual);

        var exists = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterIncremented(stream, 5))]));
        Assert.Equal(2, exists.Actual);

        var missing = NewStream();
        var notThere = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(missing, ExpectedVersion.Exactly(3), [New(new CounterIncremented(missing, 5))]));
        Assert.Null(notThere.Actual);

        Assert.Equal(2, (await _store.ReadStreamAsync(stream)).Count);
        Assert.Equal(2, (await _store.GetStreamAsync(stream))!.Version);
        Assert.Null(await _store.GetStreamAsync(missing));
        Assert.Equal(0, await db.ScalarAsync($"select count(*) from {db.Schema}.mt_events where stream_id = $1", missing));
    }

    [Fact]
    public async Task Retried_append_returns_the_original_result_and_stores_nothing_twice()
    {
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch =
        [
            New(new CounterOpened(stream, "Kfz-Zulassung", DateTimeOffset.UnixEpoch)),
            New(new CounterIncremented(stream, 2)),
        ];
        var original = await _store.AppendAsync(stream, ExpectedVersion.NoStream, batch);
        await _store.AppendAsync(stream, ExpectedVersion.Exactly(2), [New(new CounterIncremented(stream, 5))]);

        // The client did not see the answer and sends exactly the same request again, same expected version,
        // after the stream has moved on.
        var retry = await _store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(original.NextExpectedVersion, retry.NextExpectedVersion);
        Assert.Equal(original.GlobalPositions, retry.GlobalPositions);
        Assert.Equal(original.RecordedAt, retry.RecordedAt);
        Assert.Equal(original.Events.Select(e => (e.EventId, e.Version, e.GlobalPosition, e.EventType)),
            retry.Events.Select(e => (e.EventId, e.Version, e.GlobalPosition, e.EventType)));
        Assert.Equal(3, (await _store.ReadStreamAsync(stream)).Count);
        Assert.Equal(3, (await _store.GetStreamAsync(stream))!.Version);

        // The same inside a caller's transaction (a decision with its idempotency key row): the transaction stays usable.
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var inTransaction = await _store.AppendAsync(connection, transaction, stream, ExpectedVersion.NoStream, batch);
        await using (var stillUsable = new Npgsql.NpgsqlCommand("select 1", connection, transaction))
        {
            Assert.Equal(1, await stillUsable.ExecuteScalarAsync());
        }

        await transaction.CommitAsync();
        Assert.True(inTransaction.WasAlreadyStored);
        Assert.Equal(original.GlobalPositions, inTransaction.GlobalPositions);
        Assert.Equal(3, (await _store.ReadStreamAsync(stream)).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_retried_append_takes_no_sequence_number(bool anyVersion)
    {
        // A sequence number taken by an append that then fails is a gap every async projection waits out.
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch = [New(new CounterIncremented(stream, 1)), New(new CounterIncremented(stream, 2))];
        var expected = anyVersion ? ExpectedVersion.Any : ExpectedVersion.NoStream;
        var original = await _store.AppendAsync(stream, expected, batch);
        var before = await SequenceValueAsync();

        var retry = await _store.AppendAsync(stream, expected, batch);

        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(original.GlobalPositions, retry.GlobalPositions);
        Assert.Equal(before, await SequenceValueAsync());
    }

    private Task<long> SequenceValueAsync() => db.ScalarAsync($"select last_value from {db.Schema}.mt_events_sequence");

    [Fact]
    public async Task Concurrent_copies_of_one_retry_store_the_events_once()
    {
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch = [New(new CounterIncremented(stream, 1)), New(new CounterIncremented(stream, 2))];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var copies = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await _store.AppendAsync(stream, ExpectedVersion.Any, batch);
        })));
        start.SetResult();
        var results = await copies;

        Assert.Single(results, r => !r.WasAlreadyStored);
        var stored = results.Single(r => !r.WasAlreadyStored);
        Assert.All(results, r =>
        {
            Assert.Equal(2, r.NextExpectedVersion);
            Assert.Equal(stored.GlobalPositions, r.GlobalPositions);
        });
        Assert.Equal(2, (await _store.ReadStreamAsync(stream)).Count);
        Assert.Equal(2, (await _store.GetStreamAsync(stream))!.Version);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_copy_of_an_append_that_waits_for_the_original_to_commit_answers_with_the_original_result(bool streamExists)
    {
        var stream = NewStream();
        if (streamExists)
        {
            await _store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch))]);
        }

        IReadOnlyList<NewEvent> batch = [New(new CounterIncremented(stream, 1)), New(new CounterIncremented(stream, 2))];
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var original = await _store.AppendAsync(connection, transaction, stream, ExpectedVersion.Any, batch);

        // The copy finds nothing committed yet, appends, and waits on the original's locks.
        var copy = Task.Run(() => _store.AppendAsync(stream, ExpectedVersion.Any, batch));
        await Waiting.UntilAsync(async () => copy.IsCompleted || await BackendsWaitingForALockAsync() > 0, "the copy to wait for the original's locks");
        Assert.False(copy.IsCompleted, $"The copy did not wait for the original: {copy.Exception}");
        await transaction.CommitAsync();

        var answer = await copy;
        Assert.True(answer.WasAlreadyStored);
        Assert.Equal(original.GlobalPositions, answer.GlobalPositions);
        Assert.Equal(original.NextExpectedVersion, answer.NextExpectedVersion);
        Assert.Equal(original.Events.Select(e => e.EventId), (await _store.ReadStreamAsync(stream)).Skip(streamExists ? 1 : 0).Select(e => e.EventId));
    }

    [Fact]
    public async Task A_copy_of_an_append_in_a_caller_transaction_that_loses_the_race_is_a_version_conflict_and_its_retry_the_original_result()
    {
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch = [New(new CounterIncremented(stream, 1))];
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var original = await _store.AppendAsync(connection, transaction, stream, ExpectedVersion.NoStream, batch);

        var copy = Task.Run(async () =>
        {
            await using var other = await db.DataSource.OpenConnectionAsync();
            await using var otherTransaction = await other.BeginTransactionAsync();
            return await _store.AppendAsync(other, otherTransaction, stream, ExpectedVersion.NoStream, batch);
        });
        await Waiting.UntilAsync(async () => copy.IsCompleted || await BackendsWaitingForALockAsync() > 0, "the copy to wait for the original's locks");
        await transaction.CommitAsync();

        // The copy's transaction is lost (its other writes with it): the caller hears that the stream moved on...
        var conflict = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => copy);
        Assert.Equal(1, conflict.Actual);
        // ...and its retry, in a fresh transaction, gets the original result.
        var retry = await _store.AppendAsync(stream, ExpectedVersion.NoStream, batch);
        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(original.GlobalPositions, retry.GlobalPositions);
    }

    private Task<long> BackendsWaitingForALockAsync() => db.ScalarAsync(
        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%' || $1 || '%'", db.Schema);

    [Fact]
    public async Task Same_event_id_with_other_content_is_a_conflict_and_nothing_is_stored()
    {
        var stream = NewStream();
        var first = New(new CounterIncremented(stream, 1));
        await _store.AppendAsync(stream, ExpectedVersion.Any, [first]);

        var changed = first with { Data = new CounterIncremented(stream, 99) };
        var conflict = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.Any, [changed]));
        Assert.Equal(first.EventId, conflict.EventId);

        var otherType = first with { Data = new CounterRenamed(stream, "x") };
        Assert.Equal(first.EventId, (await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.Any, [otherType]))).EventId);

        var elsewhere = NewStream();
        var moved = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(elsewhere, ExpectedVersion.Any, [first]));
        Assert.Equal(first.EventId, moved.EventId);

        var partial = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.Any, [first, New(new CounterIncremented(stream, 1))]));
        Assert.Null(partial.EventId);

        var events = await _store.ReadStreamAsync(stream);
        Assert.Equal(new CounterIncremented(stream, 1), Assert.Single(events).Data);
        Assert.Null(await _store.GetStreamAsync(elsewhere));
    }

    [Fact]
    public async Task Appending_an_unregistered_class_names_the_class_and_stores_nothing()
    {
        var stream = NewStream();
        var error = await Assert.ThrowsAsync<UnregisteredEventClassException>(() =>
            _store.AppendAsync(stream, ExpectedVersion.Any, [New(new CounterIncremented(stream, 1)), New(new Unregistered(1))]));
        Assert.Contains(nameof(Unregistered), error.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetStreamAsync(stream));
    }

    [Fact]
    public async Task An_append_in_a_rolled_back_caller_transaction_leaves_nothing()
    {
        var stream = NewStream();
        var increment = New(new CounterIncremented(stream, 1));
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await _store.AppendAsync(connection, transaction, stream, ExpectedVersion.NoStream, [increment]);
            await transaction.RollbackAsync();
        }

        Assert.Null(await _store.GetStreamAsync(stream));
        Assert.Empty(await _store.ReadStreamAsync(stream));

        // The id was never stored: the same append now goes through, as a first append.
        var again = await _store.AppendAsync(stream, ExpectedVersion.NoStream, [increment]);
        Assert.False(again.WasAlreadyStored);
    }

    private sealed record Unregistered(int X);
}

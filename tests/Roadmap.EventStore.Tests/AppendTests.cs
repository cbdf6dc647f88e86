using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

public sealed class AppendTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private readonly PostgresEventStore _store = db.Store;

    private static string NewStream() => $"counter-{Guid.NewGuid():N}";

    [Fact]
    public async Task Append_to_a_new_stream_stores_versions_names_and_metadata()
    {
        var stream = NewStream();
        var opened = new NewEvent(Guid.CreateVersion7(), new CounterOpened(stream, "Einwohnermeldewesen", DateTimeOffset.Parse("2026-01-02T03:04:05Z")),
            new EventMetadata("pm@example.org", "corr-7", "cause-9", new Dictionary<string, string> { ["source"] = "api" }));
        var incremented = TestEvents.New(new CounterIncremented(stream, 3));

        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var result = await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [opened, incremented]);

        Assert.Equal(2, result.NextExpectedVersion);
        Assert.False(result.WasAlreadyStored);
        Assert.Equal(2, result.GlobalPositions.Count);
        Assert.True(result.GlobalPositions[0] < result.GlobalPositions[1]);

        var events = await _store.ReadStreamAsync(stream);
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
        Assert.Equal(opened.EventId, events[0].EventId);
        Assert.Equal("counter.opened", events[0].EventType);
        Assert.Equal(1, events[0].SchemaVersion);
        Assert.Equal("counter.incremented", events[1].EventType);
        Assert.Equal(2, events[1].SchemaVersion);
        Assert.Equal(opened.Data, events[0].Data);
        Assert.Equal(new CounterIncremented(stream, 3), events[1].Data);
        Assert.Equal("pm@example.org", events[0].Metadata.Actor);
        Assert.Equal("corr-7", events[0].Metadata.CorrelationId);
        Assert.Equal("cause-9", events[0].Metadata.CausationId);
        Assert.Equal("api", events[0].Metadata.Headers!["source"]);
        Assert.InRange(events[0].RecordedAt, before, DateTimeOffset.UtcNow.AddMinutes(1));

        var info = await _store.GetStreamAsync(stream);
        Assert.NotNull(info);
        Assert.Equal("counter", info.StreamType);
        Assert.Equal(2, info.Version);
        Assert.False(info.Archived);
    }

    [Fact]
    public async Task Append_with_the_right_expected_version_continues_the_stream()
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch))]);
        var second = await _store.AppendAsync(stream, "counter", ExpectedVersion.Exactly(1), [TestEvents.New(new CounterIncremented(stream, 1))]);
        var third = await _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [TestEvents.New(new CounterIncremented(stream, 1)), TestEvents.New(new CounterIncremented(stream, 1))]);

        Assert.Equal(2, second.NextExpectedVersion);
        Assert.Equal(4, third.NextExpectedVersion);
        Assert.Equal([1L, 2L, 3L, 4L], (await _store.ReadStreamAsync(stream)).Select(e => e.Version));
    }

    [Fact]
    public async Task Stale_expected_version_is_rejected_with_stream_expected_and_actual()
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream,
            [TestEvents.New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch)), TestEvents.New(new CounterIncremented(stream, 1))]);

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(stream, "counter", ExpectedVersion.Exactly(1), [TestEvents.New(new CounterIncremented(stream, 5))]));
        Assert.Equal(stream, stale.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(1), stale.Expected);
        Assert.Equal(2, stale.Actual);
        Assert.Contains(stream, stale.Message, StringComparison.Ordinal);

        var exists = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterIncremented(stream, 5))]));
        Assert.Equal(2, exists.Actual);

        var missing = NewStream();
        var notThere = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _store.AppendAsync(missing, "counter", ExpectedVersion.Exactly(3), [TestEvents.New(new CounterIncremented(missing, 5))]));
        Assert.Null(notThere.Actual);

        Assert.Equal(2, (await _store.ReadStreamAsync(stream)).Count);
        Assert.Null(await _store.GetStreamAsync(missing));
    }

    [Fact]
    public async Task Retried_append_returns_the_original_result_and_stores_nothing_twice()
    {
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch =
        [
            TestEvents.New(new CounterOpened(stream, "Kfz-Zulassung", DateTimeOffset.UnixEpoch)),
            TestEvents.New(new CounterIncremented(stream, 2)),
        ];
        var original = await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, batch);

        // The client did not see the answer and sends exactly the same request again, same expected version.
        var retry = await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, batch);

        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(original.NextExpectedVersion, retry.NextExpectedVersion);
        Assert.Equal(original.GlobalPositions, retry.GlobalPositions);
        Assert.Equal(2, (await _store.ReadStreamAsync(stream)).Count);
        Assert.Equal(2, (await _store.GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public async Task Concurrent_copies_of_one_retry_store_the_events_once()
    {
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch = [TestEvents.New(new CounterIncremented(stream, 1))];

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _store.AppendAsync(stream, "counter", ExpectedVersion.Any, batch)));

        Assert.Single(results, r => !r.WasAlreadyStored);
        Assert.All(results, r => Assert.Equal(1, r.NextExpectedVersion));
        Assert.Single(await _store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task Same_event_id_with_other_content_is_a_conflict_and_nothing_is_stored()
    {
        var stream = NewStream();
        var first = TestEvents.New(new CounterIncremented(stream, 1));
        await _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [first]);

        var changed = first with { Data = new CounterIncremented(stream, 99) };
        var conflict = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [changed]));
        Assert.Equal(first.EventId, conflict.EventId);

        var elsewhere = NewStream();
        var moved = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(elsewhere, "counter", ExpectedVersion.Any, [first]));
        Assert.Equal(first.EventId, moved.EventId);

        var partial = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [first, TestEvents.New(new CounterIncremented(stream, 1))]));
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
            _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [TestEvents.New(new Unregistered(1))]));
        Assert.Contains(nameof(Unregistered), error.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetStreamAsync(stream));
    }

    private sealed record Unregistered(int X);
}

using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

public sealed class ReadTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private readonly PostgresEventStore _store = db.Store;

    private static string NewStream() => $"counter-{Guid.NewGuid():N}";

    private async Task<string> CounterWithIncrementsAsync(params int[] increments)
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterOpened(stream, "start", DateTimeOffset.UnixEpoch))]);
        foreach (var by in increments)
        {
            await _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [TestEvents.New(new CounterIncremented(stream, by))]);
        }

        return stream;
    }

    [Fact]
    public async Task Folding_a_stream_with_a_decider_gives_the_current_state()
    {
        var stream = await CounterWithIncrementsAsync(1, 2, 3);

        var result = await _store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored);

        Assert.Equal(new CounterState("start", 6, 3), result.State);
        Assert.Equal(4, result.Version);
    }

    [Fact]
    public async Task Time_travel_to_a_version_folds_only_the_events_up_to_it()
    {
        var stream = await CounterWithIncrementsAsync(1, 2, 3);

        var atTwo = await _store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored, new ReadStreamOptions { ToVersion = 2 });
        var fromThree = await _store.ReadStreamAsync(stream, new ReadStreamOptions { FromVersion = 3 });

        Assert.Equal(new CounterState("start", 1, 1), atTwo.State);
        Assert.Equal(2, atTwo.Version);
        Assert.Equal([3L, 4L], fromThree.Select(e => e.Version));
    }

    [Fact]
    public async Task Time_travel_to_a_timestamp_folds_only_what_was_recorded_by_then()
    {
        var stream = await CounterWithIncrementsAsync(10);
        var events = await _store.ReadStreamAsync(stream);
        var asOf = events[^1].RecordedAt;

        // Make sure the next append is recorded strictly later on the server clock.
        await Task.Delay(20);
        await _store.AppendAsync(stream, "counter", ExpectedVersion.Exactly(2), [TestEvents.New(new CounterIncremented(stream, 100))]);

        var then = await _store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored, new ReadStreamOptions { AsOf = asOf });
        var now = await _store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored);
        var beforeAnything = await _store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored,
            new ReadStreamOptions { AsOf = events[0].RecordedAt.AddTicks(-10) });

        Assert.Equal(10, then.State.Total);
        Assert.Equal(2, then.Version);
        Assert.Equal(110, now.State.Total);
        Assert.Equal(CounterState.Initial, beforeAnything.State);
        Assert.Equal(0, beforeAnything.Version);
    }

    [Fact]
    public async Task Archived_stream_is_hidden_by_default_and_shown_on_request()
    {
        var stream = await CounterWithIncrementsAsync(1);
        var other = await CounterWithIncrementsAsync(1);

        await _store.ArchiveStreamAsync(stream);

        Assert.Empty(await _store.ReadStreamAsync(stream));
        Assert.Equal(2, (await _store.ReadStreamAsync(stream, new ReadStreamOptions { IncludeArchived = true })).Count);
        Assert.Equal(2, (await _store.ReadStreamAsync(other)).Count);
        Assert.True((await _store.GetStreamAsync(stream))!.Archived);
        await Assert.ThrowsAsync<StreamArchivedException>(() =>
            _store.AppendAsync(stream, "counter", ExpectedVersion.Any, [TestEvents.New(new CounterIncremented(stream, 1))]));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => _store.ArchiveStreamAsync(NewStream()));
        Assert.Equal(2, (await _store.GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public async Task An_event_stored_in_an_old_shape_is_upcast_to_the_current_record()
    {
        var stream = NewStream();
        await RawEvents.InsertAsync(db.DataSource, db.Schema, stream, 1, "counter.incremented", 1, """{"counterId":"c-1","amount":7}""");
        await RawEvents.InsertAsync(db.DataSource, db.Schema, stream, 2, "tally.renamed", 1, """{"counterId":"c-1","newName":"Tally"}""");

        var events = await _store.ReadStreamAsync(stream);

        Assert.Equal(new CounterIncremented("c-1", 7), events[0].Data);
        Assert.Equal(new CounterRenamed("c-1", "Tally"), events[1].Data);
        // The stored name and version stay what they were: the upcast happens on read.
        Assert.Equal("counter.incremented", events[0].EventType);
        Assert.Equal(1, events[0].SchemaVersion);
        Assert.Equal("tally.renamed", events[1].EventType);
    }

    [Fact]
    public async Task An_unknown_event_type_is_a_clear_error_that_names_it()
    {
        var stream = NewStream();
        await RawEvents.InsertAsync(db.DataSource, db.Schema, stream, 1, "procedure.teleported", 3, """{"x":1}""");

        var error = await Assert.ThrowsAsync<UnknownEventTypeException>(() => _store.ReadStreamAsync(stream));

        Assert.Equal("procedure.teleported", error.EventType);
        Assert.Equal(3, error.SchemaVersion);
        Assert.Contains("procedure.teleported", error.Message, StringComparison.Ordinal);
    }
}

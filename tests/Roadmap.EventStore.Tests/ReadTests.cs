using Microsoft.Extensions.Time.Testing;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

public sealed class ReadTests(TestSchema db) : IClassFixture<TestSchema>
{
    private static readonly DateTimeOffset Monday = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static async Task<string> CounterWithIncrementsAsync(PostgresEventStore store, FakeTimeProvider? clock, params int[] increments)
    {
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "start", DateTimeOffset.UnixEpoch))]);
        foreach (var by in increments)
        {
            clock?.Advance(TimeSpan.FromDays(1));
            await store.AppendAsync(stream, ExpectedVersion.Any, [New(new CounterIncremented(stream, by))]);
        }

        return stream;
    }

    [Fact]
    public async Task Folding_a_stream_with_a_decider_gives_the_current_state()
    {
        var stream = await CounterWithIncrementsAsync(db.Store, null, 1, 2, 3);

        var result = await db.Store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored);

        Assert.Equal(new CounterState("start", 6, 3), result.State);
        Assert.Equal(4, result.Version);
        Assert.NotNull(result.LastRecordedAt);

        var none = await db.Store.AggregateStreamAsync(NewStream(), Counter.Decider.Initial, Counter.Decider.EvolveStored);
        Assert.Equal(CounterState.Initial, none.State);
        Assert.Equal(0, none.Version);
        Assert.Null(none.LastRecordedAt);
    }

    [Fact]
    public async Task Time_travel_to_a_version_folds_only_the_events_up_to_it()
    {
        var stream = await CounterWithIncrementsAsync(db.Store, null, 1, 2, 3);

        var atTwo = await db.Store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored, new ReadStreamOptions { ToVersion = 2 });
        var atThree = await db.Store.ReadStreamAsync(stream, new ReadStreamOptions { ToVersion = 3 });
        var fromThree = await db.Store.ReadStreamAsync(stream, new ReadStreamOptions { FromVersion = 3 });
        var window = await db.Store.ReadStreamAsync(stream, new ReadStreamOptions { FromVersion = 2, ToVersion = 3 });

        Assert.Equal(new CounterState("start", 1, 1), atTwo.State);
        Assert.Equal(2, atTwo.Version);
        Assert.Equal([1L, 2L, 3L], atThree.Select(e => e.Version));
        Assert.Equal([3L, 4L], fromThree.Select(e => e.Version));
        Assert.Equal([2L, 3L], window.Select(e => e.Version));
    }

    [Fact]
    public async Task Time_travel_to_an_instant_folds_only_what_was_recorded_by_then()
    {
        var clock = new FakeTimeProvider(Monday);
        var store = await db.StoreAsync(clock: clock);
        // Opened Monday, +10 on Tuesday, +100 on Wednesday.
        var stream = await CounterWithIncrementsAsync(store, clock, 10, 100);

        var tuesdayNoon = await store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored,
            new ReadStreamOptions { AsOf = Monday.AddDays(1).AddHours(3) });
        var exactlyTuesday = await store.ReadStreamAsync(stream, new ReadStreamOptions { AsOf = Monday.AddDays(1) });
        var now = await store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored);
        var beforeAnything = await store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored,
            new ReadStreamOptions { AsOf = Monday.AddTicks(-10) });

        Assert.Equal(new CounterState("start", 10, 1), tuesdayNoon.State);
        Assert.Equal(2, tuesdayNoon.Version);
        Assert.Equal(Monday.AddDays(1), tuesdayNoon.LastRecordedAt);
        Assert.Equal([1L, 2L], exactlyTuesday.Select(e => e.Version));
        Assert.Equal(110, now.State.Total);
        Assert.Equal(CounterState.Initial, beforeAnything.State);
        Assert.Equal(0, beforeAnything.Version);
    }

    [Fact]
    public async Task An_event_whose_stored_data_cannot_be_read_is_a_clear_error_that_names_it()
    {
        var stream = await CounterWithIncrementsAsync(db.Store, null, 1, 2);
        var position = await db.ScalarAsync($"select seq_id from {db.Schema}.mt_events where stream_id = $1 and version = 2", stream);
        await db.ExecuteAsync($"update {db.Schema}.mt_events set data = '{{\"counterId\": {{\"not\": \"a string\"}}, \"by\": \"x\"}}' where seq_id = $1", position);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => db.Store.ReadStreamAsync(stream));

        Assert.Contains($"sequence = {position}", error.Message, StringComparison.Ordinal);
        Assert.Contains("counter.incremented", error.Message, StringComparison.Ordinal);
        // Time travel to before it still reads.
        Assert.Single(await db.Store.ReadStreamAsync(stream, new ReadStreamOptions { ToVersion = 1 }));
    }

    [Fact]
    public async Task An_event_of_a_type_this_deployment_does_not_know_is_an_error_not_skipped()
    {
        var stream = await CounterWithIncrementsAsync(db.Store, null, 1);
        // Written by a newer deployment: neither the name nor the CLR type exists here.
        await db.ExecuteAsync(
            $"update {db.Schema}.mt_events set type = 'procedure.teleported', mt_dotnet_type = 'Roadmap.Future.Teleported, Roadmap.Future' where stream_id = $1 and version = 2",
            stream);

        var error = await Assert.ThrowsAsync<Marten.Exceptions.UnknownEventTypeException>(() => db.Store.ReadStreamAsync(stream));

        Assert.Contains("Roadmap.Future.Teleported", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<Marten.Exceptions.UnknownEventTypeException>(() =>
            db.Store.AggregateStreamAsync(stream, Counter.Decider.Initial, Counter.Decider.EvolveStored));
    }
}

using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

/// <summary>
/// The rebuild's page read (<see cref="PostgresEventStore.ReadRangeAsync"/>): its bounds, and events of an older shape
/// read through the upcaster registered in Marten, as a rebuild after a shape change needs them.
/// </summary>
public sealed class RangeReadTests(TestSchema db) : IClassFixture<TestSchema>
{
    private readonly PostgresEventStore _store = db.Store;

    [Fact]
    public async Task A_page_keeps_to_its_bounds_and_its_limit()
    {
        var start = await db.ScalarAsync($"select coalesce(max(seq_id), 0) from {db.Schema}.mt_events");
        var stream = NewStream();
        var appended = await _store.AppendAsync(stream, ExpectedVersion.NoStream,
            Enumerable.Range(1, 7).Select(i => New(new CounterIncremented(stream, i))).ToList());
        var positions = appended.GlobalPositions;

        Assert.Equal(positions.Take(3), (await _store.ReadRangeAsync(start, positions[^1], 3)).Select(e => e.GlobalPosition));
        Assert.Equal(positions.Skip(2).Take(3), (await _store.ReadRangeAsync(positions[1], positions[4], 100)).Select(e => e.GlobalPosition));
        Assert.Empty(await _store.ReadRangeAsync(positions[^1], positions[^1], 100));
    }

    [Fact]
    public async Task A_page_with_an_older_shape_is_read_through_Martens_upcaster()
    {
        // Written by an earlier release: "counter.bumped" { counterId, amount }, since renamed and reshaped.
        var legacy = await db.StoreAsync(types: new Serialization.EventTypeRegistry().Register<CounterBumped>("counter.bumped"));
        var start = await db.ScalarAsync($"select coalesce(max(seq_id), 0) from {db.Schema}.mt_events");
        var stream = NewStream();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "Alt", DateTimeOffset.UnixEpoch))]);
        await legacy.AppendAsync(stream, ExpectedVersion.Exactly(1), [New(new CounterBumped(stream, 3))]);
        await _store.AppendAsync(stream, ExpectedVersion.Exactly(2), [New(new CounterIncremented(stream, 1))]);
        var end = await db.ScalarAsync($"select max(seq_id) from {db.Schema}.mt_events");

        // Today's release reads the old name through an upcaster registered in Marten.
        var current = await db.StoreAsync(configure: opts =>
            opts.Events.Upcast<CounterBumped, CounterIncremented>("counter.bumped", old => new CounterIncremented(old.CounterId, old.Amount)));

        var events = await current.ReadRangeAsync(start, end, 100);

        Assert.Equal([typeof(CounterOpened), typeof(CounterIncremented), typeof(CounterIncremented)], events.Select(e => e.Data.GetType()));
        Assert.Equal(new CounterIncremented(stream, 3), events[1].Data);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Version));
    }
}

/// <summary>An event shape an earlier release wrote (see the upcaster test).</summary>
public sealed record CounterBumped(string CounterId, int Amount);

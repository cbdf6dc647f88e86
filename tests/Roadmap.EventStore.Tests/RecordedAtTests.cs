using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

/// <summary>recorded_at is the writer's clock (issue 10): what a decision calls now is what its events are recorded at.</summary>
public sealed class RecordedAtTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    /// <summary>A clock that says what it is told.</summary>
    private sealed class SetClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task An_append_is_recorded_at_the_time_of_the_store_s_clock_and_read_as_of_that_time()
    {
        var clock = new SetClock(DateTimeOffset.Parse("2026-11-29T23:30:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new PostgresEventStore(db.DataSource, db.Store.Options, clock: clock);
        var stream = $"counter-{Guid.NewGuid():N}";

        var first = await store.AppendAsync(stream, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch))]);
        clock.Now = clock.Now.AddDays(3);
        await store.AppendAsync(stream, "counter", ExpectedVersion.Exactly(1), [TestEvents.New(new CounterIncremented(stream, 1))]);

        Assert.Equal(DateTimeOffset.Parse("2026-11-29T23:30:00Z", System.Globalization.CultureInfo.InvariantCulture), first.RecordedAt);
        var events = await store.ReadStreamAsync(stream);
        Assert.Equal([first.RecordedAt, first.RecordedAt.AddDays(3)], events.Select(e => e.RecordedAt));
        var asOfFirst = await store.ReadStreamAsync(stream, new ReadStreamOptions { AsOf = first.RecordedAt.AddDays(1) });
        Assert.Equal([1L], asOfFirst.Select(e => e.Version));
    }
}

using System.Collections.Concurrent;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

public sealed class ConcurrencyTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private readonly PostgresEventStore _store = db.Store;

    [Fact]
    public async Task Sixteen_writers_racing_on_one_stream_leave_3200_events_without_holes_or_duplicates()
    {
        const int writers = 16;
        const int eventsPerWriter = 200;
        var stream = $"race-{Guid.NewGuid():N}";
        var conflicts = new ConcurrentBag<WrongExpectedVersionException>();
        var attempts = 0;

        async Task WriteAsync(int writer)
        {
            long known = 0;
            for (var sequence = 0; sequence < eventsPerWriter;)
            {
                Interlocked.Increment(ref attempts);
                try
                {
                    var result = await _store.AppendAsync(stream, "counter", ExpectedVersion.Exactly(known),
                        [new NewEvent(Guid.CreateVersion7(), new CounterIncremented($"{writer}:{sequence}", 1))]);
                    known = result.NextExpectedVersion;
                    sequence++;
                }
                catch (WrongExpectedVersionException conflict)
                {
                    conflicts.Add(conflict);
                    known = conflict.Actual ?? 0;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))));

        var events = await _store.ReadStreamAsync(stream);
        Assert.Equal(writers * eventsPerWriter, events.Count);
        Assert.Equal(Enumerable.Range(1, writers * eventsPerWriter).Select(v => (long)v), events.Select(e => e.Version));
        var written = events.Select(e => ((CounterIncremented)e.Data).CounterId).ToList();
        Assert.Equal(written.Count, written.Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, eventsPerWriter).Select(s => $"{w}:{s}")).Order(),
            written.Order());
        Assert.Equal(writers * eventsPerWriter, (await _store.GetStreamAsync(stream))!.Version);

        // Every attempt either stored its event or saw the typed concurrency error naming the stream.
        Assert.Equal(attempts - writers * eventsPerWriter, conflicts.Count);
        Assert.NotEmpty(conflicts);
        Assert.All(conflicts, c =>
        {
            Assert.Equal(stream, c.StreamId);
            Assert.NotEqual(c.Expected, ExpectedVersion.Exactly(c.Actual ?? 0));
        });
    }
}

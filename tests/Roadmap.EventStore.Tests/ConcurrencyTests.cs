using System.Collections.Concurrent;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

public sealed class ConcurrencyTests(TestSchema db) : IClassFixture<TestSchema>
{
    private const int Writers = 16;

    private readonly PostgresEventStore _store = db.Store;

    /// <summary>Runs <paramref name="append"/> on 16 threads released together; each outcome is the result or the exception.</summary>
    private static async Task<(List<AppendResult> Won, List<Exception> Lost)> RaceAsync(Func<int, Task<AppendResult>> append)
    {
        // Released together by an async gate (a Barrier would block pool threads and stagger the writers).
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                return (Result: await append(w), Error: (Exception?)null);
            }
            catch (Exception e)
            {
                return (Result: (AppendResult?)null, Error: e);
            }
        })));
        start.SetResult();
        var all = await outcomes;
        return (all.Where(o => o.Result is not null).Select(o => o.Result!).ToList(), all.Where(o => o.Error is not null).Select(o => o.Error!).ToList());
    }

    [Fact]
    public async Task Sixteen_writers_racing_with_the_same_expected_version_one_wins_and_the_others_get_WrongExpectedVersionException()
    {
        var stream = NewStream("race");
        var stored = new List<Guid>();

        // Round 0 races to create the stream; rounds 1..n race to append to version n.
        for (var round = 0; round <= 8; round++)
        {
            var expected = round == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(round);
            var attempts = Enumerable.Range(0, Writers).Select(w => New(new CounterIncremented($"round {round} writer {w}", 1))).ToArray();

            var (won, lost) = await RaceAsync(w => _store.AppendAsync(stream, expected, [attempts[w]]));

            var winner = Assert.Single(won);
            Assert.Equal(round + 1, winner.NextExpectedVersion);
            Assert.Equal(Writers - 1, lost.Count);
            Assert.All(lost, e =>
            {
                var conflict = Assert.IsType<WrongExpectedVersionException>(e);
                Assert.Equal(stream, conflict.StreamId);
                Assert.Equal(expected, conflict.Expected);
                Assert.Equal(round + 1, conflict.Actual);
            });
            stored.Add(winner.Events[0].EventId);
        }

        var events = await _store.ReadStreamAsync(stream);
        Assert.Equal(stored, events.Select(e => e.EventId));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(stored.Count, (await _store.GetStreamAsync(stream))!.Version);
        Assert.Equal(stored.Count, await db.ScalarAsync($"select count(*) from {db.Schema}.mt_events where stream_id = $1", stream));
    }

    [Fact]
    public async Task Sixteen_writers_retrying_on_conflict_leave_every_event_once_without_holes()
    {
        const int eventsPerWriter = 6;
        var stream = NewStream("retry-race");
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
                    var result = await _store.AppendAsync(stream, ExpectedVersion.Exactly(known),
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

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w))));

        var events = await _store.ReadStreamAsync(stream);
        Assert.Equal(Enumerable.Range(1, Writers * eventsPerWriter).Select(v => (long)v), events.Select(e => e.Version));
        var written = events.Select(e => ((CounterIncremented)e.Data).CounterId).ToList();
        Assert.Equal(
            Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, eventsPerWriter).Select(s => $"{w}:{s}")).Order(),
            written.Order());
        Assert.Equal(Writers * eventsPerWriter, (await _store.GetStreamAsync(stream))!.Version);

        // Every attempt either stored its event or saw the typed concurrency error naming the stream.
        Assert.Equal(attempts - Writers * eventsPerWriter, conflicts.Count);
        Assert.NotEmpty(conflicts);
        Assert.All(conflicts, c =>
        {
            Assert.Equal(stream, c.StreamId);
            Assert.NotEqual(c.Expected, ExpectedVersion.Exactly(c.Actual ?? 0));
        });
    }
}

using System.Collections.Concurrent;
using Marten;
using Roadmap.EventStore.Tests.Infrastructure;
using Roadmap.EventStore.Tests.Projections;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;
using static Roadmap.EventStore.Tests.Projections.ProjectionKit;

namespace Roadmap.EventStore.Tests;

/// <summary>A schema with one node running the daemon (its high water mark bounds every global read) and a projection copying the log.</summary>
public sealed class LogWithDaemon : TestSchema
{
    public RecordingProjection Copy { get; } = new("log_copy", "host-a");

    public DaemonHost Host { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await DaemonHost.StartAsync(this, "log-host", [Copy]);
    }

    public override async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>
/// The global log (<see cref="PostgresEventStore.ReadAllAsync(GlobalCheckpoint, int, CancellationToken)"/>) and the async
/// daemon read only up to the daemon's high water mark, below which no live transaction can still add an event.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class GlobalLogTests(LogWithDaemon db) : IClassFixture<LogWithDaemon>
{
    private PostgresEventStore Store => db.Host.Store;

    /// <summary>Where the daemon stands and what it said last, for a failure message.</summary>
    private async Task<string> Diagnostics() =>
        $"high water mark {await Store.GetHighWaterMarkAsync()}, progression: {await db.TextAsync($"select string_agg(name || '=' || last_seq_id, ', ') from {db.Schema}.mt_event_progression")}; "
        + $"transactions: {await db.TextAsync("select string_agg(application_name || ' ' || state || ' ' || coalesce(left(query, 60), ''), '; ') from pg_stat_activity where xact_start is not null and pid <> pg_backend_pid()")}; "
        + $"log: {string.Join(" | ", db.Host.Logs.Entries.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).TakeLast(20).Select(l => $"{l.At:HH:mm:ss.fff} {l.Level} {l.Category} {l.Message} {l.Exception}"))}";

    private static NewEvent Increment(string tag) => new(Guid.CreateVersion7(), new CounterIncremented(tag, 1));

    /// <summary>Reads everything that is safe to read now, from <paramref name="from"/>, in small batches.</summary>
    private async Task<(List<RecordedEvent> Events, GlobalCheckpoint Next)> DrainAsync(GlobalCheckpoint from, int batchSize = 7)
    {
        var events = new List<RecordedEvent>();
        while (true)
        {
            var page = await Store.ReadAllAsync(from, batchSize);
            events.AddRange(page.Events);
            Assert.True(page.Next >= from, $"The reader went back from {from} to {page.Next}.");
            if (page.Next == from)
            {
                return (events, from);
            }

            from = page.Next;
        }
    }

    /// <summary>Reads until <paramref name="done"/> holds for what was read.</summary>
    private async Task<(List<RecordedEvent> Events, GlobalCheckpoint Next)> DrainUntilAsync(GlobalCheckpoint from, Func<List<RecordedEvent>, bool> done, string what)
    {
        var all = new List<RecordedEvent>();
        await Waiting.UntilAsync(async () =>
        {
            var (events, next) = await DrainAsync(from);
            all.AddRange(events);
            from = next;
            return done(all);
        }, $"the global reader to read {what}; it has {all.Count} events up to {from}", onTimeout: Diagnostics);
        return (all, from);
    }

    /// <summary>Appends a marker and reads until it arrives: the checkpoint after everything written so far.</summary>
    private async Task<GlobalCheckpoint> CurrentEndAsync()
    {
        var marker = NewStream("marker");
        await Store.AppendAsync(marker, ExpectedVersion.NoStream, [Increment("marker")]);
        var (_, next) = await DrainUntilAsync(GlobalCheckpoint.Start, events => events.Any(e => e.StreamId == marker), "the marker");
        return next;
    }

    [Fact]
    public void The_daemon_never_skips_a_gap_that_a_live_transaction_may_still_fill()
    {
        var projections = ((StoreOptions)db.Host.Marten.Options).Projections;
        Assert.Null(projections.SkipStaleGapsDespiteLiveTransactionsAfter);
        Assert.True(projections.UseTransactionEvidenceForGapSkipping);
    }

    [Fact]
    public async Task A_transaction_that_commits_late_is_neither_skipped_nor_doubled_by_the_global_log_or_the_daemon()
    {
        var start = await CurrentEndAsync();
        var held = NewStream("held");
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var late = (await Store.AppendAsync(connection, transaction, held, ExpectedVersion.NoStream, [New(new CounterRenamed(held, "late"))])).Events[0];
        var later = new List<RecordedEvent>();
        for (var i = 0; i < 5; i++)
        {
            later.AddRange((await Store.AppendAsync(NewStream("later"), ExpectedVersion.NoStream, [Increment("later")])).Events);
        }

        var laterCommitted = DateTimeOffset.UtcNow;
        Assert.All(later, e => Assert.True(e.GlobalPosition > late.GlobalPosition));

        // The daemon has looked at the gap the open transaction leaves since the later appends committed, found it older
        // than its stale threshold, and held before it because the transaction is alive.
        await Waiting.UntilAsync(() => db.Host.Logs.Entries.Any(l =>
                l.At > laterCommitted && l.Template.Contains("before the sequence gap above {Mark}", StringComparison.Ordinal)
                && Convert.ToInt64(l.Values["Mark"], System.Globalization.CultureInfo.InvariantCulture) == late.GlobalPosition - 1),
            $"the daemon to hold before the gap at {late.GlobalPosition}");

        Assert.Equal(late.GlobalPosition - 1, await Store.GetHighWaterMarkAsync());
        var (whileOpen, checkpoint) = await DrainAsync(start);
        Assert.True(checkpoint.Position < late.GlobalPosition, $"Read past the open transaction at {late.GlobalPosition}: to {checkpoint}");
        Assert.DoesNotContain(whileOpen, e => e.GlobalPosition >= late.GlobalPosition);
        var filtered = await Store.ReadAllAsync(start, ["counter.renamed", "counter.incremented"], batchSize: 100);
        Assert.True(filtered.Next.Position < late.GlobalPosition, $"The filtered read moved past the open transaction to {filtered.Next}.");
        Assert.DoesNotContain(await db.Copy.RowsAsync(db), r => r.Sequence >= late.GlobalPosition);
        Assert.True((await StatusAsync(db.Host.Admin, db.Copy.Name)).Checkpoint.Position < late.GlobalPosition);

        await transaction.CommitAsync();

        var (afterCommit, _) = await DrainUntilAsync(checkpoint, events => events.Any(e => e.EventId == later[^1].EventId), "the later appends");
        Assert.Equal([late.EventId, .. later.Select(e => e.EventId)], afterCommit.Select(e => e.EventId));
        Assert.Equal([late.GlobalPosition, .. later.Select(e => e.GlobalPosition)], afterCommit.Select(e => e.GlobalPosition));
        var (filteredAfter, _) = await DrainTypesUntilAsync(filtered.Next, ["counter.renamed"], events => events.Any(e => e.EventId == late.EventId));
        Assert.Single(filteredAfter, e => e.EventId == late.EventId);

        await WaitForCatchUpAsync(db.Host.Admin, db.Copy.Name, later[^1].GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(db, db.Copy);
    }

    private async Task<(List<RecordedEvent> Events, GlobalCheckpoint Next)> DrainTypesUntilAsync(GlobalCheckpoint from, string[] types, Func<List<RecordedEvent>, bool> done)
    {
        var all = new List<RecordedEvent>();
        await Waiting.UntilAsync(async () =>
        {
            var page = await Store.ReadAllAsync(from, types, batchSize: 2);
            all.AddRange(page.Events);
            Assert.True(page.Next >= from, $"The filtered read went back from {from} to {page.Next}.");
            from = page.Next;
            return page.IsEmpty && done(all);
        }, $"the filtered reader; it has {all.Count} events");
        return (all, from);
    }

    [Fact]
    public async Task A_read_filtered_by_type_returns_those_events_in_order_and_moves_its_checkpoint_past_the_others()
    {
        var start = await CurrentEndAsync();
        var stream = NewStream("filtered");
        await Store.AppendAsync(stream, ExpectedVersion.NoStream,
        [
            New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch)), Increment(stream), New(new CounterRenamed(stream, "b")),
            Increment(stream), New(new CounterRenamed(stream, "c")), Increment(stream),
        ]);
        var (all, end) = await DrainUntilAsync(start, events => events.Count(e => e.StreamId == stream) == 6, "the six events");

        var (renamed, next) = await DrainTypesUntilAsync(start, ["counter.renamed"], events => events.Count(e => e.StreamId == stream) == 2);

        Assert.All(renamed, e => Assert.Equal("counter.renamed", e.EventType));
        Assert.Equal(["b", "c"], renamed.Where(e => e.StreamId == stream).Select(e => ((CounterRenamed)e.Data).NewName));
        Assert.True(next >= end, $"The filtered read stopped at {next}, before the end of the log it had read ({end}).");
        Assert.True(all.Last(e => e.StreamId == stream).Checkpoint <= next);
    }

    [Fact]
    public async Task A_rolled_back_append_is_never_read_and_the_log_goes_on_past_it()
    {
        var start = await CurrentEndAsync();
        var rolledBack = NewStream("rollback");
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Store.AppendAsync(connection, transaction, rolledBack, ExpectedVersion.NoStream, [Increment("ghost"), Increment("ghost")]);
            await transaction.RollbackAsync();
        }

        var committed = NewStream("committed");
        var after = (await Store.AppendAsync(committed, ExpectedVersion.NoStream, [Increment("real")])).Events[0];

        var (events, _) = await DrainUntilAsync(start, all => all.Any(e => e.StreamId == committed), "the append after the rolled-back one");
        Assert.DoesNotContain(events, e => e.StreamId == rolledBack);
        Assert.Null(await Store.GetStreamAsync(rolledBack));
        await WaitForCatchUpAsync(db.Host.Admin, db.Copy.Name, after.GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(db, db.Copy);
    }

    [Fact]
    public async Task Eight_writers_with_random_delays_and_rollbacks_and_a_concurrent_reader_lose_and_repeat_nothing()
    {
        const int writers = 8;
        const int transactionsPerWriter = 12;
        var start = await CurrentEndAsync();
        var committed = new ConcurrentDictionary<Guid, byte>();
        var rolledBack = new ConcurrentDictionary<Guid, byte>();
        var received = new List<RecordedEvent>();
        var writersDone = false;

        async Task WriteAsync(int writer)
        {
            var random = new Random(writer * 7919);
            for (var t = 0; t < transactionsPerWriter; t++)
            {
                await using var connection = await db.DataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var ids = new List<Guid>();
                for (var a = random.Next(1, 4); a > 0; a--)
                {
                    var batch = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Increment($"w{writer}")).ToList();
                    await Store.AppendAsync(connection, transaction, $"w{writer}-{random.Next(3)}-{start.Position}", ExpectedVersion.Any, batch);
                    ids.AddRange(batch.Select(e => e.EventId));
                    await Task.Delay(random.Next(0, 15));
                }

                if (t == writer % transactionsPerWriter && writer % 3 == 0)
                {
                    await transaction.RollbackAsync();
                    ids.ForEach(id => rolledBack[id] = 0);
                }
                else
                {
                    await transaction.CommitAsync();
                    ids.ForEach(id => committed[id] = 0);
                }
            }
        }

        async Task ReadAsync()
        {
            var checkpoint = start;
            await Waiting.UntilAsync(async () =>
            {
                var finished = Volatile.Read(ref writersDone);
                var page = await Store.ReadAllAsync(checkpoint, batchSize: 5);
                Assert.True(page.Next >= checkpoint);
                received.AddRange(page.Events);
                checkpoint = page.Next;
                return finished && page.IsEmpty && committed.Keys.All(id => received.Any(e => e.EventId == id));
            }, "the reader to read every committed event");
        }

        var reader = Task.Run(ReadAsync);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))));
        Volatile.Write(ref writersDone, true);
        await reader;

        Assert.NotEmpty(rolledBack);
        var ours = received.Where(e => e.StreamId.StartsWith('w')).ToList();
        var duplicates = ours.GroupBy(e => e.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key} at {string.Join(", ", g.Select(e => e.Checkpoint))}").ToList();
        Assert.True(duplicates.Count == 0, $"Read more than once: {string.Join("; ", duplicates)}");
        Assert.Equal(committed.Keys.Order(), ours.Select(e => e.EventId).Order());
        Assert.DoesNotContain(ours, e => rolledBack.ContainsKey(e.EventId));
        for (var i = 1; i < received.Count; i++)
        {
            Assert.True(received[i].Checkpoint > received[i - 1].Checkpoint, "The global log must be read in strictly increasing order.");
        }

        await WaitForCatchUpAsync(db.Host.Admin, db.Copy.Name, received[^1].GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(db, db.Copy);
    }

    [Fact]
    public async Task A_listener_is_woken_after_an_append_commits()
    {
        await using var listener = new EventLogListener(db.DataSource, Store.Options);
        await listener.StartAsync();

        var next = listener.NextNotification();
        await Store.AppendAsync(NewStream("notify"), ExpectedVersion.NoStream, [Increment("m")]);
        await next.WaitAsync(Waiting.Patience);

        // An append in a caller's transaction is signalled by the caller once it has committed.
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Store.AppendAsync(connection, transaction, NewStream("notify"), ExpectedVersion.NoStream, [Increment("n")]);
            await transaction.CommitAsync();
        }

        next = listener.NextNotification();
        Store.SignalAppended();
        await next.WaitAsync(Waiting.Patience);
        Assert.True(listener.NotificationsReceived >= 2);
    }
}

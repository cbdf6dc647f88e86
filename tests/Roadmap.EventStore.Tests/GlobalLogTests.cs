using System.Collections.Concurrent;
using Npgsql;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

public sealed class GlobalLogTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);
    private readonly PostgresEventStore _store = db.Store;

    private static NewEvent Increment(string tag) => new(Guid.CreateVersion7(), new CounterIncremented(tag, 1));

    /// <summary>Reads everything that is safe to read now, from <paramref name="from"/>, in small batches.</summary>
    private async Task<(List<RecordedEvent> Events, GlobalCheckpoint Next)> DrainAsync(GlobalCheckpoint from, int batchSize = 7)
    {
        var events = new List<RecordedEvent>();
        while (true)
        {
            var page = await _store.ReadAllAsync(from, batchSize);
            events.AddRange(page.Events);
            if (page.Next == from)
            {
                return (events, from);
            }

            from = page.Next;
        }
    }

    /// <summary>Reads until the given events have all arrived (other test classes' transactions may hold readers back briefly).</summary>
    private async Task<(List<RecordedEvent> Events, GlobalCheckpoint Next)> DrainUntilAsync(GlobalCheckpoint from, Func<List<RecordedEvent>, bool> done)
    {
        var all = new List<RecordedEvent>();
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (true)
        {
            var (events, next) = await DrainAsync(from);
            all.AddRange(events);
            from = next;
            if (done(all))
            {
                return (all, from);
            }

            Assert.True(DateTime.UtcNow < deadline, $"The global reader did not catch up within {CatchUpTimeout}; it has {all.Count} events.");
            await Task.Delay(20);
        }
    }

    /// <summary>Appends a marker and reads until it arrives: the checkpoint after everything written so far.</summary>
    private async Task<GlobalCheckpoint> CurrentEndAsync()
    {
        var marker = $"marker-{Guid.NewGuid():N}";
        await _store.AppendAsync(marker, "marker", ExpectedVersion.NoStream, [Increment("marker")]);
        var (_, next) = await DrainUntilAsync(GlobalCheckpoint.Start, events => events.Any(e => e.StreamId == marker));
        return next;
    }

    [Fact]
    public async Task A_transaction_that_commits_late_is_neither_skipped_nor_shown_early()
    {
        var start = await CurrentEndAsync();
        var streamA = $"late-a-{Guid.NewGuid():N}";
        var streamB = $"late-b-{Guid.NewGuid():N}";

        await using var connectionA = await db.DataSource.OpenConnectionAsync();
        await using var transactionA = await connectionA.BeginTransactionAsync();
        var appendedA = await _store.AppendAsync(connectionA, transactionA, streamA, "counter", ExpectedVersion.NoStream, [Increment("A")]);
        var appendedB = await _store.AppendAsync(streamB, "counter", ExpectedVersion.NoStream, [Increment("B")]);

        // B took a later position and has committed; A holds the earlier one and is still open.
        Assert.True(appendedA.GlobalPositions[0] < appendedB.GlobalPositions[0]);
        var (whileOpen, checkpoint) = await DrainAsync(start);
        Assert.DoesNotContain(whileOpen, e => e.StreamId == streamA || e.StreamId == streamB);
        Assert.True(start == checkpoint, $"Read past the open transaction: {string.Join("; ", whileOpen.Select(e => $"{e.Checkpoint} {e.StreamId} {e.Data}"))} (A at {appendedA.GlobalPositions[0]}, B at {appendedB.GlobalPositions[0]})");

        await transactionA.CommitAsync();

        var (afterCommit, _) = await DrainUntilAsync(checkpoint, events => events.Count(e => e.StreamId == streamA || e.StreamId == streamB) == 2);
        var ours = afterCommit.Where(e => e.StreamId == streamA || e.StreamId == streamB).ToList();
        Assert.Equal([streamA, streamB], ours.Select(e => e.StreamId));
        Assert.Equal(2, ours.Select(e => e.EventId).Distinct().Count());
    }

    /// <summary>Reads the given types from <paramref name="from"/> in batches until <paramref name="done"/> holds.</summary>
    private async Task<(List<RecordedEvent> Events, GlobalCheckpoint Next)> DrainTypesUntilAsync(
        GlobalCheckpoint from, string[] types, Func<List<RecordedEvent>, GlobalCheckpoint, bool> done)
    {
        var all = new List<RecordedEvent>();
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (true)
        {
            var page = await _store.ReadAllAsync(from, types, batchSize: 1);
            all.AddRange(page.Events);
            Assert.True(page.Next >= from, $"The filtered read went back from {from} to {page.Next}.");
            from = page.Next;
            if (page.IsEmpty && done(all, from))
            {
                return (all, from);
            }

            Assert.True(DateTime.UtcNow < deadline, $"The filtered reader did not catch up within {CatchUpTimeout}; it has {all.Count} events.");
            if (page.IsEmpty)
            {
                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task A_read_filtered_by_type_returns_those_events_in_order_and_moves_its_checkpoint_past_the_others()
    {
        var start = await CurrentEndAsync();
        var stream = $"filtered-{Guid.NewGuid():N}";
        await _store.AppendAsync(stream, "counter", ExpectedVersion.NoStream,
        [
            TestEvents.New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch)), Increment(stream), TestEvents.New(new CounterRenamed(stream, "b")),
            Increment(stream), TestEvents.New(new CounterRenamed(stream, "c")), Increment(stream),
        ]);
        var (all, end) = await DrainUntilAsync(start, events => events.Count(e => e.StreamId == stream) == 6);
        var lastOfStream = all.Last(e => e.StreamId == stream).Checkpoint;

        var (renamed, next) = await DrainTypesUntilAsync(start, ["counter.renamed"],
            (events, at) => events.Count(e => e.StreamId == stream) == 2 && at >= lastOfStream);

        Assert.All(renamed, e => Assert.Equal("counter.renamed", e.EventType));
        Assert.Equal(["b", "c"], renamed.Where(e => e.StreamId == stream).Select(e => ((CounterRenamed)e.Data).NewName));
        Assert.True(next >= end, $"The filtered read stopped at {next}, before the end of the log it had read ({end}).");
    }

    [Fact]
    public async Task A_read_filtered_by_type_does_not_move_past_a_transaction_that_commits_late()
    {
        var start = await CurrentEndAsync();
        var streamA = $"late-filtered-a-{Guid.NewGuid():N}";
        var streamB = $"late-filtered-b-{Guid.NewGuid():N}";

        await using var connectionA = await db.DataSource.OpenConnectionAsync();
        await using var transactionA = await connectionA.BeginTransactionAsync();
        await _store.AppendAsync(connectionA, transactionA, streamA, "counter", ExpectedVersion.NoStream, [TestEvents.New(new CounterRenamed(streamA, "late"))]);
        await _store.AppendAsync(streamB, "counter", ExpectedVersion.NoStream, [Increment("B")]);

        var whileOpen = await _store.ReadAllAsync(start, ["counter.renamed"], batchSize: 10);
        Assert.DoesNotContain(whileOpen.Events, e => e.StreamId == streamA);
        Assert.True(whileOpen.Next == start, $"The filtered read moved past the open transaction to {whileOpen.Next}.");

        await transactionA.CommitAsync();

        var (afterCommit, _) = await DrainTypesUntilAsync(start, ["counter.renamed"], (events, _) => events.Any(e => e.StreamId == streamA));
        Assert.Single(afterCommit, e => e.StreamId == streamA);
    }

    [Fact]
    public async Task The_log_is_ordered_by_transaction_id_as_a_number_not_as_text()
    {
        // Regression: an unqualified ORDER BY bound to the text copy of transaction_id, so "10" sorted before "9"
        // and a reader whose transaction ids crossed a power of ten re-read some events and skipped others.
        var stream = $"xid-order-{Guid.NewGuid():N}";
        await RawEvents.InsertAsync(db.DataSource, db.Schema, stream, 1, "counter.incremented", 2, """{"counterId":"xid-100","by":1}""", transactionId: 100);
        await RawEvents.InsertAsync(db.DataSource, db.Schema, stream, 2, "counter.incremented", 2, """{"counterId":"xid-9","by":1}""", transactionId: 9);
        await RawEvents.InsertAsync(db.DataSource, db.Schema, stream, 3, "counter.incremented", 2, """{"counterId":"xid-10","by":1}""", transactionId: 10);

        var (events, _) = await DrainUntilAsync(GlobalCheckpoint.Start, all => all.Count(e => e.StreamId == stream) == 3);

        Assert.Equal(["xid-9", "xid-10", "xid-100"], events.Where(e => e.StreamId == stream).Select(e => ((CounterIncremented)e.Data).CounterId));
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].Checkpoint > events[i - 1].Checkpoint);
        }
    }

    [Fact]
    public async Task A_rolled_back_append_is_never_read()
    {
        var start = await CurrentEndAsync();
        var rolledBack = $"rollback-{Guid.NewGuid():N}";
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await _store.AppendAsync(connection, transaction, rolledBack, "counter", ExpectedVersion.NoStream, [Increment("ghost")]);
            await transaction.RollbackAsync();
        }

        var committed = $"committed-{Guid.NewGuid():N}";
        await _store.AppendAsync(committed, "counter", ExpectedVersion.NoStream, [Increment("real")]);

        var (events, _) = await DrainUntilAsync(start, all => all.Any(e => e.StreamId == committed));
        Assert.DoesNotContain(events, e => e.StreamId == rolledBack);
        Assert.Null(await _store.GetStreamAsync(rolledBack));
    }

    [Fact]
    public async Task Eight_writers_with_random_delays_and_a_concurrent_reader_lose_and_repeat_nothing()
    {
        const int writers = 8;
        const int transactionsPerWriter = 25;
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
                var appends = random.Next(1, 4);
                for (var a = 0; a < appends; a++)
                {
                    var batch = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Increment($"w{writer}")).ToList();
                    await _store.AppendAsync(connection, transaction, $"w{writer}-{random.Next(3)}-{start.Position}", "counter", ExpectedVersion.Any, batch);
                    ids.AddRange(batch.Select(e => e.EventId));
                    await Task.Delay(random.Next(0, 15));
                }

                if (random.Next(10) == 0)
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
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (DateTime.UtcNow < deadline)
            {
                var finished = Volatile.Read(ref writersDone);
                var page = await _store.ReadAllAsync(checkpoint, batchSize: 5);
                Assert.True(page.Next >= checkpoint);
                received.AddRange(page.Events);
                checkpoint = page.Next;
                if (finished && page.IsEmpty && committed.Keys.All(id => received.Any(e => e.EventId == id)))
                {
                    return;
                }

                if (page.IsEmpty)
                {
                    await Task.Delay(2);
                }
            }
        }

        var reader = Task.Run(ReadAsync);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))));
        Volatile.Write(ref writersDone, true);
        await reader;

        var ours = received.Where(e => e.StreamId.StartsWith('w')).ToList();
        var duplicates = ours.GroupBy(e => e.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key} at {string.Join(", ", g.Select(e => e.Checkpoint))}").ToList();
        Assert.True(duplicates.Count == 0, $"Read more than once: {string.Join("; ", duplicates)}");
        var missing = committed.Keys.Except(ours.Select(e => e.EventId)).ToList();
        Assert.True(missing.Count == 0, $"Committed but never read: {string.Join(", ", missing)}");
        Assert.Equal(ours.Count, ours.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(committed.Keys.Order(), ours.Select(e => e.EventId).Order());
        Assert.DoesNotContain(ours, e => rolledBack.ContainsKey(e.EventId));
        for (var i = 1; i < received.Count; i++)
        {
            Assert.True(received[i].Checkpoint > received[i - 1].Checkpoint, "The global log must be read in strictly increasing checkpoint order.");
        }
    }

    [Fact]
    public async Task Events_of_archived_streams_are_left_out_of_the_global_log_unless_asked_for()
    {
        var start = await CurrentEndAsync();
        var archived = $"archived-{Guid.NewGuid():N}";
        var kept = $"kept-{Guid.NewGuid():N}";
        await _store.AppendAsync(archived, "counter", ExpectedVersion.NoStream, [Increment("x")]);
        await _store.AppendAsync(kept, "counter", ExpectedVersion.NoStream, [Increment("y")]);
        await _store.ArchiveStreamAsync(archived);

        var (events, _) = await DrainUntilAsync(start, all => all.Any(e => e.StreamId == kept));
        Assert.DoesNotContain(events, e => e.StreamId == archived);

        var withArchived = new List<RecordedEvent>();
        var from = start;
        while (true)
        {
            var page = await _store.ReadAllAsync(from, 100, includeArchived: true);
            withArchived.AddRange(page.Events);
            if (page.Next == from)
            {
                break;
            }

            from = page.Next;
        }

        Assert.Contains(withArchived, e => e.StreamId == archived && e.Archived);
    }

    [Fact]
    public async Task A_listener_is_woken_when_an_append_commits_and_not_before()
    {
        await using var listener = new EventLogListener(db.DataSource, _store.Options);
        await listener.StartAsync();
        // Earlier tests' appends are notified after their commits; let those arrive before watching for ours.
        while (await listener.WaitAsync(TimeSpan.FromMilliseconds(300)))
        {
        }

        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var waiting = listener.WaitAsync(TimeSpan.FromSeconds(10));
            await _store.AppendAsync(connection, transaction, $"notify-{Guid.NewGuid():N}", "counter", ExpectedVersion.NoStream, [Increment("n")]);
            await Task.Delay(200);
            Assert.False(waiting.IsCompleted, "NOTIFY must be delivered on commit, not before.");
            await transaction.CommitAsync();
            Assert.True(await waiting);
        }

        var next = listener.WaitAsync(TimeSpan.FromSeconds(10));
        await _store.AppendAsync($"notify-{Guid.NewGuid():N}", "counter", ExpectedVersion.NoStream, [Increment("m")]);
        Assert.True(await next);
        Assert.True(listener.NotificationsReceived >= 2);
    }

    [Fact]
    public async Task A_long_open_transaction_holds_readers_back_until_it_ends()
    {
        var start = await CurrentEndAsync();
        // A transaction that has written something but not committed (any table) holds back the reader.
        await using var blocker = await db.DataSource.OpenConnectionAsync();
        await using var blockerTransaction = await blocker.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("select pg_current_xact_id()", blocker, blockerTransaction))
        {
            await take.ExecuteScalarAsync();
        }

        var after = $"after-{Guid.NewGuid():N}";
        await _store.AppendAsync(after, "counter", ExpectedVersion.NoStream, [Increment("z")]);
        var (held, _) = await DrainAsync(start);
        Assert.DoesNotContain(held, e => e.StreamId == after);

        await blockerTransaction.RollbackAsync();
        var (released, _) = await DrainUntilAsync(start, all => all.Any(e => e.StreamId == after));
        Assert.Contains(released, e => e.StreamId == after);
    }
}

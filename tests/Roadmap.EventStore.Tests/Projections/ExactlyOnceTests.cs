using Npgsql;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionTestKit;

namespace Roadmap.EventStore.Tests.Projections;

public enum TearDown
{
    /// <summary>The host stops; the batch's connection dies before its commit (a crash).</summary>
    StopAndKillConnection,

    /// <summary>The host stops; the batch in flight is aborted before its commit.</summary>
    StopAndAbortBatch,

    /// <summary>The host stops; the batch in flight still commits.</summary>
    StopAndLetBatchCommit,

    /// <summary>The host keeps running; only the batch's connection dies before its commit.</summary>
    KillConnectionOnly,
}

/// <summary>Failures between a batch's read-model writes and its commit never apply an event twice or lose one.</summary>
public sealed class ExactlyOnceTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private const int Events = 25;
    private const int BatchSize = 10;

    [Fact]
    public async Task A_batch_that_fails_before_commit_is_rolled_back_and_retried_in_place()
    {
        var projection = new RecordingProjection("once_in_place");
        var events = await AppendIncrementsAsync(db.Store, Events);
        var target = events[BatchSize + 2].EventId;
        var thrown = 0;

        await using (var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions(batchSize: BatchSize, beforeCommit: (_, batch) =>
        {
            if (batch.Any(e => e.EventId == target) && Interlocked.Exchange(ref thrown, 1) == 0)
            {
                throw new InvalidOperationException("simulated failure after the read-model writes");
            }

            return Task.CompletedTask;
        })))
        {
            await daemon.StartAsync();
            await WaitForCatchUpAsync(db.Store, projection.Name, events[^1]);
        }

        Assert.Equal(1, thrown);
        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, projection);
        var status = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(await CountEventsAsync(db.DataSource, db.Schema), status.AppliedEvents);
        Assert.Equal(0, status.LagEvents);
        Assert.Equal(0, status.DeadLetterCount);
    }

    [Fact]
    public async Task A_batch_that_fails_with_a_transient_error_before_commit_is_applied_once_after_the_runner_restarts()
    {
        var projection = new RecordingProjection("once_transient");
        var events = await AppendIncrementsAsync(db.Store, Events);
        var target = events[BatchSize + 2].EventId;
        var thrown = 0;

        await using (var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions(batchSize: BatchSize, beforeCommit: (_, batch) =>
        {
            if (batch.Any(e => e.EventId == target) && Interlocked.Increment(ref thrown) <= 2)
            {
                throw new PostgresException("simulated serialization failure", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure);
            }

            return Task.CompletedTask;
        })))
        {
            await daemon.StartAsync();
            await WaitForCatchUpAsync(db.Store, projection.Name, events[^1]);
        }

        Assert.Equal(3, thrown);
        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, projection);
        var status = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(await CountEventsAsync(db.DataSource, db.Schema), status.AppliedEvents);
        Assert.Equal(0, status.DeadLetterCount);
    }

    [Theory]
    [InlineData(TearDown.StopAndKillConnection)]
    [InlineData(TearDown.StopAndAbortBatch)]
    [InlineData(TearDown.StopAndLetBatchCommit)]
    [InlineData(TearDown.KillConnectionOnly)]
    public async Task A_host_torn_down_mid_batch_leaves_every_event_applied_once_after_a_fresh_host_catches_up(TearDown tearDown)
    {
        var name = $"once_{tearDown.ToString().ToLowerInvariant()}";
        var projection = new RecordingProjection(name, "first-host");
        var events = await AppendIncrementsAsync(db.Store, Events);
        var target = events[BatchSize + 2];
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = 0;

        var first = new ProjectionDaemon(db.Store, [projection], FastOptions("first-host", BatchSize, beforeCommit: async (_, batch) =>
        {
            if (batch.Any(e => e.EventId == target.EventId) && Interlocked.Exchange(ref blocked, 1) == 0)
            {
                entered.SetResult();
                await gate.Task;
            }
        }));
        var disposing = Task.CompletedTask;
        try
        {
            await first.StartAsync();
            await entered.Task.WaitAsync(Patience);

            // The batch with the target has written its rows and moved its checkpoint, uncommitted.
            var whileBlocked = await StatusAsync(db.Store, name);
            Assert.True(whileBlocked.Checkpoint < target.Checkpoint, $"checkpoint {whileBlocked.Checkpoint} passed {target.Checkpoint} before the commit");
            Assert.DoesNotContain(await ReadAppliedAsync(db.DataSource, db.Schema, projection), r => r.EventId == target.EventId);

            if (tearDown != TearDown.KillConnectionOnly)
            {
                disposing = first.DisposeAsync().AsTask();
            }

            switch (tearDown)
            {
                case TearDown.StopAndKillConnection or TearDown.KillConnectionOnly:
                    // Waits until the backend has exited, so the commit that follows cannot reach it.
                    Assert.Equal(1, await ScalarAsync(db.DataSource, "select count(*) from pg_terminate_backend($1, 10000) t where t", projection.LastProcessId));
                    gate.SetResult();
                    break;
                case TearDown.StopAndAbortBatch:
                    gate.SetException(new OperationCanceledException("host shutting down"));
                    break;
                default:
                    gate.SetResult();
                    break;
            }

            if (tearDown == TearDown.KillConnectionOnly)
            {
                // The same host reconnects, takes its lock again and redoes the batch.
                await WaitForCatchUpAsync(db.Store, name, events[^1]);
            }

            await disposing.WaitAsync(Patience);
        }
        finally
        {
            gate.TrySetResult();
            await first.DisposeAsync();
        }

        var afterTearDown = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        var committed = tearDown is TearDown.StopAndLetBatchCommit or TearDown.KillConnectionOnly;
        Assert.Equal(committed, afterTearDown.Any(r => r.EventId == target.EventId));
        Assert.All(afterTearDown, r => Assert.Equal(1, r.Times));

        // A fresh host (its own connection pool, as after a process restart) picks up where the checkpoint stands.
        await using var dataSource = EventStoreDataSource.Create(TestDatabase.ConnectionString, "roadmap-tests-second-host");
        var store = new PostgresEventStore(dataSource, new EventStoreOptions(db.Schema, db.Types));
        var fresh = new RecordingProjection(name, "second-host");
        await using (var second = new ProjectionDaemon(store, [fresh], FastOptions("second-host", BatchSize)))
        {
            await second.StartAsync();
            await WaitForCatchUpAsync(store, name, events[^1]);
        }

        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, projection);
        var status = await StatusAsync(db.Store, name);
        Assert.Equal(await CountEventsAsync(db.DataSource, db.Schema), status.AppliedEvents);
        var rows = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        Assert.Equal(committed, rows.Single(r => r.EventId == target.EventId).AppliedBy == "first-host");
    }
}

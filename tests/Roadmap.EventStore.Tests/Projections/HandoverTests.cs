using System.Collections.Concurrent;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionKit;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>Two nodes on one schema (Marten's HotCold daemon): one runs the projection, the other takes over when it goes.</summary>
[Collection(DaemonCollection.Name)]
public sealed class HandoverTests
{
    [Fact]
    public async Task The_standby_node_applies_nothing_while_the_holder_runs_and_takes_over_without_missing_or_repeating_an_event()
    {
        const string name = "handover";
        await using var schema = await TestSchema.CreateAsync();
        var a = new RecordingProjection(name, "host-a");
        var b = new RecordingProjection(name, "host-b");
        await using var hostA = await DaemonHost.StartAsync(schema, "host-a", [a]);
        var first = await AppendIncrementsAsync(schema.Store, 20);
        await WaitForCatchUpAsync(hostA.Admin, name, first[^1].GlobalPosition);
        Assert.True(hostA.Runs(name));

        await using var hostB = await DaemonHost.StartAsync(schema, "host-b", [b]);
        // Host B polls for the projection's leadership while A keeps applying.
        var second = await AppendIncrementsAsync(schema.Store, 20);
        await WaitForCatchUpAsync(hostA.Admin, name, second[^1].GlobalPosition);
        await Waiting.UntilAsync(async () => await TriedForLeadershipAsync(schema, hostB), "host B to try for the projection's leadership");

        Assert.False(hostB.Runs(name));
        Assert.Equal(0, b.Batches);
        Assert.All(await a.RowsAsync(schema), r => Assert.Equal("host-a", r.AppliedBy));
        Assert.True(await AdvisoryLocksHeldByAsync(schema, hostA) > 0, await ActivityAsync(schema));
        Assert.Equal(0, await AdvisoryLocksHeldByAsync(schema, hostB));

        // Keep appending while the holder goes away.
        using var stopWriting = new CancellationTokenSource();
        var appended = new ConcurrentQueue<RecordedEvent>();
        var writer = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                foreach (var e in await AppendIncrementsAsync(schema.Store, 1, tag: "during"))
                {
                    appended.Enqueue(e);
                }
            }
        });

        await Waiting.UntilAsync(() => appended.Count >= 10, "10 appends before the holder stops");
        await hostA.StopAsync();
        var batchesOfA = a.Batches;
        Assert.False(hostA.Runs(name));

        await Waiting.UntilAsync(() => hostB.Runs(name), "host B to take over");
        await Waiting.UntilAsync(async () => (await b.RowsAsync(schema)).Any(r => r.AppliedBy == "host-b"), "host B to apply an event");
        await stopWriting.CancelAsync();
        await writer;
        var last = await AppendIncrementsAsync(schema.Store, 5, tag: "after");
        await WaitForCatchUpAsync(hostB.Admin, name, last[^1].GlobalPosition);

        Assert.Equal(batchesOfA, a.Batches);
        await AssertEveryEventAppliedOnceAsync(schema, b);
        var rows = await b.RowsAsync(schema);
        Assert.Equal(first.Count + second.Count + appended.Count + last.Count, rows.Count);
        Assert.All(first.Concat(second), e => Assert.Equal("host-a", rows.Single(r => r.Sequence == e.GlobalPosition).AppliedBy));
        Assert.All(last, e => Assert.Equal("host-b", rows.Single(r => r.Sequence == e.GlobalPosition).AppliedBy));
        // Applied by A up to some point, by B after it.
        var switchedAt = rows.First(r => r.AppliedBy == "host-b").Sequence;
        Assert.All(rows, r => Assert.Equal(r.Sequence < switchedAt ? "host-a" : "host-b", r.AppliedBy));
        var status = await StatusAsync(hostB.Admin, name);
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Equal(last[^1].GlobalPosition, status.Checkpoint.Position);
        Assert.Equal(0, status.LagEvents);
    }

    public enum TearDown
    {
        /// <summary>The host shuts down; the daemon cancels the batch in flight before it commits.</summary>
        StopCancelsTheBatch,

        /// <summary>The host shuts down while the batch in flight ignores the cancellation and finishes after the stop began.</summary>
        StopWhileTheBatchFinishes,

        /// <summary>Every database connection of the host dies (as when its process is killed): its leadership lock goes with them.</summary>
        ConnectionsKilled,
    }

    [Theory]
    [InlineData(TearDown.StopCancelsTheBatch)]
    [InlineData(TearDown.StopWhileTheBatchFinishes)]
    [InlineData(TearDown.ConnectionsKilled)]
    public async Task A_node_torn_down_mid_batch_leaves_every_event_applied_once_after_the_other_node_takes_over(TearDown tearDown)
    {
        const string name = "torn";
        const int batchSize = 10;
        await using var schema = await TestSchema.CreateAsync();
        var events = await AppendIncrementsAsync(schema.Store, 35);
        var target = events[batchSize + 3];
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = 0;
        var a = new RecordingProjection(name, "host-a")
        {
            // The batch with the target waits before it queues anything: the daemon has read it, nothing is written.
            BeforeApply = async (batch, cancellation) =>
            {
                if (batch.Events.Any(e => e.EventId == target.EventId) && Interlocked.Exchange(ref blocked, 1) == 0)
                {
                    entered.SetResult();
                    await (tearDown == TearDown.StopCancelsTheBatch ? gate.Task.WaitAsync(cancellation) : gate.Task);
                }
            },
        };
        var b = new RecordingProjection(name, "host-b");
        await using var hostA = await DaemonHost.StartAsync(schema, "host-a", [a], DaemonHost.Tuning(batchSize));
        await entered.Task.WaitAsync(Waiting.Patience);
        await using var hostB = await DaemonHost.StartAsync(schema, "host-b", [b], DaemonHost.Tuning(batchSize));
        await Waiting.UntilAsync(async () => await TriedForLeadershipAsync(schema, hostB), "host B to try for the projection's leadership");
        Assert.False(hostB.Runs(name));
        var before = await StatusAsync(hostB.Admin, name);
        Assert.True(before.Checkpoint.Position < target.GlobalPosition, $"checkpoint {before.Checkpoint} passed {target.GlobalPosition} before the batch was applied");
        Assert.DoesNotContain(await a.RowsAsync(schema), r => r.Sequence >= target.GlobalPosition);

        var stopping = Task.CompletedTask;
        try
        {
            switch (tearDown)
            {
                case TearDown.StopCancelsTheBatch:
                    await hostA.StopAsync();
                    break;
                case TearDown.StopWhileTheBatchFinishes:
                    stopping = hostA.StopAsync();
                    gate.SetResult();
                    await stopping.WaitAsync(Waiting.Patience);
                    break;
                case TearDown.ConnectionsKilled:
                    // A's backends exit (its leadership lock with them); both nodes then race for the lock. A, whose process
                    // lives on, may win it back (its stuck agent then simply goes on): kill again until B has it.
                    for (var attempt = 1; !hostB.Runs(name); attempt++)
                    {
                        Assert.True(attempt <= 10, "Host B never won the lock of the projection.");
                        await schema.ExecuteAsync(
                            "select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = $1", hostA.ApplicationName);
                        await Waiting.UntilAsync(async () => hostB.Runs(name) || await AdvisoryLocksHeldByAsync(schema, hostA) > 0, "a node to take the lock");
                    }

                    // B runs the projection from its progress and applies the batch A's stuck agent holds.
                    await WaitForCatchUpAsync(hostB.Admin, name, events[^1].GlobalPosition);
                    // Only now does the stuck batch go on, on new connections, behind the new agent's back: its commit
                    // must be refused.
                    gate.SetResult();
                    await Waiting.UntilAsync(async () =>
                            hostA.Logs.Entries.Any(l => l.Exception?.ToString().Contains("ProgressionProgressOutOfOrder", StringComparison.Ordinal) == true)
                            || (await b.RowsAsync(schema)).Any(r => r.Times > 1),
                        "the stuck batch to be refused (or applied twice)", onTimeout: () => Task.FromResult(string.Join("\n", hostA.Logs.Entries.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => $"{l.Message} {l.Exception}"))));
                    break;
            }

            await Waiting.UntilAsync(() => hostA.Runs(name) || hostB.Runs(name), "a node to run the projection");
            await WaitForCatchUpAsync(hostB.Admin, name, events[^1].GlobalPosition);
            Assert.True(tearDown == TearDown.ConnectionsKilled || hostB.Runs(name), "host B took over");
            var more = await AppendIncrementsAsync(schema.Store, 5, tag: "after");
            await WaitForCatchUpAsync(hostB.Admin, name, more[^1].GlobalPosition);
            Assert.False(hostA.Runs(name) && hostB.Runs(name), "both nodes run the projection");
        }
        finally
        {
            gate.TrySetResult();
            await stopping;
        }

        await AssertEveryEventAppliedOnceAsync(schema, b);
        var rows = await b.RowsAsync(schema);
        Assert.All(rows.Where(r => r.Sequence < events[batchSize].GlobalPosition), r => Assert.Equal("host-a", r.AppliedBy));
        if (tearDown != TearDown.ConnectionsKilled)
        {
            Assert.All(rows.Where(r => r.Sequence > events[2 * batchSize].GlobalPosition), r => Assert.Equal("host-b", r.AppliedBy));
        }

        var status = await StatusAsync(hostB.Admin, name);
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Equal(0, status.LagEvents);
        Assert.Equal(0, status.DeadLetterCount);
    }

    /// <summary>A node's connection has asked for an advisory lock (the last statement of an idle connection stays visible).</summary>
    internal static async Task<bool> TriedForLeadershipAsync(TestSchema schema, DaemonHost host) =>
        await schema.ScalarAsync(
            "select count(*) from pg_stat_activity where application_name = $1 and query like '%pg_try_advisory%'", host.ApplicationName) > 0;

    internal static Task<long> AdvisoryLocksHeldByAsync(TestSchema schema, DaemonHost host) => schema.ScalarAsync(
        "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted and a.application_name = $1",
        host.ApplicationName);

    internal static async Task<string> ActivityAsync(TestSchema schema) =>
        await schema.TextAsync("select string_agg(application_name || ' ' || state || ': ' || query, E'\n') from pg_stat_activity where application_name like 'roadmap-tests-%'") ?? "";
}

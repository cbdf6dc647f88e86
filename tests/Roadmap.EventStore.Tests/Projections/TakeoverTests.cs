using System.Collections.Concurrent;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionTestKit;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>Two hosts, each with its own connection pool and daemon, on one schema.</summary>
public sealed class TakeoverTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    /// <summary>One "host": its own connection pool, store, projection instance (which stamps rows with its id) and daemon.</summary>
    private sealed class Host(Npgsql.NpgsqlDataSource dataSource, RecordingProjection projection, ProjectionDaemon daemon) : IAsyncDisposable
    {
        public RecordingProjection Projection { get; } = projection;

        public ProjectionDaemon Daemon { get; } = daemon;

        public async ValueTask DisposeAsync()
        {
            await Daemon.DisposeAsync();
            await dataSource.DisposeAsync();
        }
    }

    private async Task<Host> StartHostAsync(string instanceId, string projectionName)
    {
        var dataSource = EventStoreDataSource.Create(TestDatabase.ConnectionString, $"roadmap-tests-{instanceId}");
        var store = new PostgresEventStore(dataSource, new EventStoreOptions(db.Schema, db.Types));
        var projection = new RecordingProjection(projectionName, instanceId);
        var daemon = new ProjectionDaemon(store, [projection], FastOptions(instanceId, batchSize: 20));
        await daemon.StartAsync();
        return new Host(dataSource, projection, daemon);
    }

    private Task<long> AdvisoryLocksHeldByAsync(string instanceId) => ScalarAsync(db.DataSource,
        """
        select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.granted and a.application_name = $1
        """, $"roadmap-tests-{instanceId}");

    [Fact]
    public async Task Only_one_host_runs_a_projection_and_the_other_takes_over_when_it_stops_without_missing_or_repeating_an_event()
    {
        const string name = "takeover";
        await using var hostA = await StartHostAsync("host-a", name);
        var first = await AppendIncrementsAsync(db.Store, 30);
        await WaitForCatchUpAsync(db.Store, name, first[^1]);
        Assert.Equal("host-a", (await StatusAsync(db.Store, name)).RunningOn);

        await using var hostB = await StartHostAsync("host-b", name);
        // Give host B's runner something to race for: it tries the lock every 200 ms while A keeps applying.
        var second = await AppendIncrementsAsync(db.Store, 30);
        await WaitForCatchUpAsync(db.Store, name, second[^1]);

        // Host A's session holds the projection's advisory lock; host B's none, and B has applied nothing.
        Assert.Equal(1, await AdvisoryLocksHeldByAsync("host-a"));
        Assert.Equal(0, await AdvisoryLocksHeldByAsync("host-b"));
        Assert.Equal(0, hostB.Projection.Batches);
        var whileAOwns = await ReadAppliedAsync(db.DataSource, db.Schema, hostA.Projection);
        Assert.All(whileAOwns, r => Assert.Equal("host-a", r.AppliedBy));
        Assert.Equal("host-a", (await StatusAsync(db.Store, name)).RunningOn);

        // Keep appending while the owner goes away.
        using var stopWriting = new CancellationTokenSource();
        var appended = new ConcurrentQueue<RecordedEvent>();
        var writer = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                foreach (var e in await AppendIncrementsAsync(db.Store, 1, tag: "during"))
                {
                    appended.Enqueue(e);
                }

                await Task.Delay(5, CancellationToken.None);
            }
        });

        await WaitUntilAsync(() => Task.FromResult(appended.Count >= 20), "20 appends before the owner stops");
        await hostA.Daemon.StopAsync();
        var appliedByA = hostA.Projection.Batches;

        await WaitUntilAsync(async () => (await StatusAsync(db.Store, name)).RunningOn == "host-b", "host B to take over");
        await WaitUntilAsync(async () => (await ReadAppliedAsync(db.DataSource, db.Schema, hostA.Projection)).Any(r => r.AppliedBy == "host-b"),
            "host B to apply an event");
        await stopWriting.CancelAsync();
        await writer;
        var last = await AppendIncrementsAsync(db.Store, 5, tag: "after");
        await WaitForCatchUpAsync(db.Store, name, last[^1]);

        Assert.Equal(appliedByA, hostA.Projection.Batches);
        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, hostA.Projection);
        var rows = await ReadAppliedAsync(db.DataSource, db.Schema, hostA.Projection);
        var total = 60 + appended.Count + 5;
        Assert.Equal(total, rows.Count);
        Assert.Equal(total, rows.Count(r => r.AppliedBy == "host-a") + rows.Count(r => r.AppliedBy == "host-b"));
        Assert.All(last, e => Assert.Equal("host-b", rows.Single(r => r.EventId == e.EventId).AppliedBy));
        var status = await StatusAsync(db.Store, name);
        Assert.Equal("host-b", status.RunningOn);
        Assert.Equal(total, status.AppliedEvents);
        Assert.Equal(0, status.LagEvents);
    }
}

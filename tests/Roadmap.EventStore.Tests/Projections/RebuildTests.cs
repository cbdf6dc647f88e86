using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionTestKit;

namespace Roadmap.EventStore.Tests.Projections;

public sealed class RebuildTests(SchemaFixture db) : IClassFixture<SchemaFixture>, IAsyncLifetime
{
    private const string Name = "rebuilt";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // The fixture drops the test schema; a rebuild that did not finish leaves its own schema behind.
        await using var drop = db.DataSource.CreateCommand($"drop schema if exists {db.Schema}_rb_{Name} cascade");
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_rebuild_serves_the_old_table_while_it_runs_and_swaps_in_an_identical_one()
    {
        var projection = new RecordingProjection(Name);
        var events = await AppendIncrementsAsync(db.Store, 120, streams: 7);
        var rebuildStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rebuildGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var admin = new ProjectionAdmin(db.Store);
        List<AppliedRow> live;

        await using var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions(batchSize: 25));
        try
        {
            await daemon.StartAsync();
            await WaitForCatchUpAsync(db.Store, Name, events[^1]);
            live = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
            Assert.Equal(await FoldLogAsync(db.DataSource, db.Schema, "test"), live);
            Assert.Null((await StatusAsync(db.Store, Name)).RebuiltAt);

            // Hold the rebuild at its first batch, before it writes anything (so it holds back no reader).
            projection.BeforeWrite = async batch =>
            {
                if (batch.IsRebuild)
                {
                    rebuildStarted.TrySetResult();
                    await rebuildGate.Task;
                }
            };
            Assert.True(await admin.RequestRebuildAsync(Name));
            Assert.False(await admin.RequestRebuildAsync("no_such_projection"));
            await rebuildStarted.Task.WaitAsync(Patience);

            var during = await StatusAsync(db.Store, Name);
            Assert.Equal(ProjectionState.Rebuilding, during.State);
            Assert.NotNull(during.Rebuild);
            Assert.NotNull(during.Rebuild.StartedAt);
            Assert.Equal(events.Count, during.Rebuild.Total);
            Assert.Equal(live, await ReadAppliedAsync(db.DataSource, db.Schema, projection));

            // Let the rebuild go on in small batches; the live table must answer with the complete old data throughout.
            rebuildGate.SetResult();
            await WaitUntilAsync(async () =>
            {
                var status = await StatusAsync(db.Store, Name);
                Assert.Equal(live, await ReadAppliedAsync(db.DataSource, db.Schema, projection));
                return status.RebuiltAt is not null && status.Rebuild is null && status.State == ProjectionState.Running;
            }, "the rebuild to swap in");
        }
        finally
        {
            rebuildGate.TrySetResult();
        }

        var rebuilt = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        Assert.Equal(live, rebuilt);
        Assert.Equal(await FoldLogAsync(db.DataSource, db.Schema, "test"), rebuilt);
        var swapped = await StatusAsync(db.Store, Name);
        Assert.Equal(events.Count, swapped.AppliedEvents);
        Assert.Equal(events[^1].Checkpoint, swapped.Checkpoint);
        Assert.Equal(0, await ScalarAsync(db.DataSource, "select count(*) from information_schema.schemata where schema_name = $1", $"{db.Schema}_rb_{Name}"));

        // The swapped-in table is the live one now: new events land in it, once, and nothing old is applied again.
        var more = await AppendIncrementsAsync(db.Store, 10);
        await WaitForCatchUpAsync(db.Store, Name, more[^1]);
        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, projection);
        Assert.Equal(events.Count + more.Count, (await StatusAsync(db.Store, Name)).AppliedEvents);
    }
}

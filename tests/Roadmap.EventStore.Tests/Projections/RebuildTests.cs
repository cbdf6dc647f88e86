using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionKit;

namespace Roadmap.EventStore.Tests.Projections;

[Collection(DaemonCollection.Name)]
public sealed class RebuildTests
{
    [Fact]
    public async Task A_rebuild_while_writes_go_on_ends_equal_to_a_fold_of_the_log()
    {
        const string name = "rebuilt";
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection(name);
        var events = await AppendIncrementsAsync(schema.Store, 150, streams: 7);
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 20));
        await WaitForCatchUpAsync(host.Admin, name, events[^1].GlobalPosition);
        Assert.Equal(await FoldLogAsync(schema), Content(await projection.RowsAsync(schema)));
        Assert.Null((await StatusAsync(host.Admin, name)).RebuiltAt);

        // The read model has drifted from the log (a bug since fixed, a hand edit): a rebuild must put it right.
        await schema.ExecuteAsync($"update {schema.Schema}.{projection.Table} set amount = -1 where seq % 10 = 0");
        await schema.ExecuteAsync($"delete from {schema.Schema}.{projection.Table} where seq % 17 = 0");
        await schema.ExecuteAsync($"insert into {schema.Schema}.{projection.Table} values (999999, gen_random_uuid(), 'ghost', 1, 'counter.incremented', 1, 'nobody', 1)");

        using var stopWriting = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                await AppendIncrementsAsync(schema.Store, 1, tag: "during");
                Interlocked.Increment(ref written);
            }
        });

        Assert.True(await host.Admin.RequestRebuildAsync(name));
        Assert.False(await host.Admin.RequestRebuildAsync("no_such_projection"));
        await Waiting.UntilAsync(async () => await StatusAsync(host.Admin, name) is { RebuiltAt: not null, Rebuild: null, State: ProjectionState.Running },
            "the rebuild to finish");
        await Waiting.UntilAsync(() => Volatile.Read(ref written) >= 10, "appends during and after the rebuild");
        await stopWriting.CancelAsync();
        await writer;

        var last = await AppendIncrementsAsync(schema.Store, 3, tag: "after");
        await WaitForCatchUpAsync(host.Admin, name, last[^1].GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(schema, projection);
        var status = await StatusAsync(host.Admin, name);
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Null(status.Error);
        Assert.Equal(last[^1].GlobalPosition, status.Checkpoint.Position);
        Assert.True(host.Runs(name));
    }

    [Fact]
    public async Task Every_node_hears_of_a_finished_rebuild_once()
    {
        const string name = "heard";
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection(name);
        var events = await AppendIncrementsAsync(schema.Store, 30, streams: 3);
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 20));
        await WaitForCatchUpAsync(host.Admin, name, events[^1].GlobalPosition);

        // Another node, without a daemon (an API-only node with its own caches of the read model).
        var other = new ProjectionAdmin(host.Store, host.Projections, () => null);
        var heard = new List<string>();
        other.Rebuilt += heard.Add;
        await other.NoticeFinishedRebuildsAsync();
        Assert.Empty(heard);

        Assert.True(await host.Admin.RequestRebuildAsync(name));
        await Waiting.UntilAsync(async () => await StatusAsync(host.Admin, name) is { RebuiltAt: not null, Rebuild: null },
            "the rebuild to finish");
        await other.NoticeFinishedRebuildsAsync();
        Assert.Equal([name], heard);

        await other.NoticeFinishedRebuildsAsync();
        Assert.Equal([name], heard);

        // A failed rebuild replaced nothing: nothing to hear.
        await schema.ExecuteAsync($"update {schema.Schema}.projection_controls set finished_at = now(), error = 'Rebuild failed: test' where name = $1", name);
        await other.NoticeFinishedRebuildsAsync();
        Assert.Equal([name], heard);
    }

    [Fact]
    public async Task The_old_read_model_serves_and_stays_current_until_the_rebuilt_one_replaces_it()
    {
        const string name = "beside";
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection(name) { RebuildPageSize = 25 };
        var events = await AppendIncrementsAsync(schema.Store, 120, streams: 5);
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 20));
        await WaitForCatchUpAsync(host.Admin, name, events[^1].GlobalPosition);
        await schema.ExecuteAsync($"update {schema.Schema}.{projection.Table} set amount = -1 where seq % 10 = 0");
        var drifted = await projection.RowsAsync(schema);

        // The replay into the side tables waits after its first page; the live tables are watched meanwhile.
        var replaying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        projection.BeforeApply = async (batch, cancellationToken) =>
        {
            if (batch.Schema != schema.Schema && batch.Events[0].GlobalPosition > events[0].GlobalPosition)
            {
                replaying.TrySetResult();
                await release.Task.WaitAsync(cancellationToken);
            }
        };

        Assert.True(await host.Admin.RequestRebuildAsync(name));
        await replaying.Task.WaitAsync(Waiting.Patience);

        // Mid-rebuild: the live read model is complete (not emptied), still the old one, and the daemon keeps it current.
        Assert.Equal(drifted, (await projection.RowsAsync(schema)).Take(drifted.Count));
        var during = await AppendIncrementsAsync(schema.Store, 7, tag: "during");
        await WaitForCatchUpAsync(host.Admin, name, during[^1].GlobalPosition);
        var live = await projection.RowsAsync(schema);
        Assert.Equal(drifted, live.Take(drifted.Count));
        Assert.Equal(during.Select(e => e.GlobalPosition), live.Skip(drifted.Count).Select(r => r.Sequence));
        var status = await StatusAsync(host.Admin, name);
        Assert.Equal(ProjectionState.Rebuilding, status.State);
        Assert.Equal(during[^1].GlobalPosition, status.Checkpoint.Position);
        Assert.True(status.Rebuild is { StartedAt: not null, Applied: > 0 } progress && progress.Applied < during[^1].GlobalPosition,
            $"rebuild progress {status.Rebuild}");

        release.TrySetResult();
        await Waiting.UntilAsync(async () => await StatusAsync(host.Admin, name) is { RebuiltAt: not null, Rebuild: null, State: ProjectionState.Running },
            "the rebuild to finish");
        var after = await AppendIncrementsAsync(schema.Store, 3, tag: "after");
        await WaitForCatchUpAsync(host.Admin, name, after[^1].GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(schema, projection);
        Assert.Equal(0L, await schema.ScalarAsync($"select count(*) from pg_namespace where nspname like '{schema.Schema}\\_re%'"));
        Assert.True(host.Runs(name));
    }

    [Fact]
    public async Task A_rebuild_that_fails_leaves_the_live_read_model_as_it_was()
    {
        const string name = "unharmed";
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection(name) { Policy = PoisonEventPolicy.Stop, RebuildPageSize = 25 };
        var events = await AppendIncrementsAsync(schema.Store, 80, streams: 4);
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 20));
        await WaitForCatchUpAsync(host.Admin, name, events[^1].GlobalPosition);
        var before = await projection.RowsAsync(schema);

        // The new code cannot apply the log (only beside the live tables, so the live projection is not affected).
        projection.BeforeApply = (batch, _) => batch.Schema != schema.Schema && batch.Events.Any(e => e.GlobalPosition == events[50].GlobalPosition)
            ? throw new InvalidOperationException("cannot apply")
            : Task.CompletedTask;
        Assert.True(await host.Admin.RequestRebuildAsync(name));
        await Waiting.UntilAsync(async () => await StatusAsync(host.Admin, name) is { Rebuild: null, Error: not null }, "the rebuild to fail");

        var status = await StatusAsync(host.Admin, name);
        Assert.Equal(ProjectionState.Failed, status.State);
        Assert.Contains("cannot apply", status.Error);
        Assert.Equal(before, await projection.RowsAsync(schema));
        Assert.Equal(0L, await schema.ScalarAsync($"select count(*) from pg_namespace where nspname like '{schema.Schema}\\_re%'"));

        // The live projection went on all the while.
        var later = await AppendIncrementsAsync(schema.Store, 3, tag: "later");
        await WaitForCatchUpAsync(host.Admin, name, later[^1].GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(schema, projection);
    }
}

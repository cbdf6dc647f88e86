using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionTestKit;

namespace Roadmap.EventStore.Tests.Projections;

public sealed class ProjectionStatusTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    [Fact]
    public async Task Status_reports_checkpoint_head_and_lag_and_a_stopped_projection_falls_behind_until_resumed()
    {
        var projection = new RecordingProjection("status_lag");
        var admin = new ProjectionAdmin(db.Store);
        var events = await AppendIncrementsAsync(db.Store, 10);

        await using var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions("status-host"));
        await daemon.StartAsync();
        await WaitForCatchUpAsync(db.Store, projection.Name, events[^1]);

        var caughtUp = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(ProjectionState.Running, caughtUp.State);
        Assert.Equal(events[^1].Checkpoint, caughtUp.Checkpoint);
        Assert.Equal(events[^1].GlobalPosition, caughtUp.HeadPosition);
        Assert.Equal(0, caughtUp.LagEvents);
        Assert.Equal(0, caughtUp.LagSeconds);
        Assert.Equal("status-host", caughtUp.RunningOn);
        Assert.NotNull(caughtUp.HeartbeatAt);
        Assert.Equal(await CountEventsAsync(db.DataSource, db.Schema), caughtUp.AppliedEvents);
        Assert.Null(caughtUp.Error);
        Assert.Null(caughtUp.Rebuild);
        Assert.Equal(0, caughtUp.DeadLetterCount);

        Assert.True(await admin.StopAsync(projection.Name));
        Assert.Equal(ProjectionState.Stopped, (await StatusAsync(db.Store, projection.Name)).State);
        var more = await AppendIncrementsAsync(db.Store, 5);

        var stopped = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(ProjectionState.Stopped, stopped.State);
        Assert.Equal(more[^1].GlobalPosition, stopped.HeadPosition);
        Assert.InRange(stopped.LagEvents, 1, 5);
        Assert.True(stopped.LagSeconds >= 0);
        Assert.True(stopped.Checkpoint < more[^1].Checkpoint);
        var rows = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        Assert.Equal(await CountEventsAsync(db.DataSource, db.Schema), rows.Count + stopped.LagEvents);
        Assert.DoesNotContain(rows, r => r.EventId == more[^1].EventId);

        Assert.True(await admin.ResumeAsync(projection.Name));
        await WaitForCatchUpAsync(db.Store, projection.Name, more[^1]);
        var resumed = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(ProjectionState.Running, resumed.State);
        Assert.Equal(more[^1].Checkpoint, resumed.Checkpoint);
        Assert.Equal(0, resumed.LagEvents);
        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, projection);
    }

    [Fact]
    public async Task Waiting_for_a_stopped_projection_to_catch_up_times_out_naming_it()
    {
        var projection = new RecordingProjection("status_wait");
        var admin = new ProjectionAdmin(db.Store);
        await using var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions("status-host"));
        await daemon.StartAsync();
        var first = await AppendIncrementsAsync(db.Store, 2);
        await WaitForCatchUpAsync(db.Store, projection.Name, first[^1]);

        Assert.True(await admin.StopAsync(projection.Name));
        var later = await AppendIncrementsAsync(db.Store, 5);

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            admin.WaitForCatchUpAsync(projection.Name, later[^1].GlobalPosition, TimeSpan.FromSeconds(1)));
        Assert.Contains("'status_wait'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"global position {later[^1].GlobalPosition}", error.Message, StringComparison.Ordinal);
        Assert.Contains("state stopped", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await ReadAppliedAsync(db.DataSource, db.Schema, projection), r => r.EventId == later[^1].EventId);
    }

    [Fact]
    public async Task A_daemon_can_be_stopped_and_then_disposed_and_applies_nothing_after_it_stopped()
    {
        var projection = new RecordingProjection("status_stop_dispose");
        var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions("status-host"));
        await daemon.StartAsync();
        var first = await AppendIncrementsAsync(db.Store, 2);
        await WaitForCatchUpAsync(db.Store, projection.Name, first[^1]);

        await daemon.StopAsync();
        await daemon.StopAsync();
        await daemon.DisposeAsync();
        await daemon.DisposeAsync();

        var batches = projection.Batches;
        var later = await AppendIncrementsAsync(db.Store, 3);
        await Assert.ThrowsAsync<TimeoutException>(() =>
            new ProjectionAdmin(db.Store).WaitForCatchUpAsync(projection.Name, later[^1].GlobalPosition, TimeSpan.FromSeconds(1)));
        Assert.Equal(batches, projection.Batches);
        Assert.Equal(ProjectionState.Running, (await StatusAsync(db.Store, projection.Name)).State);
    }
}

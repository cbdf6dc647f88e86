using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionKit;

namespace Roadmap.EventStore.Tests.Projections;

[Collection(DaemonCollection.Name)]
public sealed class ProjectionStatusTests
{
    [Fact]
    public async Task Status_reports_checkpoint_head_and_lag_and_a_stop_then_a_resume_leave_every_event_applied_once()
    {
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection("status_seen");
        var other = new RecordingProjection("status_other");
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection, other]);
        var events = await AppendIncrementsAsync(host.Store, 10);
        await WaitForCatchUpAsync(host.Admin, projection.Name, events[^1].GlobalPosition);

        var caughtUp = await StatusAsync(host.Admin, projection.Name);
        Assert.Equal(ProjectionState.Running, caughtUp.State);
        Assert.Equal(events[^1].GlobalPosition, caughtUp.Checkpoint.Position);
        Assert.Equal(events[^1].GlobalPosition, caughtUp.HeadPosition);
        Assert.Equal(10, caughtUp.AppliedEvents);
        Assert.Equal(0, caughtUp.LagEvents);
        Assert.Equal(0, caughtUp.LagSeconds);
        Assert.Equal(ProjectionAdmin.ThisNode, caughtUp.RunningOn);
        Assert.Null(caughtUp.Error);
        Assert.Null(caughtUp.Rebuild);
        Assert.Equal(0, caughtUp.DeadLetterCount);
        Assert.Equal([other.Name, projection.Name], (await host.Admin.GetStatusAsync()).Select(s => s.Name));
        Assert.Null(await host.Admin.GetStatusAsync("no_such_projection"));
        Assert.False(await host.Admin.StopAsync("no_such_projection"));

        Assert.True(await host.Admin.StopAsync(projection.Name));
        Assert.Equal(ProjectionState.Stopped, (await StatusAsync(host.Admin, projection.Name)).State);
        var more = await AppendIncrementsAsync(host.Store, 5);
        await WaitForCatchUpAsync(host.Admin, other.Name, more[^1].GlobalPosition);
        var stopped = await StatusAsync(host.Admin, projection.Name);
        Assert.Equal(ProjectionState.Stopped, stopped.State);
        Assert.Equal(more[^1].GlobalPosition, stopped.HeadPosition);
        Assert.Equal(more[^1].GlobalPosition - stopped.Checkpoint.Position, stopped.LagEvents);

        Assert.True(await host.Admin.ResumeAsync(projection.Name));
        await WaitForCatchUpAsync(host.Admin, projection.Name, more[^1].GlobalPosition);
        var resumed = await StatusAsync(host.Admin, projection.Name);
        Assert.Equal(ProjectionState.Running, resumed.State);
        Assert.Equal(0, resumed.LagEvents);
        await AssertEveryEventAppliedOnceAsync(schema, projection);
        await AssertEveryEventAppliedOnceAsync(schema, other);
    }

    [Fact]
    public async Task A_stopped_projection_applies_nothing_until_it_is_resumed()
    {
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection("stopped");
        var control = new RecordingProjection("control");
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection, control]);
        var events = await AppendIncrementsAsync(host.Store, 10);
        await WaitForCatchUpAsync(host.Admin, projection.Name, events[^1].GlobalPosition);

        Assert.True(await host.Admin.StopAsync(projection.Name));
        var more = await AppendIncrementsAsync(host.Store, 5);
        // The daemon has read them: the control projection beside it has applied them. Waiting for the stopped one
        // then times out (and spans several leadership polls and re-stops).
        await WaitForCatchUpAsync(host.Admin, control.Name, more[^1].GlobalPosition);
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            host.Admin.WaitForCatchUpAsync(projection.Name, more[^1].GlobalPosition, TimeSpan.FromSeconds(2)));
        Assert.Contains($"'{projection.Name}'", timeout.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await projection.RowsAsync(schema), r => r.Sequence > events[^1].GlobalPosition);
        Assert.Equal(ProjectionState.Stopped, (await StatusAsync(host.Admin, projection.Name)).State);

        Assert.True(await host.Admin.ResumeAsync(projection.Name));
        await WaitForCatchUpAsync(host.Admin, projection.Name, more[^1].GlobalPosition);
        await AssertEveryEventAppliedOnceAsync(schema, projection);
    }
}

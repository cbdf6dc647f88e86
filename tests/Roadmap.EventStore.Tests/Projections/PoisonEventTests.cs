using System.Diagnostics;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionKit;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>What the daemon does with an event a projection cannot apply, and with one it cannot even read.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PoisonEventTests
{
    [Fact]
    public async Task An_event_the_projection_cannot_apply_is_dead_lettered_and_the_events_after_it_are_applied()
    {
        await using var schema = await TestSchema.CreateAsync();
        var events = await AppendIncrementsAsync(schema.Store, 12);
        var poison = events[5];
        var projection = new RecordingProjection("poison_skip") { FailOn = e => e.EventId == poison.EventId };
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 4));

        await WaitForCatchUpAsync(host.Admin, projection.Name, events[^1].GlobalPosition);

        var log = await FoldLogAsync(schema);
        Assert.Equal(log.Where(e => e.Sequence != poison.GlobalPosition), Content(await projection.RowsAsync(schema)));
        Assert.All(await projection.RowsAsync(schema), r => Assert.Equal(1, r.Times));
        var status = await StatusAsync(host.Admin, projection.Name);
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Null(status.Error);
        Assert.Equal(1, status.DeadLetterCount);
        var letter = Assert.Single(status.DeadLetters);
        Assert.Equal(poison.GlobalPosition, letter.GlobalPosition);
        // Marten keeps the projection's exception type and names the event (the projection's own message is not kept).
        Assert.StartsWith("InvalidOperationException:", letter.Error, StringComparison.Ordinal);
        Assert.Contains(poison.EventId.ToString(), letter.Error, StringComparison.Ordinal);
        Assert.Equal(events[^1].GlobalPosition, status.Checkpoint.Position);
        Assert.Equal(0, status.LagEvents);
        // In Marten's dead-letter storage, where its tools find it.
        Assert.Equal(1, await schema.ScalarAsync($"select count(*) from {schema.Schema}.mt_doc_deadletterevent where (data ->> 'eventSequence')::bigint = $1", poison.GlobalPosition));
    }

    [Fact]
    public async Task With_the_stop_policy_an_apply_error_stops_the_projection_before_the_event_until_it_is_resumed()
    {
        await using var schema = await TestSchema.CreateAsync();
        var events = await AppendIncrementsAsync(schema.Store, 12);
        var poison = events[5];
        var projection = new RecordingProjection("poison_stop") { Policy = PoisonEventPolicy.Stop, FailOn = e => e.EventId == poison.EventId };
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 4));

        await Waiting.UntilAsync(async () => (await StatusAsync(host.Admin, projection.Name)).State == ProjectionState.Failed, "the projection to fail");

        // Marten's coordinator starts the paused agent again every few seconds; the failure stays in the status meanwhile.
        // Started again here at once, so that the status is read while the agent runs towards the same event.
        await host.Daemon.StartAgentAsync(ProjectionAdmin.ShardOf(projection.Name), CancellationToken.None);
        var watched = Stopwatch.StartNew();
        while (watched.Elapsed < TimeSpan.FromSeconds(7))
        {
            var status = await StatusAsync(host.Admin, projection.Name);
            Assert.True(status.State == ProjectionState.Failed, $"after {watched.Elapsed}: {status.State}, {status.Error}");
            await Task.Delay(100);
        }

        var failed = await StatusAsync(host.Admin, projection.Name);
        Assert.NotNull(failed.Error);
        Assert.Contains($"cannot apply event {poison.EventId}", failed.Error, StringComparison.Ordinal);
        Assert.True(failed.Checkpoint.Position < poison.GlobalPosition);
        Assert.Equal(0, failed.DeadLetterCount);
        Assert.DoesNotContain(await projection.RowsAsync(schema), r => r.Sequence >= poison.GlobalPosition);
        Assert.Equal(events.Count - failed.Checkpoint.Position, failed.LagEvents);

        // Fixed (here: the projection stops throwing), resumed: it goes on from where it stopped, nothing skipped.
        projection.FailOn = null;
        Assert.True(await host.Admin.ResumeAsync(projection.Name));
        await WaitForCatchUpAsync(host.Admin, projection.Name, events[^1].GlobalPosition);

        await AssertEveryEventAppliedOnceAsync(schema, projection);
        var resumed = await StatusAsync(host.Admin, projection.Name);
        Assert.Equal(ProjectionState.Running, resumed.State);
        Assert.Null(resumed.Error);
    }

    [Fact]
    public async Task An_event_that_cannot_be_read_stops_the_projection_visibly_until_it_is_fixed_and_resumed()
    {
        await using var schema = await TestSchema.CreateAsync();
        var events = await AppendIncrementsAsync(schema.Store, 12);
        var unreadable = events[5];
        var original = await schema.TextAsync($"select data::text from {schema.Schema}.mt_events where seq_id = $1", unreadable.GlobalPosition);
        await schema.ExecuteAsync($"update {schema.Schema}.mt_events set data = '{{\"counterId\": {{\"not\": \"a string\"}}, \"by\": \"x\"}}' where seq_id = $1", unreadable.GlobalPosition);
        var projection = new RecordingProjection("unreadable");
        await using var host = await DaemonHost.StartAsync(schema, "host-a", [projection], DaemonHost.Tuning(batchSize: 4));

        await Waiting.UntilAsync(async () => (await StatusAsync(host.Admin, projection.Name)).State == ProjectionState.Failed, "the projection to fail");

        var failed = await StatusAsync(host.Admin, projection.Name);
        Assert.NotNull(failed.Error);
        Assert.True(failed.Checkpoint.Position < unreadable.GlobalPosition, $"checkpoint {failed.Checkpoint} passed the unreadable event at {unreadable.GlobalPosition}");
        Assert.Equal(0, failed.DeadLetterCount);
        var rows = await projection.RowsAsync(schema);
        Assert.DoesNotContain(rows, r => r.Sequence >= unreadable.GlobalPosition);
        Assert.Equal(failed.Checkpoint.Position, rows.Count);
        Assert.False(host.Runs(projection.Name));

        // The operator repairs the row and resumes: the projection goes on from the event, nothing skipped.
        await schema.ExecuteAsync($"update {schema.Schema}.mt_events set data = $2::jsonb where seq_id = $1", unreadable.GlobalPosition, original!);
        Assert.True(await host.Admin.ResumeAsync(projection.Name));
        await WaitForCatchUpAsync(host.Admin, projection.Name, events[^1].GlobalPosition);

        await AssertEveryEventAppliedOnceAsync(schema, projection);
        Assert.Equal(ProjectionState.Running, (await StatusAsync(host.Admin, projection.Name)).State);
    }
}

using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionTestKit;

namespace Roadmap.EventStore.Tests.Projections;

public sealed class PoisonEventTests(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    [Fact]
    public async Task With_the_skip_policy_a_poison_event_is_dead_lettered_after_its_attempts_and_later_events_are_applied()
    {
        var projection = new RecordingProjection("poison_skip") { Policy = PoisonEventPolicy.Skip, Attempts = 3 };
        var events = await AppendIncrementsAsync(db.Store, 12);
        var poison = events[5];
        projection.FailOn = e => e.EventId == poison.EventId;

        await using (var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions(batchSize: 4)))
        {
            await daemon.StartAsync();
            await WaitForCatchUpAsync(db.Store, projection.Name, events[^1]);
        }

        var rows = await ReadAppliedAsync(db.DataSource, db.Schema, projection);
        var log = await FoldLogAsync(db.DataSource, db.Schema, "test");
        Assert.Equal(log.Where(e => e.EventId != poison.EventId), rows);
        Assert.Contains(rows, r => r.GlobalPosition > poison.GlobalPosition);

        await using (var command = db.DataSource.CreateCommand(
            $"select projection, global_position, transaction_id::text, event_id, event_type, error, attempts from {db.Schema}.dead_letters where projection = $1"))
        {
            command.Parameters.AddWithValue(projection.Name);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal("poison_skip", reader.GetString(0));
            Assert.Equal(poison.GlobalPosition, reader.GetInt64(1));
            Assert.Equal(poison.TransactionId.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.GetString(2));
            Assert.Equal(poison.EventId, reader.GetGuid(3));
            Assert.Equal("counter.incremented", reader.GetString(4));
            Assert.Contains($"cannot apply event {poison.EventId}", reader.GetString(5), StringComparison.Ordinal);
            Assert.Equal(3, reader.GetInt32(6));
            Assert.False(await reader.ReadAsync());
        }

        var status = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Equal(1, status.DeadLetterCount);
        Assert.Equal(poison.EventId, Assert.Single(status.DeadLetters).EventId);
        Assert.Equal(log.Count - 1, status.AppliedEvents);
        Assert.Equal(0, status.LagEvents);
    }

    [Fact]
    public async Task With_the_stop_policy_a_poison_event_fails_the_projection_before_it_until_resumed()
    {
        var projection = new RecordingProjection("poison_stop") { Policy = PoisonEventPolicy.Stop, Attempts = 2 };
        var events = await AppendIncrementsAsync(db.Store, 12);
        var poison = events[5];
        projection.FailOn = e => e.EventId == poison.EventId;
        var admin = new ProjectionAdmin(db.Store);
        var log = await FoldLogAsync(db.DataSource, db.Schema, "test");
        var beforePoison = log.TakeWhile(e => e.EventId != poison.EventId).ToList();

        await using var daemon = new ProjectionDaemon(db.Store, [projection], FastOptions(batchSize: 4));
        await daemon.StartAsync();
        await WaitUntilAsync(async () => (await StatusAsync(db.Store, projection.Name)).State == ProjectionState.Failed, "the projection to fail");

        var failed = await StatusAsync(db.Store, projection.Name);
        Assert.NotNull(failed.Error);
        Assert.Contains(poison.EventId.ToString(), failed.Error, StringComparison.Ordinal);
        Assert.Contains($"position {poison.GlobalPosition}", failed.Error, StringComparison.Ordinal);
        Assert.Equal(beforePoison[^1].GlobalPosition, failed.Checkpoint.Position);
        Assert.True(failed.Checkpoint < poison.Checkpoint);
        Assert.Equal(log.Count - beforePoison.Count, failed.LagEvents);
        Assert.Equal(0, failed.DeadLetterCount);
        Assert.Equal(beforePoison, await ReadAppliedAsync(db.DataSource, db.Schema, projection));

        // A failed projection stays put: more events arrive and are not applied.
        var more = await AppendIncrementsAsync(db.Store, 3);
        await Assert.ThrowsAsync<TimeoutException>(() => admin.WaitForCatchUpAsync(projection.Name, more[^1].GlobalPosition, TimeSpan.FromSeconds(1)));
        Assert.True(projection.Failures >= projection.Attempts, $"the poison event was tried {projection.Failures} times");
        var stillFailed = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(ProjectionState.Failed, stillFailed.State);
        Assert.Equal(failed.Checkpoint, stillFailed.Checkpoint);
        Assert.Equal(beforePoison, await ReadAppliedAsync(db.DataSource, db.Schema, projection));

        // Fixed (here: the projection stops throwing), resumed: it continues from the poison event, nothing skipped.
        projection.FailOn = null;
        Assert.True(await admin.ResumeAsync(projection.Name));
        await WaitForCatchUpAsync(db.Store, projection.Name, more[^1]);

        await AssertEveryEventAppliedOnceAsync(db.DataSource, db.Schema, projection);
        var resumed = await StatusAsync(db.Store, projection.Name);
        Assert.Equal(ProjectionState.Running, resumed.State);
        Assert.Null(resumed.Error);
        Assert.Equal(0, resumed.DeadLetterCount);
        Assert.Equal(log.Count + more.Count, resumed.AppliedEvents);
    }
}

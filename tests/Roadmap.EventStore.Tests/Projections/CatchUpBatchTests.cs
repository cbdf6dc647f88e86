using System.Collections.Concurrent;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Projections.ProjectionKit;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>
/// How the daemon batches a projection that is behind (RoadmapMarten: one batch in flight per projection). Marten's
/// default loads a page at every step of the high water mark while a batch is still running, so under steady
/// appends a projection that fell behind went on in batches of a few events and fell further behind.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class CatchUpBatchTests
{
    [Fact]
    public async Task A_projection_behind_the_log_takes_everything_up_to_the_high_water_mark_in_its_next_batch()
    {
        const string name = "catch_up";
        await using var schema = await TestSchema.CreateAsync();
        var projection = new RecordingProjection(name);
        var sizes = new ConcurrentQueue<int>();
        var firstHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        projection.BeforeApply = async (batch, cancellationToken) =>
        {
            sizes.Enqueue(batch.Events.Count);
            firstHeld.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        };
        await using var host = await DaemonHost.StartAsync(schema, "node", [projection]);

        var first = await AppendIncrementsAsync(host.Store, 1);
        await firstHeld.Task.WaitAsync(Waiting.Patience);
        // While that batch runs, the log grows one append at a time, and each append moves the high water mark.
        var behind = await AppendIncrementsAsync(host.Store, 30);
        await Waiting.UntilAsync(
            async () => await host.Store.GetHighWaterMarkAsync() >= behind[^1].GlobalPosition, "the high water mark to reach the last append");
        release.SetResult();
        await WaitForCatchUpAsync(host.Admin, name, behind[^1].GlobalPosition);

        Assert.Equal([first.Count, behind.Count], sizes);
        await AssertEveryEventAppliedOnceAsync(schema, projection);
    }
}

using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

/// <summary>
/// Issue 13 point 9: "Received unexpected backend message DataRow" was seen under concurrent hostile input, which
/// suggested a pooled connection left out of step after a failed append. With a pool of two connections (a failed
/// append holds its own while it looks up the stream's version on a second one), every append that fails (PostgreSQL
/// refusing the data in the middle of Marten's batch, a stale version, a stream that exists) hands the same physical
/// connections to the next commands: each must find them in step.
/// </summary>
public sealed class FailedAppendConnectionTests
{
    [Fact]
    public async Task Appends_that_fail_leave_their_pooled_connections_in_step()
    {
        await using var db = await TestSchema.CreateAsync(maxPoolSize: 2);
        var store = db.Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "Zähler", DateTimeOffset.UnixEpoch))]);

        for (var round = 0; round < 5; round++)
        {
            // jsonb refuses \u0000 (22P05): the batch fails after Marten's stream statements ran.
            await Assert.ThrowsAnyAsync<Exception>(() =>
                store.AppendAsync(stream, ExpectedVersion.Any, [New(new CounterRenamed(stream, "Zähler\u0000"))]));
            Assert.Equal(1, (await store.GetStreamAsync(stream))!.Version);

            await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
                store.AppendAsync(stream, ExpectedVersion.Exactly(7), [New(new CounterIncremented(stream, 1))]));
            await Assert.ThrowsAnyAsync<EventStoreException>(() =>
                store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "noch einmal", DateTimeOffset.UnixEpoch))]));

            // The same connection reads and appends as if nothing had happened.
            Assert.Single(await store.ReadStreamAsync(stream));
            Assert.Equal(1, await db.ScalarAsync($"select count(*) from {db.Schema}.mt_streams where id = $1", stream));
            Assert.Equal(1, await db.ScalarAsync($"select count(*) from {db.Schema}.mt_events where stream_id = $1", stream));
        }

        var next = await store.AppendAsync(stream, ExpectedVersion.Exactly(1), [New(new CounterIncremented(stream, 2))]);
        Assert.Equal(2, next.NextExpectedVersion);
        Assert.Equal(2, (await store.ReadStreamAsync(stream)).Count);
    }
}

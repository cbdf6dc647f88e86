using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

/// <summary>Who and why (actor, correlation, causation, headers) is stored with each event, in Marten's metadata columns.</summary>
public sealed class MetadataTests(TestSchema db) : IClassFixture<TestSchema>
{
    [Fact]
    public async Task Actor_correlation_causation_and_headers_round_trip_per_event()
    {
        var stream = NewStream();
        var opened = new NewEvent(Guid.CreateVersion7(), new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch),
            new EventMetadata("pm@example.org", "corr-7", "cause-9", new Dictionary<string, string> { ["idempotency-key"] = "key-1", ["source"] = "api" }));
        var incremented = new NewEvent(Guid.CreateVersion7(), new CounterIncremented(stream, 1),
            new EventMetadata("clerk@example.org", "corr-8", "cause-10"));
        var bare = new NewEvent(Guid.CreateVersion7(), new CounterIncremented(stream, 2));

        var appended = await db.Store.AppendAsync(stream, ExpectedVersion.NoStream, [opened, incremented, bare]);
        var events = await db.Store.ReadStreamAsync(stream);

        Assert.Equal(opened.Metadata, appended.Events[0].Metadata);
        var first = events[0].Metadata;
        Assert.Equal(("pm@example.org", "corr-7", "cause-9"), (first.Actor, first.CorrelationId, first.CausationId));
        Assert.Equal(new Dictionary<string, string> { ["idempotency-key"] = "key-1", ["source"] = "api" }, first.Headers);
        var second = events[1].Metadata;
        Assert.Equal(("clerk@example.org", "corr-8", "cause-10"), (second.Actor, second.CorrelationId, second.CausationId));
        Assert.True(second.Headers is null or { Count: 0 });
        var third = events[2].Metadata;
        Assert.Equal((null, null, null), (third.Actor, third.CorrelationId, third.CausationId));
        Assert.True(third.Headers is null or { Count: 0 });

        // In Marten's columns, where its tools and our SQL find them.
        await using var command = db.DataSource.CreateCommand(
            $"select user_name, correlation_id, causation_id, headers ->> 'idempotency-key' from {db.Schema}.mt_events where id = $1");
        command.Parameters.AddWithValue(opened.EventId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(["pm@example.org", "corr-7", "cause-9", "key-1"], Enumerable.Range(0, 4).Select(reader.GetString));
    }
}

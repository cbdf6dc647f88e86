using Microsoft.Extensions.Time.Testing;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

/// <summary>The recorded time is the writer's clock (issue 10): what a decision calls now is what its events are recorded at.</summary>
public sealed class RecordedAtTests(TestSchema db) : IClassFixture<TestSchema>
{
    private static readonly DateTimeOffset LateEvening = new(2026, 11, 29, 23, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_append_is_recorded_at_the_time_of_the_store_s_clock_and_read_as_of_that_time()
    {
        var clock = new FakeTimeProvider(LateEvening);
        var store = await db.StoreAsync(clock: clock);
        var stream = NewStream();

        var first = await store.AppendAsync(stream, ExpectedVersion.NoStream,
            [New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch)), New(new CounterIncremented(stream, 1))]);
        clock.Advance(TimeSpan.FromDays(3));
        var second = await store.AppendAsync(stream, ExpectedVersion.Exactly(2), [New(new CounterIncremented(stream, 1))]);

        Assert.Equal(LateEvening, first.RecordedAt);
        Assert.All(first.Events, e => Assert.Equal(LateEvening, e.RecordedAt));
        Assert.Equal(LateEvening.AddDays(3), second.RecordedAt);
        var events = await store.ReadStreamAsync(stream);
        Assert.Equal([LateEvening, LateEvening, LateEvening.AddDays(3)], events.Select(e => e.RecordedAt));
        Assert.Equal([1L, 2L], (await store.ReadStreamAsync(stream, new ReadStreamOptions { AsOf = LateEvening.AddDays(1) })).Select(e => e.Version));

        // The column itself holds the clock's time, not the database's now().
        await using var command = db.DataSource.CreateCommand($"select timestamp from {db.Schema}.mt_events where stream_id = $1 order by version");
        command.Parameters.AddWithValue(stream);
        var stored = new List<DateTimeOffset>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetFieldValue<DateTimeOffset>(0));
            }
        }

        Assert.Equal([LateEvening, LateEvening, LateEvening.AddDays(3)], stored);
        var info = await store.GetStreamAsync(stream);
        Assert.Equal(3, info!.Version);
    }

    [Fact]
    public async Task An_append_inside_a_caller_transaction_and_its_retry_keep_the_clock_s_time()
    {
        var clock = new FakeTimeProvider(LateEvening);
        var store = await db.StoreAsync(clock: clock);
        var stream = NewStream();
        IReadOnlyList<NewEvent> batch = [New(new CounterIncremented(stream, 1))];

        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var appended = await store.AppendAsync(connection, transaction, stream, ExpectedVersion.NoStream, batch);
            Assert.Equal(LateEvening, appended.RecordedAt);
            await transaction.CommitAsync();
        }

        clock.Advance(TimeSpan.FromHours(5));
        var retry = await store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        Assert.True(retry.WasAlreadyStored);
        Assert.Equal(LateEvening, retry.RecordedAt);
        Assert.Equal(LateEvening, Assert.Single(await store.ReadStreamAsync(stream)).RecordedAt);
    }
}

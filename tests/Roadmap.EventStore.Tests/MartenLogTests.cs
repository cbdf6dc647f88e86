using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

/// <summary>What Marten's log records, as a test sees it.</summary>
public sealed class CapturedLog : ILogger
{
    public sealed record Entry(LogLevel Level, string Message, Exception? Exception);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IReadOnlyList<Entry> AtLeast(LogLevel level) => Entries.Where(e => e.Level >= level).ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue(new Entry(logLevel, formatter(state, exception), exception));
}

/// <summary>An inline projection whose statement fails in the database, as <paramref name="sql"/> says.</summary>
public sealed class FailingStatement(string name, Func<string, string> sql) : Projection
{
    public override string Name => name;

    public override IReadOnlyList<string> Tables => [name];

    public override string TablesSql => $"create table if not exists {SchemaPlaceholder}.{name} (id integer primary key)";

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        batch.Write(sql(batch.Table(name)));
        return Task.CompletedTask;
    }
}

/// <summary>
/// Marten's log through <see cref="MartenLog"/>: an append that loses a version race is handled by the caller
/// (<see cref="WrongExpectedVersionException"/>), so it is not an error; a failure of the database still is.
/// </summary>
public sealed class MartenLogTests(TestSchema db) : IClassFixture<TestSchema>
{
    [Fact]
    public async Task An_append_at_a_stale_version_is_logged_at_debug_without_a_stack_trace()
    {
        var log = new CapturedLog();
        var store = await db.StoreAsync(log: log);
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch))]);
        await store.AppendAsync(stream, ExpectedVersion.Exactly(1), [New(new CounterIncremented(stream, 1))]);

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            store.AppendAsync(stream, ExpectedVersion.Exactly(1), [New(new CounterIncremented(stream, 2))]));

        Assert.Empty(log.AtLeast(LogLevel.Warning));
        var conflicts = log.Entries.Where(e => e.Message.Contains("lost a version race", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(conflicts);
        Assert.All(conflicts, e =>
        {
            Assert.Equal(LogLevel.Debug, e.Level);
            Assert.Null(e.Exception);
            Assert.Contains(stream, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Two_first_appends_racing_for_one_new_stream_log_no_error()
    {
        var log = new CapturedLog();
        var store = await db.StoreAsync(log: log);
        var stream = NewStream();

        // The first append creates the stream and keeps its transaction open; the second then waits for the stream's row
        // and, once the first commits, fails on its key: a unique violation in mt_streams, not the version check.
        await using var first = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await first.BeginTransactionAsync();
        await store.AppendAsync(first, transaction, stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "first", DateTimeOffset.UnixEpoch))]);
        var second = Task.Run(() => store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "second", DateTimeOffset.UnixEpoch))]));
        await WaitUntilBlockedByAsync(first.ProcessID, second);
        await transaction.CommitAsync();

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => second);
        Assert.Empty(log.AtLeast(LogLevel.Warning));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("mt_streams", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("log_divides_by_zero", "22012")]
    [InlineData("log_duplicate_key", "23505")] // a unique violation in a projection's table is a fault, not a race for the log
    public async Task A_failure_of_the_database_is_still_an_error_with_its_exception(string projection, string sqlState)
    {
        var log = new CapturedLog();
        var store = await db.StoreAsync(
            [new ProjectionRegistration(new FailingStatement(projection, table => sqlState == "22012"
                ? $"insert into {table} (id) values (1 / 0)"
                : $"insert into {table} (id) values (1)"), ProjectionLifecycle.Inline)],
            log: log);
        if (sqlState == "23505")
        {
            var before = NewStream();
            await store.AppendAsync(before, ExpectedVersion.NoStream, [New(new CounterOpened(before, "first row", DateTimeOffset.UnixEpoch))]);
            Assert.Empty(log.AtLeast(LogLevel.Warning));
        }

        var stream = NewStream();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "x", DateTimeOffset.UnixEpoch))]));

        var errors = log.AtLeast(LogLevel.Error);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(sqlState, Postgres(e.Exception)?.SqlState));
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("lost a version race", StringComparison.Ordinal));
    }

    private static PostgresException? Postgres(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres)
            {
                return postgres;
            }
        }

        return null;
    }

    private async Task WaitUntilBlockedByAsync(int blockingProcess, Task waiter)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await db.ScalarAsync("select count(*) from pg_stat_activity where $1 = any(pg_blocking_pids(pid))", blockingProcess) == 0)
        {
            Assert.False(waiter.IsCompleted, "the second append finished without waiting for the first");
            Assert.True(DateTime.UtcNow < deadline, "the second append never waited for the first");
            await Task.Delay(10);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Benchmarks;

/// <summary>
/// Records when batches of the <c>projection-lag</c> read model become visible. The projection sends
/// <c>pg_notify(channel, 'position/count')</c> inside its batch transaction (Marten's daemon commits the batch's writes
/// with its progress), naming the sequence (<c>mt_events.seq_id</c>) of the batch's last event. Why that measures
/// visibility: PostgreSQL delivers a notification only after the notifying transaction has committed and is visible to
/// new snapshots (listeners skip queue entries of transactions still in progress), so the receipt time is at or after
/// the moment the batch's rows could be read. And because the daemon reads the log in sequence order and only up to its
/// high water mark (below which no transaction can still add an event), and commits one batch of a projection after
/// the other, once a batch ending at sequence c has committed, every event with a sequence &lt;= c is in the read model:
/// an event became visible at the first notification whose position is &gt;= its own. The error is the delivery to
/// this connection and the wake-up of this process; it counts as lag, so the figure errs high. The NOTIFY makes the
/// batch's commit take PostgreSQL's global notify lock (docs/0003); with the old engine, interleaved runs with and
/// without it showed no difference above the noise of a shared two-core machine. Rejected: clock_timestamp() stored in
/// the row (taken before the commit and its WAL flush, so it would understate the lag) and polling the table (adds up
/// to the poll interval and loads the database).
/// </summary>
internal sealed class VisibilityObserver : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly List<Seen> _seen = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _signal = NewSignal();
    private Task _loop = Task.CompletedTask;
    private Exception? _failure;

    private VisibilityObserver(NpgsqlConnection connection) => _connection = connection;

    /// <summary>One committed projection batch: when its notification arrived, its last checkpoint, its size.</summary>
    public readonly record struct Seen(long Ticks, GlobalCheckpoint Checkpoint, int Events);

    /// <summary>Connects (outside the pool, so LISTEN never leaks into a pooled session) and LISTENs.</summary>
    public static async Task<VisibilityObserver> StartAsync(string connectionString, string channel, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "roadmap-bench-observer" };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var observer = new VisibilityObserver(connection);
            connection.Notification += observer.OnNotification;
            await using (var listen = new NpgsqlCommand($"listen \"{channel}\"", connection))
            {
                await listen.ExecuteNonQueryAsync(cancellationToken);
            }

            observer._loop = Task.Run(observer.RunAsync, CancellationToken.None);
            return observer;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The batches seen so far, in the order their notifications arrived (= commit order).</summary>
    public IReadOnlyList<Seen> Snapshot()
    {
        lock (_gate)
        {
            return [.. _seen];
        }
    }

    /// <summary>Waits until a batch at or past <paramref name="checkpoint"/> is seen; false on timeout.</summary>
    public async Task<bool> WaitUntilSeenAsync(GlobalCheckpoint checkpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_seen.Count > 0 && _seen[^1].Checkpoint >= checkpoint)
                {
                    return true;
                }

                signal = _signal.Task;
            }

            if (_failure is { } failure)
            {
                throw new BenchmarkFailedException($"the LISTEN connection of the observer failed: {failure.Message}", failure);
            }

            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return false;
            }

            try
            {
                // Wake at least every 100 ms to notice a failed connection.
                await signal.WaitAsync(TimeSpan.FromSeconds(Math.Min(0.1, left / (double)Stopwatch.Frequency)), cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var ticks = Stopwatch.GetTimestamp();
        var parts = e.Payload.Split('/');
        var seen = new Seen(
            ticks,
            new GlobalCheckpoint(long.Parse(parts[0], CultureInfo.InvariantCulture)),
            int.Parse(parts[1], CultureInfo.InvariantCulture));
        TaskCompletionSource fired;
        lock (_gate)
        {
            _seen.Add(seen);
            fired = _signal;
            _signal = NewSignal();
        }

        fired.TrySetResult();
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                await _connection.WaitAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or FormatException)
        {
            _failure = e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

using Npgsql;

namespace Roadmap.EventStore;

/// <summary>
/// LISTENs on the schema's channel and completes waiters when an append commits, so readers wake at once.
/// Notifications can be lost (a dropped connection), so callers always wait with a timeout and poll.
/// </summary>
public sealed class EventLogListener : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private TaskCompletionSource _signal = NewSignal();
    private Task? _loop;

    public EventLogListener(NpgsqlDataSource dataSource, EventStoreOptions options)
    {
        _dataSource = dataSource;
        _channel = options.NotificationChannel;
    }

    /// <summary>How many notifications arrived; for status pages and tests.</summary>
    public long NotificationsReceived => Interlocked.Read(ref _received);

    private long _received;
    private int _disposed;

    /// <summary>Starts listening; returns once LISTEN is in place, so no later append is missed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await ListenAsync(connection, cancellationToken);
        _loop = Task.Run(() => RunAsync(connection, _stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Completes at the next notification. Take it before reading the log and await it after an empty read: an
    /// append that commits between the read and the wait then still wakes the reader.
    /// </summary>
    public Task NextNotification()
    {
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    /// <summary>Waits until an append is notified or the timeout passes; true when notified.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Task signal;
        lock (_gate)
        {
            signal = _signal.Task;
        }

        try
        {
            await signal.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task ListenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        connection.Notification += (_, _) =>
        {
            Interlocked.Increment(ref _received);
            TaskCompletionSource fired;
            lock (_gate)
            {
                fired = _signal;
                _signal = NewSignal();
            }

            fired.TrySetResult();
        };
        await using var command = new NpgsqlCommand($"listen \"{_channel}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task RunAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
            {
                // The connection dropped: reconnect after a pause; pollers cover the gap meanwhile.
                await connection.DisposeAsync();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                    connection = await _dataSource.OpenConnectionAsync(stop);
                    await ListenAsync(connection, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (NpgsqlException)
                {
                    // Try again on the next turn of the loop.
                }
            }
        }

        await connection.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a host may stop a daemon and then dispose it.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

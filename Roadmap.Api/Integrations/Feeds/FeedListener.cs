using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>
/// The one LISTEN connection that wakes every waiting feed request and live stream of this node when an append
/// commits. Notifications can be lost, so waiters also poll (<see cref="PollInterval"/>); a notification can also
/// come before the event is readable (the daemon's high water mark has not reached it yet), which the poll covers too.
/// The same notification wakes this node's Marten daemon (<see cref="AppendWakeup"/>), so an append on another node is
/// projected here without waiting for the daemon's poll.
/// </summary>
public sealed class FeedListener(NpgsqlDataSource dataSource, EventStoreOptions options, AppendWakeup wakeup) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly EventLogListener _listener = new(dataSource, options);

    /// <summary>Take it before reading; see <see cref="EventLogListener.NextNotification"/>.</summary>
    public Task NextNotification() => _listener.NextNotification();

    /// <summary>Waits for <paramref name="notification"/>, at most <paramref name="timeout"/> (capped at the poll interval).</summary>
    public static async Task WaitAsync(Task notification, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var wait = timeout < PollInterval ? timeout : PollInterval;
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await notification.WaitAsync(wait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Poll: the caller reads again.
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _listener.StartAsync(cancellationToken);
        _ = Task.Run(WakeDaemonAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _listener.DisposeAsync();
    }

    private async Task WakeDaemonAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _listener.NextNotification().WaitAsync(_stopping.Token);
                wakeup.Signal();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or ObjectDisposedException or InvalidOperationException)
            {
                await Task.Delay(PollInterval, CancellationToken.None); // the listener reconnects; the daemon polls meanwhile
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        await _listener.DisposeAsync();
        _stopping.Dispose();
    }
}

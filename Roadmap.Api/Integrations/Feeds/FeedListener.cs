using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>
/// The one LISTEN connection that wakes every waiting feed request and live stream of this node when an append
/// commits. Notifications can be lost, so waiters also poll (<see cref="PollInterval"/>); a notification can also
/// come before the event is readable (an older transaction elsewhere still runs), which the poll covers too.
/// </summary>
public sealed class FeedListener(NpgsqlDataSource dataSource, EventStoreOptions options) : IHostedService, IAsyncDisposable
{
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

    public Task StartAsync(CancellationToken cancellationToken) => _listener.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await _listener.DisposeAsync();

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}

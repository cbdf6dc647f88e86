using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>One CloudEvent of the feed (as stored when its event was recorded) and the cursor just after it (the SSE event id).</summary>
public sealed record FeedItem(string Cursor, IntegrationEvent Event);

/// <summary>Which integration events a feed carries: CloudEvent types, and optionally only those affecting one municipality.</summary>
public sealed record FeedFilter(IReadOnlyList<string> Types, string? Municipality = null)
{
    public bool Matches(IntegrationEvent e) =>
        Types.Contains(e.Type, StringComparer.Ordinal) && (Municipality is null || e.Municipalities.Contains(Municipality, StringComparer.Ordinal));
}

/// <summary>A page of the feed and where the next one starts.</summary>
public sealed record FeedPage(IReadOnlyList<FeedItem> Items, GlobalCheckpoint Next);

/// <summary>
/// Reads integration CloudEvents for the pull feeds and the live streams: the log in its order, only what the store
/// says is safe (up to the daemon's high water mark), filtered in SQL to the feed's event types, and for each event
/// the CloudEvent stored when it was recorded.
/// </summary>
public sealed class FeedReader(PostgresEventStore store, NpgsqlDataSource dataSource, EventStoreOptions options, FeedListener listener)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="after"/>. Next is the last event returned when
    /// the page is full, otherwise the point the log read reached (past unrelated events).
    /// </summary>
    public async Task<FeedPage> ReadAsync(GlobalCheckpoint after, int limit, FeedFilter filter, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var items = new List<FeedItem>();
        var next = after;
        while (items.Count < limit)
        {
            var requested = limit - items.Count;
            var page = await store.ReadAllAsync(next, IntegrationEventTypes.StoredNames(filter.Types), requested, cancellationToken);
            foreach (var (recorded, stored) in await IntegrationEventLog.ReadAsync(page.Events, dataSource, options.Schema, cancellationToken))
            {
                if (filter.Matches(stored))
                {
                    items.Add(new FeedItem(FeedCursor.Format(recorded.Checkpoint), stored));
                }
            }

            next = page.Next;
            if (page.Events.Count < requested)
            {
                break;
            }
        }

        return new FeedPage(items, next);
    }

    /// <summary>
    /// As <see cref="ReadAsync"/>, but when nothing is new, waits up to <paramref name="wait"/> for an append and
    /// reads again; on timeout the page is empty and Next is where the read reached.
    /// </summary>
    public async Task<FeedPage> ReadOrWaitAsync(
        GlobalCheckpoint after, int limit, FeedFilter filter, TimeSpan wait, TimeProvider clock, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var notification = listener.NextNotification();
            var page = await ReadAsync(after, limit, filter, cancellationToken);
            var remaining = deadline - clock.GetUtcNow();
            if (page.Items.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return page;
            }

            after = page.Next;
            await FeedListener.WaitAsync(notification, remaining, cancellationToken);
        }
    }
}

using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// The webhook dispatcher: an async projection over the log that turns every integration event into one delivery
/// row per matching subscription (webhook_deliveries, see Migrations/0002; the body is the CloudEvent stored with the
/// event in integration_events, 0008). The rows are inserted in the transaction
/// that moves this projection's checkpoint, so each event is dispatched exactly once and in log order, whichever
/// node runs it; <see cref="WebhookSender"/> does the HTTP. Paused subscriptions still get rows (resume delivers
/// them); deleted ones do not.
/// </summary>
public sealed class WebhookOutbox(NpgsqlDataSource dataSource, string schema) : Projection
{
    public const string ProjectionName = "webhook_outbox";

    public override string Name => ProjectionName;

    // The deliveries outlive rebuilds (a rebuild must not send the history again), so they are the migration's;
    // this projection owns only its counter.
    public override IReadOnlyList<string> Tables => ["webhook_outbox_progress"];

    public override string TablesSql =>
        "create table if not exists __schema__.webhook_outbox_progress (id integer primary key, dispatched bigint not null);";

    public override PoisonEventPolicy PoisonPolicy => PoisonEventPolicy.Stop;

    // A rebuild replays the log over the deliveries it has: rows are inserted "on conflict do nothing", so it only adds
    // a delivery that is missing and never drops or repeats one (docs/0011).
    public override bool ClearTablesOnRebuild => false;

    public static string Channel(string schema) => $"roadmap_webhooks_{schema}";

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        if (!batch.Events.Any(IntegrationEventTypes.IsIntegrationEvent))
        {
            return;
        }

        var subscriptions = await ReadSubscriptionsAsync(batch, cancellationToken);
        if (subscriptions.Count == 0)
        {
            return;
        }

        var deliveries = new List<(Guid Subscription, RecordedEvent Recorded, string Type)>();
        foreach (var (recorded, stored) in await IntegrationEventLog.ReadAsync(batch.Events, dataSource, schema, cancellationToken))
        {
            deliveries.AddRange(subscriptions
                .Where(s => s.CreatedPosition < recorded.GlobalPosition && s.Matches(stored))
                .Select(s => (s.Id, recorded, stored.Type)));
        }

        if (deliveries.Count == 0)
        {
            return;
        }

        // Two statements whatever the batch size; delivery ids follow the log (then subscription) order, which is
        // the order the sender keeps per subscription.
        var rows = new NpgsqlBatchCommand(
            $"""
            insert into {batch.Table("webhook_deliveries")} (subscription_id, event_id, global_position, event_type, event_recorded_at)
            select subscription_id, event_id, global_position, event_type, event_recorded_at
              from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::timestamptz[]) with ordinality
                   as d(subscription_id, event_id, global_position, event_type, event_recorded_at, n)
             order by n
            on conflict (subscription_id, event_id) do nothing
            """);
        rows.Parameters.Add(new NpgsqlParameter { Value = deliveries.Select(d => d.Subscription).ToArray() });
        rows.Parameters.Add(new NpgsqlParameter { Value = deliveries.Select(d => d.Recorded.EventId).ToArray() });
        rows.Parameters.Add(new NpgsqlParameter { Value = deliveries.Select(d => d.Recorded.GlobalPosition).ToArray() });
        rows.Parameters.Add(new NpgsqlParameter { Value = deliveries.Select(d => d.Type).ToArray() });
        rows.Parameters.Add(new NpgsqlParameter { Value = deliveries.Select(d => d.Recorded.RecordedAt).ToArray() });
        batch.Write(rows);

        var progress = new NpgsqlBatchCommand(
            $"""
            insert into {batch.Table("webhook_outbox_progress")} (id, dispatched) values (1, $1)
            on conflict (id) do update set dispatched = {batch.Table("webhook_outbox_progress")}.dispatched + excluded.dispatched
            """);
        progress.Parameters.Add(new NpgsqlParameter { Value = (long)deliveries.Count });
        batch.Write(progress);
        // Delivered with the commit: the sender wakes only for rows it can see.
        batch.Write(new NpgsqlBatchCommand($"select pg_notify('{Channel(schema)}', '')"));
    }

    /// <summary>
    /// The subscriptions with the log position of the event that created each. The position is looked up per
    /// subscription (a scalar subquery, one probe of the event id index each): as a join, the planner hashed the whole
    /// of mt_events for every batch when it over-estimated the subscriptions (289 for 10, before any statistics).
    /// </summary>
    private static async Task<List<SubscriptionFilter>> ReadSubscriptionsAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        await using var command = await batch.QueryAsync(
            $"""
            select s.subscription_id, s.event_types, s.municipalities, s.product_ids, s.release_ids,
                   coalesce((select e.seq_id from {batch.Table("mt_events")} e where e.id = s.created_event_id), 0)
              from {batch.Table("webhook_subscriptions")} s
             where s.state <> 'deleted'
            """, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var subscriptions = new List<SubscriptionFilter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subscriptions.Add(new SubscriptionFilter(
                reader.GetGuid(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2),
                reader.GetFieldValue<Guid[]>(3), reader.GetFieldValue<Guid[]>(4), reader.GetInt64(5)));
        }

        return subscriptions;
    }

    private sealed record SubscriptionFilter(
        Guid Id, string[] EventTypes, string[] Municipalities, Guid[] ProductIds, Guid[] ReleaseIds, long CreatedPosition)
    {
        /// <summary>Every non-empty filter must match; an empty one matches everything.</summary>
        public bool Matches(IntegrationEvent e) =>
            (EventTypes.Length == 0 || EventTypes.Contains(e.Type, StringComparer.Ordinal))
            && (ProductIds.Length == 0 || (e.ProductId is { } product && ProductIds.Contains(product)))
            && (ReleaseIds.Length == 0 || (e.ReleaseId is { } release && ReleaseIds.Contains(release)))
            && (Municipalities.Length == 0 || Municipalities.Intersect(e.Municipalities, StringComparer.Ordinal).Any());
    }
}

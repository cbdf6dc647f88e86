using System.Text.Json;
using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// The webhook dispatcher: an async projection over the log that turns every integration event into one delivery
/// row per matching subscription (webhook_deliveries, see Migrations/0002). The rows are inserted in the transaction
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

    public static string Channel(string schema) => $"roadmap_webhooks_{schema}";

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        if (batch.IsRebuild)
        {
            return; // a rebuild only moves the checkpoint: what was dispatched stays dispatched, nothing is sent twice
        }

        var integrationEvents = batch.Events.Where(DeprecationCloudEvents.IsIntegrationEvent).ToList();
        if (integrationEvents.Count == 0)
        {
            return;
        }

        var subscriptions = await ReadSubscriptionsAsync(batch, cancellationToken);
        if (subscriptions.Count == 0)
        {
            return;
        }

        await using var inserts = batch.Batch();
        foreach (var recorded in integrationEvents)
        {
            var cloudEvent = await DeprecationCloudEvents.ToCloudEventAsync(recorded, dataSource, schema, cancellationToken);
            if (cloudEvent is null)
            {
                continue;
            }

            string? body = null;
            foreach (var subscription in subscriptions.Where(s => s.CreatedPosition < recorded.GlobalPosition && s.Matches(cloudEvent)))
            {
                body ??= JsonSerializer.Serialize(cloudEvent, DeprecationCloudEvents.Json);
                var insert = new NpgsqlBatchCommand(
                    $"""
                    insert into {batch.Table("webhook_deliveries")} (subscription_id, event_id, global_position, event_type, body, event_recorded_at)
                    values ($1, $2, $3, $4, $5, $6) on conflict (subscription_id, event_id) do nothing
                    """);
                insert.Parameters.Add(new NpgsqlParameter { Value = subscription.Id });
                insert.Parameters.Add(new NpgsqlParameter { Value = recorded.EventId });
                insert.Parameters.Add(new NpgsqlParameter { Value = recorded.GlobalPosition });
                insert.Parameters.Add(new NpgsqlParameter { Value = cloudEvent.Type });
                insert.Parameters.Add(new NpgsqlParameter { Value = body });
                insert.Parameters.Add(new NpgsqlParameter { Value = recorded.RecordedAt });
                inserts.BatchCommands.Add(insert);
            }
        }

        if (inserts.BatchCommands.Count == 0)
        {
            return;
        }

        var progress = new NpgsqlBatchCommand(
            $"""
            insert into {batch.Table("webhook_outbox_progress")} (id, dispatched) values (1, $1)
            on conflict (id) do update set dispatched = {batch.Table("webhook_outbox_progress")}.dispatched + excluded.dispatched
            """);
        progress.Parameters.Add(new NpgsqlParameter { Value = (long)inserts.BatchCommands.Count });
        inserts.BatchCommands.Add(progress);
        // Delivered with the commit: the sender wakes only for rows it can see.
        inserts.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{Channel(schema)}', '')"));
        await inserts.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<SubscriptionFilter>> ReadSubscriptionsAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        await using var command = batch.Command(
            $"""
            select subscription_id, event_types, municipalities, product_ids, release_ids, created_position
              from {batch.Table("webhook_subscriptions")} where state <> 'deleted'
            """);
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
        public bool Matches(CloudEvent e) =>
            (EventTypes.Length == 0 || EventTypes.Contains(e.Type, StringComparer.Ordinal))
            && (ProductIds.Length == 0 || ProductIds.Contains(e.Data.ProductId))
            && (ReleaseIds.Length == 0 || ReleaseIds.Contains(e.Data.ReleaseId))
            && (Municipalities.Length == 0 || Municipalities.Intersect(e.Data.AffectedMunicipalities, StringComparer.Ordinal).Any());
    }
}

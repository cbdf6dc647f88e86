using Npgsql;
using NpgsqlTypes;
using Roadmap.Domain.Subscriptions;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>
/// The subscriptions and their filters, current when a decision returns (inline): the list the API serves and the
/// table the webhook dispatcher matches events against. <c>created_event_id</c> names the event that created the
/// subscription; the dispatcher looks up its log position (an inline projection runs before Marten has numbered the
/// events) and so keeps a subscription from receiving events older than itself.
/// </summary>
public sealed class SubscriptionIndex : Projection
{
    public override string Name => "subscription_index";

    public override IReadOnlyList<string> Tables => ["webhook_subscriptions"];

    public override string TablesSql =>
        """
        create table if not exists __schema__.webhook_subscriptions (
          subscription_id uuid primary key, target_url text not null, event_types text[] not null, municipalities text[] not null,
          product_ids uuid[] not null, release_ids uuid[] not null, state text not null, created_at timestamptz not null,
          created_event_id uuid not null, updated_at timestamptz not null, version bigint not null, owner text);
        -- The key that created it (issue 13); null for subscriptions from before owners, which only an admin sees.
        alter table __schema__.webhook_subscriptions add column if not exists owner text;
        """;

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var table = batch.Table("webhook_subscriptions");
        foreach (var recorded in batch.Events)
        {
            if (recorded.Data is not ISubscriptionEvent e)
            {
                continue;
            }

            var command = e switch
            {
                SubscriptionCreated => batch.Write(
                    $"""
                    insert into {table} (subscription_id, target_url, event_types, municipalities, product_ids, release_ids, state,
                      created_at, created_event_id, updated_at, version, owner)
                    values ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $7, $9, $10)
                    """),
                SubscriptionPaused => batch.Write($"update {table} set state = 'paused', updated_at = $2, version = $3 where subscription_id = $1"),
                SubscriptionResumed => batch.Write($"update {table} set state = 'active', updated_at = $2, version = $3 where subscription_id = $1"),
                SubscriptionDeleted => batch.Write($"update {table} set state = 'deleted', updated_at = $2, version = $3 where subscription_id = $1"),
                _ => batch.Write($"update {table} set updated_at = $2, version = $3 where subscription_id = $1"),
            };
            command.Parameters.AddWithValue(e.SubscriptionId);
            if (e is SubscriptionCreated created)
            {
                command.Parameters.AddWithValue(created.TargetUrl);
                command.Parameters.AddWithValue(created.EventTypes.ToArray());
                command.Parameters.AddWithValue(created.Municipalities.ToArray());
                command.Parameters.AddWithValue(created.ProductIds.ToArray());
                command.Parameters.AddWithValue(created.ReleaseIds.ToArray());
                command.Parameters.AddWithValue(created.RecordedAt);
                command.Parameters.AddWithValue(recorded.EventId);
            }
            else
            {
                command.Parameters.AddWithValue(e.RecordedAt);
            }

            command.Parameters.Add(new NpgsqlParameter { Value = recorded.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
            if (e is SubscriptionCreated { Owner: var owner })
            {
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            }
        }

        return Task.CompletedTask;
    }
}

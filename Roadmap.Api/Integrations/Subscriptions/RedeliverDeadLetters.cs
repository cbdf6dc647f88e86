using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>
/// POST /subscriptions/{id}/dead-letters/{deliveryId}/redeliver and /subscriptions/{id}/dead-letters/redeliver: dead
/// letters become pending again with fresh attempts, ahead of newer deliveries (they keep their place in the log order).
/// </summary>
public static class RedeliverDeadLetters
{
    public sealed record Request(string? Reason = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Receiver fixed");
    }

    public sealed record Redelivered(Guid SubscriptionId, int Count);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/{id}/dead-letters/{deliveryId:long}/redeliver", OneAsync)
            .Validate<Request>()
            .WithSummary("Sends one dead letter again, with a fresh set of attempts and the same webhook-id.");
        group.MapPost("/{id}/dead-letters/redeliver", AllAsync)
            .Validate<Request>()
            .WithSummary("Sends every dead letter of the subscription again, in log order, with a fresh set of attempts.");
    }

    private static Task<Results<Ok<Redelivered>, ProblemHttpResult>> OneAsync(
        string id, long deliveryId, Request? request, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken) =>
        RedeliverAsync(id, deliveryId, dataSource, options.Schema, cancellationToken);

    private static Task<Results<Ok<Redelivered>, ProblemHttpResult>> AllAsync(
        string id, Request? request, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken) =>
        RedeliverAsync(id, null, dataSource, options.Schema, cancellationToken);

    private static async Task<Results<Ok<Redelivered>, ProblemHttpResult>> RedeliverAsync(
        string id, long? deliveryId, NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        if (await SubscriptionReads.FindAsync(id, dataSource, schema, cancellationToken) is not { } subscription)
        {
            return SubscriptionReads.Unknown(id);
        }

        await using var batch = dataSource.CreateBatch();
        var update = new NpgsqlBatchCommand(
            $"""
            update {schema}.webhook_deliveries set state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = null
             where subscription_id = $1 and state = 'dead' and ($2::bigint is null or delivery_id = $2)
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = subscription.Id });
        update.Parameters.Add(new NpgsqlParameter { Value = (object?)deliveryId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{WebhookOutbox.Channel(schema)}', '')"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        var count = update.RecordsAffected;
        if (deliveryId is not null && count == 0)
        {
            return Problems.NotFound("dead-letter-unknown", $"Subscription {id} has no dead letter {deliveryId}.");
        }

        return TypedResults.Ok(new Redelivered(subscription.Id, (int)count));
    }
}

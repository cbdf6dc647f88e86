using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Subscriptions;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>The answer that shows a signing secret, once: on create and on rotation.</summary>
public sealed record SubscriptionWithSecret(SubscriptionReads.SubscriptionView Subscription, string Secret, string Note)
{
    public const string ShownOnce = "Store the secret now: it is not shown again. Verify deliveries per Standard Webhooks (webhook-signature v1 over id.timestamp.body).";
}

/// <summary>
/// A subscription decision that also writes a new secret: the event and the secret commit together (the secret goes
/// to webhook_secrets, encrypted by <see cref="WebhookSecretCipher"/>, never into the event). No Idempotency-Key: a
/// stored answer would keep the secret.
/// </summary>
internal static class SubscriptionSecrets
{
    public static async Task<(SubscriptionWithSecret? Answer, ProblemHttpResult? Problem)> DecideWithNewSecretAsync(
        PostgresEventStore store, WebhookSecretCipher cipher, Guid subscriptionId, Func<SubscriptionState, ISubscriptionCommand> command, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        var streamId = Subscription.StreamId(subscriptionId);
        await using (var connection = await store.DataSource.OpenConnectionAsync(cancellationToken))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var current = await store.AggregateStreamAsync(connection, transaction, streamId, Subscription.Decider.Initial,
                Subscription.Decider.EvolveStored, cancellationToken: cancellationToken);
            IReadOnlyList<ISubscriptionEvent> events;
            try
            {
                events = Subscription.Decider.Decide(command(current.State), current.State);
            }
            catch (DomainRuleViolation violation)
            {
                return (null, DomainProblems.From(violation));
            }

            var expected = current.Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(current.Version);
            var by = events.Count > 0 ? events[0].By : "unknown";
            await store.AppendAsync(connection, transaction, streamId, Subscription.StreamType, expected,
                events.Select(e => new NewEvent(Guid.CreateVersion7(), e, new EventMetadata(by))).ToList(), cancellationToken, notifyWithTransaction: false);
            await using (var write = new Npgsql.NpgsqlCommand(
                $"""
                insert into {store.Options.Schema}.webhook_secrets (subscription_id, secret, rotated_at) values ($1, $2, now())
                on conflict (subscription_id) do update set secret = excluded.secret, rotated_at = excluded.rotated_at
                """, connection, transaction))
            {
                write.Parameters.AddWithValue(subscriptionId);
                write.Parameters.AddWithValue(cipher.Protect(subscriptionId, secret));
                await write.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        store.SignalAppended();
        var view = await SubscriptionReads.FindAsync(subscriptionId.ToString(), store.DataSource, store.Options.Schema, cancellationToken)
            ?? throw new InvalidOperationException($"Subscription {subscriptionId} is missing from its index right after the decision.");
        return (new SubscriptionWithSecret(view, secret, SubscriptionWithSecret.ShownOnce), null);
    }
}

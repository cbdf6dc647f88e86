using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Subscriptions;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>The answer that shows a signing secret, once: on create and on rotation.</summary>
/// <param name="PreviousSecretSignsUntil">After a rotation: until when deliveries are also signed with the previous secret.</param>
public sealed record SubscriptionWithSecret(
    SubscriptionReads.SubscriptionView Subscription, string Secret, string Note, DateTimeOffset? PreviousSecretSignsUntil = null)
{
    /// <summary>The subscription's id, as in Location: the resource's plain id next to it.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public Guid Id => Subscription.Id;

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
        PostgresEventStore store, WebhookSecretCipher cipher, WebhookOptions options, Guid subscriptionId, Func<SubscriptionState, ISubscriptionCommand> command, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        var streamId = Subscription.StreamId(subscriptionId);
        DateTimeOffset? previousSignsUntil = null;
        await using (var connection = await store.DataSource.OpenConnectionAsync(cancellationToken))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var current = await store.AggregateStreamAsync(transaction, streamId, Subscription.Decider.Initial,
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
            await store.AppendAsync(connection, transaction, streamId, expected,
                events.Select(e => new NewEvent(Guid.CreateVersion7(), e, new EventMetadata(by))).ToList(), cancellationToken);
            // A rotation keeps the replaced secret signing as well for the grace period (a second rotation within
            // it replaces that one too: only the latest two secrets ever sign).
            var table = $"{store.Options.Schema}.webhook_secrets";
            await using (var write = new Npgsql.NpgsqlCommand(
                $"""
                insert into {table} (subscription_id, secret, rotated_at) values ($1, $2, now())
                on conflict (subscription_id) do update set
                  previous_secret = case when $3 > interval '0' then {table}.secret end,
                  previous_until = case when $3 > interval '0' then excluded.rotated_at + $3 end,
                  secret = excluded.secret, rotated_at = excluded.rotated_at
                returning previous_until
                """, connection, transaction))
            {
                write.Parameters.AddWithValue(subscriptionId);
                write.Parameters.AddWithValue(cipher.Protect(subscriptionId, secret));
                write.Parameters.AddWithValue(options.RotationGracePeriod);
                previousSignsUntil = await write.ExecuteScalarAsync(cancellationToken) is DateTime until
                    ? new DateTimeOffset(until, TimeSpan.Zero)
                    : null;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        store.SignalAppended();
        var view = await SubscriptionReads.FindAsync(subscriptionId.ToString(), store.DataSource, store.Options.Schema, cancellationToken)
            ?? throw new InvalidOperationException($"Subscription {subscriptionId} is missing from its index right after the decision.");
        return (new SubscriptionWithSecret(view, secret, SubscriptionWithSecret.ShownOnce, previousSignsUntil), null);
    }
}

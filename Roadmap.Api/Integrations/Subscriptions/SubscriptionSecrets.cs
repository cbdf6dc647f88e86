using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Subscriptions;
using Roadmap.EventStore;
using Wolverine;

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
/// A subscription decision that also writes a new secret (create, rotate), handled by Wolverine (docs/0013): the event
/// and the secret commit together (the secret goes to webhook_secrets, encrypted by <see cref="WebhookSecretCipher"/>,
/// never into the event). No Idempotency-Key: a stored answer would keep the secret.
/// </summary>
public sealed record DecideSubscriptionWithSecret(Guid SubscriptionId, ISubscriptionCommand Command, string By, string CorrelationId);

/// <summary>What <see cref="DecideSubscriptionWithSecret"/> answers: the new secret (shown once), or the rule it broke.</summary>
public sealed record SecretDecision(string? Secret, DateTimeOffset? PreviousSecretSignsUntil, ProblemHttpResult? Problem);

/// <summary>Wolverine's handler for <see cref="DecideSubscriptionWithSecret"/>.</summary>
public static class DecideSubscriptionWithSecretHandler
{
    public static async Task<SecretDecision> Handle(
        DecideSubscriptionWithSecret message,
        IDocumentSession session,
        WebhookSecretCipher cipher,
        WebhookOptions webhooks,
        TimeProvider clock,
        EventStoreOptions options,
        CancellationToken cancellationToken)
    {
        var streamId = Subscription.StreamId(message.SubscriptionId);
        await session.BeginTransactionAsync(cancellationToken);
        var stream = await session.Events.FetchForWriting<DecidedState<SubscriptionState>>(streamId, cancellationToken);
        var state = stream.Aggregate is { } aggregate ? aggregate.State : Subscription.Decider.Initial;
        IReadOnlyList<ISubscriptionEvent> events;
        try
        {
            events = Subscription.Decider.Decide(message.Command, state);
        }
        catch (DomainRuleViolation violation)
        {
            return new SecretDecision(null, null, DomainProblems.From(violation));
        }

        DecisionStep.Append(stream, events, new DecisionMeta(streamId, message.By, message.CorrelationId, null, "", "", "", null, null), clock);

        // A rotation keeps the replaced secret signing as well for the grace period (a second rotation within it
        // replaces that one too: only the latest two secrets ever sign).
        var secret = WebhookSignature.NewSecret();
        var table = $"{options.Schema}.webhook_secrets";
        await using var write = new NpgsqlCommand(
            $"""
            insert into {table} (subscription_id, secret, rotated_at) values ($1, $2, now())
            on conflict (subscription_id) do update set
              previous_secret = case when $3 > interval '0' then {table}.secret end,
              previous_until = case when $3 > interval '0' then excluded.rotated_at + $3 end,
              secret = excluded.secret, rotated_at = excluded.rotated_at
            returning previous_until
            """, (NpgsqlConnection)session.Connection!);
        write.Parameters.AddWithValue(message.SubscriptionId);
        write.Parameters.AddWithValue(cipher.Protect(message.SubscriptionId, secret));
        write.Parameters.AddWithValue(webhooks.RotationGracePeriod);
        var previousSignsUntil = await write.ExecuteScalarAsync(cancellationToken) is DateTime until ? new DateTimeOffset(until, TimeSpan.Zero) : (DateTimeOffset?)null;
        return new SecretDecision(secret, previousSignsUntil, null);
    }
}

/// <summary>The edge of the decisions that show a new secret: invoke, and answer with the subscription as its index now has it.</summary>
internal static class SubscriptionSecrets
{
    private const int MaxAttempts = 5;

    public static async Task<(SubscriptionWithSecret? Answer, ProblemHttpResult? Problem)> DecideWithNewSecretAsync(
        IMessageBus bus, PostgresEventStore store, DecideSubscriptionWithSecret message, CancellationToken cancellationToken)
    {
        SecretDecision decision;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                decision = await bus.InvokeAsync<SecretDecision>(message, cancellationToken);
                break;
            }
            catch (Exception e) when (Decisions.IsConcurrencyFailure(e))
            {
                // Another decision on the subscription committed first: decide again on its stream as it is now.
                if (attempt == MaxAttempts)
                {
                    return (null, Problems.Create(StatusCodes.Status409Conflict, "subscription-changed", "The subscription changed meanwhile",
                        $"Subscription {message.SubscriptionId} kept changing while this request was decided; send it again."));
                }
            }
        }

        if (decision.Problem is not null)
        {
            return (null, decision.Problem);
        }

        store.SignalAppended();
        var view = await SubscriptionReads.FindAsync(message.SubscriptionId.ToString(), store.DataSource, store.Options.Schema, cancellationToken)
            ?? throw new InvalidOperationException($"Subscription {message.SubscriptionId} is missing from its index right after the decision.");
        return (new SubscriptionWithSecret(view, decision.Secret!, SubscriptionWithSecret.ShownOnce, decision.PreviousSecretSignsUntil), null);
    }
}

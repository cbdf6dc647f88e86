using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Subscriptions;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>A decision on a webhook subscription's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideSubscription(ISubscriptionCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideSubscription"/>: the subscription decider, in the transaction Wolverine commits.</summary>
public static class DecideSubscriptionHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideSubscription message, IDocumentSession session, TimeProvider clock, EventStoreOptions options,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Subscription.Decider, message.Command, message.Meta, clock, options.Schema, cancellationToken);
}

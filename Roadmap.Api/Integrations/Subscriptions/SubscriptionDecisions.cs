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
        DecideSubscription message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Subscription.Decider, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
}

/// <summary>A subscription's state as Marten folds it for <c>FetchForWriting</c>: the decider's own fold.</summary>
public sealed partial class SubscriptionStates : SingleStreamProjection<DecidedState<SubscriptionState>, string>
{
    public override DecidedState<SubscriptionState>? Evolve(DecidedState<SubscriptionState>? snapshot, string id, IEvent e) =>
        DecidedStates.Evolve(Subscription.Decider, snapshot, id, e);
}

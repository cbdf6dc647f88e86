using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Subscriptions;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>DELETE /subscriptions/{id}: no further deliveries; pending ones are not sent.</summary>
public static class DeleteSubscription
{
    public static void Map(RouteGroupBuilder group) => group.MapDelete("/{id}", HandleAsync)
        .WithSummary("Deletes a subscription: nothing more is recorded or sent for it. Its history stays in the event log.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string id, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var subscriptionId)
            ? await decisions.InvokeAsync(
                http,
                bus,
                new DecisionTarget(Subscription.StreamId(subscriptionId)),
                (context, meta) => new DecideSubscription(new Roadmap.Domain.Subscriptions.DeleteSubscription(subscriptionId, context.Now, context.By), meta),
                new { subscriptionId },
                cancellationToken)
            : SubscriptionReads.Unknown(id);
}

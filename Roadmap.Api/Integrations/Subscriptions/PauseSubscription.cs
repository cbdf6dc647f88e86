using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Subscriptions;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>POST /subscriptions/{id}/pause: nothing is sent until it is resumed; events are still recorded for it.</summary>
public static class PauseSubscription
{
    public sealed record Request(string? Reason = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Receiver maintenance until Monday");
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id}/pause", HandleAsync)
        .Validate<Request>()
        .WithSummary("Pauses deliveries; events keep being recorded for the subscription and are delivered in order after resume.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string id, Request? request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var subscriptionId)
            ? await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Subscription.StreamId(subscriptionId)),
            (context, meta) => new DecideSubscription(new Roadmap.Domain.Subscriptions.PauseSubscription(subscriptionId, request?.Reason, context.Now, context.By), meta),
            request ?? new Request(),
            cancellationToken)
            : SubscriptionReads.Unknown(id);
}

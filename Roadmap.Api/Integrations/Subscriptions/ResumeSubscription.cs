using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Subscriptions;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>POST /subscriptions/{id}/resume: delivers everything recorded while paused, in order, then carries on.</summary>
public static class ResumeSubscription
{
    public sealed record Request(string? Reason = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Receiver back online");
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id}/resume", HandleAsync)
        .Validate<Request>()
        .WithSummary("Resumes deliveries: what was recorded while paused goes first, in log order.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string id, Request? request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var subscriptionId)
            ? await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Subscription.StreamId(subscriptionId)),
            (context, meta) => new DecideSubscription(new Roadmap.Domain.Subscriptions.ResumeSubscription(subscriptionId, context.Now, context.By), meta),
            request ?? new Request(),
            cancellationToken)
            : SubscriptionReads.Unknown(id);
}

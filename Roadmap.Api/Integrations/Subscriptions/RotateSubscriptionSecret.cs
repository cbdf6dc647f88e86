using Roadmap.Api.Integrations.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>POST /subscriptions/{id}/secret: a new signing secret, shown once; the next attempt is signed with it (and with the previous one during the grace period).</summary>
public static class RotateSubscriptionSecret
{
    /// <param name="Reason">Optional: why, for the audit trail of who rotated when (the reason itself is not stored).</param>
    public sealed record Request(string? Reason = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Yearly rotation");
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id}/secret", HandleAsync)
        .Validate<Request>()
        .WithSummary("Rotates the signing secret and shows the new one once; deliveries from now on are signed with it and, until "
            + "previousSecretSignsUntil (Roadmap:Webhooks:RotationGracePeriod, 24 h by default), also with the previous one.");

    private static async Task<Results<Ok<SubscriptionWithSecret>, ProblemHttpResult>> HandleAsync(
        string id, Request? request, HttpContext http, PostgresEventStore store, Wolverine.IMessageBus bus, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var subscriptionId))
        {
            return SubscriptionReads.Unknown(id);
        }

        var (answer, problem) = await SubscriptionSecrets.DecideWithNewSecretAsync(bus, store, new DecideSubscriptionWithSecret(
            subscriptionId,
            new Roadmap.Domain.Subscriptions.RotateSubscriptionSecret(subscriptionId, clock.GetUtcNow(), Actor.Of(http)),
            Actor.Of(http),
            Actor.CorrelationId(http)), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        HttpVersioning.SetETag(http, answer!.Subscription.Version);
        return TypedResults.Ok(answer);
    }
}

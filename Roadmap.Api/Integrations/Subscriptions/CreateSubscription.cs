using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>POST /subscriptions: a webhook subscription; the answer shows its signing secret, once.</summary>
public static class CreateSubscription
{
    /// <param name="TargetUrl">Where deliveries are POSTed: https (plain http only to hosts the configuration allows).</param>
    /// <param name="EventTypes">CloudEvent types to deliver; empty or left out: all of them.</param>
    /// <param name="Municipalities">Only events affecting one of these municipalities (AGS); empty: any.</param>
    /// <param name="ProductIds">Only events of these products; empty: any.</param>
    /// <param name="ReleaseIds">Only events of these releases; empty: any.</param>
    public sealed record Request(
        string TargetUrl,
        IReadOnlyList<string>? EventTypes = null,
        IReadOnlyList<string>? Municipalities = null,
        IReadOnlyList<Guid>? ProductIds = null,
        IReadOnlyList<Guid>? ReleaseIds = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("https://it.kaufering.example/hooks/roadmap", [IntegrationEventTypes.DeprecationAnnounced], ["09181128"]);
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator(WebhookOptions options)
        {
            RuleFor(r => r.TargetUrl).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(2000)
                .Must(url => WebhookTargets.Refusal(url, options) is null).WithMessage((_, url) => WebhookTargets.Refusal(url, options));
            RuleForEach(r => r.EventTypes).Must(t => IntegrationEventTypes.All.Contains(t))
                .WithMessage($"Unknown event type; known are: {string.Join(", ", IntegrationEventTypes.All)}.");
            RuleForEach(r => r.Municipalities).Must(a => Ags.TryParse(a, out _, out _)).WithMessage("A municipality is given by its 8-digit AGS, e.g. 09181128.");
            RuleFor(r => r.Municipalities).Must(m => m is null || m.Count <= 1000);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .Validate<Request>()
        .WithSummary("Subscribes a URL to deprecation events and deadline alerts (CloudEvents 1.0, signed per Standard Webhooks); shows the signing secret once.")
        .WithDescription(
            "Deliveries start with events recorded after the subscription, in log order, at least once, with the same webhook-id on every retry. " +
            "400 when the URL is not https (or an allowed http host) or points to a private address.");

    private static async Task<Results<Created<SubscriptionWithSecret>, ProblemHttpResult>> HandleAsync(
        Request request, HttpContext http, PostgresEventStore store, Wolverine.IMessageBus bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Events of the municipalities the key covers, and no others: a scoped key names them.
        var scope = Access.AccessClaims.ScopeOf(http.User);
        if (!scope.Everything && ((request.Municipalities ?? []).Count == 0 || request.Municipalities!.FirstOrDefault(a => !scope.Covers(a)) is not null))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "out-of-scope", "Outside your scope",
                $"This key covers {scope}: list those municipalities (or some of them) in `municipalities`.");
        }

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var (answer, problem) = await SubscriptionSecrets.DecideWithNewSecretAsync(bus, store, new DecideSubscriptionWithSecret(
            id,
            new Roadmap.Domain.Subscriptions.CreateSubscription(
                id, request.TargetUrl, request.EventTypes ?? [], request.Municipalities ?? [], request.ProductIds ?? [], request.ReleaseIds ?? [],
                clock.GetUtcNow(), Actor.Of(http), Access.AccessClaims.OwnerOf(http.User)),
            Actor.Of(http),
            Actor.CorrelationId(http)), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        HttpVersioning.SetETag(http, answer!.Subscription.Version);
        return TypedResults.Created($"/subscriptions/{id}", answer);
    }
}

using Roadmap.Api.Access;
namespace Roadmap.Api.Integrations.Subscriptions;

public static class SubscriptionEndpoints
{
    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/subscriptions").WithTags("Webhook subscriptions").RequireAccess(Access.Access.Integrate, Access.Access.Integrate);
        CreateSubscription.Map(group);
        SubscriptionReads.Map(group);
        PauseSubscription.Map(group);
        ResumeSubscription.Map(group);
        DeleteSubscription.Map(group);
        RotateSubscriptionSecret.Map(group);
        RedeliverDeadLetters.Map(group);
        return app;
    }
}

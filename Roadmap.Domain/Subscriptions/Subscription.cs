using Roadmap.Domain.Deciding;

namespace Roadmap.Domain.Subscriptions;

// Events ------------------------------------------------------------------------------------------------------
// A subscription's signing secret is never part of an event: the service keeps it in a table of its own.

public interface ISubscriptionEvent : IDomainEvent
{
    Guid SubscriptionId { get; }
}

/// <summary>A webhook subscription: where to deliver and which events. Empty filter lists mean "all".</summary>
public sealed record SubscriptionCreated(
    Guid SubscriptionId,
    string TargetUrl,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> Municipalities,
    IReadOnlyList<Guid> ProductIds,
    IReadOnlyList<Guid> ReleaseIds,
    string By,
    DateTimeOffset RecordedAt,
    string? Owner = null) : ISubscriptionEvent;

public sealed record SubscriptionPaused(Guid SubscriptionId, string? Reason, string By, DateTimeOffset RecordedAt) : ISubscriptionEvent;

public sealed record SubscriptionResumed(Guid SubscriptionId, string By, DateTimeOffset RecordedAt) : ISubscriptionEvent;

public sealed record SubscriptionDeleted(Guid SubscriptionId, string By, DateTimeOffset RecordedAt) : ISubscriptionEvent;

/// <summary>The signing secret was replaced (the secret itself is not recorded here).</summary>
public sealed record SubscriptionSecretRotated(Guid SubscriptionId, string By, DateTimeOffset RecordedAt) : ISubscriptionEvent;

// Commands ----------------------------------------------------------------------------------------------------

public interface ISubscriptionCommand : IDomainCommand
{
    Guid SubscriptionId { get; }
}

public sealed record CreateSubscription(
    Guid SubscriptionId,
    string TargetUrl,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> Municipalities,
    IReadOnlyList<Guid> ProductIds,
    IReadOnlyList<Guid> ReleaseIds,
    DateTimeOffset Now,
    string By,
    string? Owner = null) : ISubscriptionCommand;

public sealed record PauseSubscription(Guid SubscriptionId, string? Reason, DateTimeOffset Now, string By) : ISubscriptionCommand;

public sealed record ResumeSubscription(Guid SubscriptionId, DateTimeOffset Now, string By) : ISubscriptionCommand;

public sealed record DeleteSubscription(Guid SubscriptionId, DateTimeOffset Now, string By) : ISubscriptionCommand;

public sealed record RotateSubscriptionSecret(Guid SubscriptionId, DateTimeOffset Now, string By) : ISubscriptionCommand;

// State -------------------------------------------------------------------------------------------------------

public abstract record SubscriptionState;

public sealed record NoSubscription : SubscriptionState
{
    public static NoSubscription Instance { get; } = new();
}

public sealed record ActiveSubscription(Guid SubscriptionId, bool Paused) : SubscriptionState;

public sealed record DeletedSubscription(Guid SubscriptionId) : SubscriptionState;

// Decider -----------------------------------------------------------------------------------------------------

/// <summary>One stream per webhook subscription.</summary>
public static class Subscription
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "subscription-";

    public static Decider<ISubscriptionCommand, ISubscriptionEvent, SubscriptionState> Decider { get; } =
        new(NoSubscription.Instance, Evolve, Decide);

    public static string StreamId(Guid id) => $"{StreamIdPrefix}{id}";

    public static SubscriptionState Evolve(SubscriptionState state, ISubscriptionEvent @event) => @event switch
    {
        SubscriptionCreated e => new ActiveSubscription(e.SubscriptionId, false),
        SubscriptionPaused when state is ActiveSubscription s => s with { Paused = true },
        SubscriptionResumed when state is ActiveSubscription s => s with { Paused = false },
        SubscriptionDeleted e => new DeletedSubscription(e.SubscriptionId),
        _ => state,
    };

    public static IReadOnlyList<ISubscriptionEvent> Decide(ISubscriptionCommand command, SubscriptionState state)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (CreateSubscription c, NoSubscription) => Create(c),
            (CreateSubscription, _) => throw new DomainRuleViolation(
                ViolationCodes.SubscriptionAlreadyCreated, $"The subscription {command.SubscriptionId} exists already."),
            (_, NoSubscription or DeletedSubscription) => throw DomainRuleViolation.NotFound(
                ViolationCodes.SubscriptionUnknown, $"There is no subscription {command.SubscriptionId}."),
            (PauseSubscription c, ActiveSubscription { Paused: false }) => [new SubscriptionPaused(c.SubscriptionId, c.Reason, c.By, c.Now)],
            (ResumeSubscription c, ActiveSubscription { Paused: true }) => [new SubscriptionResumed(c.SubscriptionId, c.By, c.Now)],
            // Pausing a paused subscription (or resuming an active one) changes nothing: the request is idempotent.
            (PauseSubscription or ResumeSubscription, ActiveSubscription) => [],
            (DeleteSubscription c, ActiveSubscription) => [new SubscriptionDeleted(c.SubscriptionId, c.By, c.Now)],
            (RotateSubscriptionSecret c, ActiveSubscription) => [new SubscriptionSecretRotated(c.SubscriptionId, c.By, c.Now)],
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static ISubscriptionEvent[] Create(CreateSubscription c)
    {
        var url = Guard.RequireText(c.TargetUrl, ViolationCodes.TargetUrlRequired, "targetUrl", "A subscription needs the URL to deliver to.");
        return
        [
            new SubscriptionCreated(c.SubscriptionId, url, c.EventTypes.Distinct().ToArray(), c.Municipalities.Distinct().ToArray(),
                c.ProductIds.Distinct().ToArray(), c.ReleaseIds.Distinct().ToArray(), c.By, c.Now, c.Owner),
        ];
    }
}

using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>A decision on a release's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideRelease(IReleaseCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideRelease"/>: the release decider, in the transaction Wolverine commits.</summary>
public static class DecideReleaseHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideRelease message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Release.Decider, message.Command, message.Meta, clock, options.Schema, cancellationToken);
}

/// <summary>A release's state as Marten folds it for <c>FetchForWriting</c>: the decider's own fold.</summary>
public sealed partial class ReleaseStates : SingleStreamProjection<DecidedState<ReleaseState>, string>
{
    public override DecidedState<ReleaseState>? Evolve(DecidedState<ReleaseState>? snapshot, string id, IEvent e) =>
        DecidedStates.Evolve(Release.Decider, snapshot, id, e);
}

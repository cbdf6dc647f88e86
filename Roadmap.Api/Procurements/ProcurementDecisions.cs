using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Procurements;
using Roadmap.EventStore;

namespace Roadmap.Api.Procurements;

/// <summary>A decision on a procurement case's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideProcurement(IProcurementCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideProcurement"/>: the procurement case decider with the configured procurement rules.</summary>
public static class DecideProcurementHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideProcurement message, IDocumentSession session, Decisions decisions, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, decisions.Procurements, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
}

/// <summary>A procurement case's state as Marten folds it for <c>FetchForWriting</c>: the decider's own fold (the rules only decide).</summary>
public sealed partial class ProcurementStates : SingleStreamProjection<DecidedState<ProcurementCaseState>, string>
{
    public override DecidedState<ProcurementCaseState>? Evolve(DecidedState<ProcurementCaseState>? snapshot, string id, IEvent e) =>
        DecidedStates.Evolve(ProcurementCase.Decider, snapshot, id, e);
}

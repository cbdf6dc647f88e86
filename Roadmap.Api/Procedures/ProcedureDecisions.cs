using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Procedures;
using Roadmap.EventStore;

namespace Roadmap.Api.Procedures;

/// <summary>A decision on a procedure's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideProcedure(IProcedureCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideProcedure"/>: the procedure decider with the configured procurement rules.</summary>
public static class DecideProcedureHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideProcedure message, IDocumentSession session, Decisions decisions, TimeProvider clock, EventStoreOptions options,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, decisions.Procedures, message.Command, message.Meta, clock, options.Schema, cancellationToken);
}

/// <summary>A procedure's state as Marten folds it for <c>FetchForWriting</c>: the decider's own fold (the rules only decide).</summary>
public sealed partial class ProcedureStates : SingleStreamProjection<DecidedState<ProcedureState>, string>
{
    public override DecidedState<ProcedureState>? Evolve(DecidedState<ProcedureState>? snapshot, string id, IEvent e) =>
        DecidedStates.Evolve(ProcedureInstance.Decider, snapshot, id, e);
}

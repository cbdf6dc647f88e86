using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Municipalities;
using Roadmap.EventStore;

namespace Roadmap.Api.Municipalities;

/// <summary>A decision on a municipality's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideMunicipality(IMunicipalityCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideMunicipality"/>: the municipality decider, in the transaction Wolverine commits.</summary>
public static class DecideMunicipalityHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideMunicipality message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Municipality.Decider, message.Command, message.Meta, clock, options.Schema, cancellationToken);
}

/// <summary>A municipality's state as Marten folds it for <c>FetchForWriting</c>: the decider's own fold.</summary>
public sealed partial class MunicipalityStates : SingleStreamProjection<DecidedState<MunicipalityState>, string>
{
    public override DecidedState<MunicipalityState>? Evolve(DecidedState<MunicipalityState>? snapshot, string id, IEvent e) =>
        DecidedStates.Evolve(Municipality.Decider, snapshot, id, e);
}

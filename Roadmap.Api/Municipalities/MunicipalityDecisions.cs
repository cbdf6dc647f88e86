using Marten;
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
        DecideMunicipality message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Municipality.Decider, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
}

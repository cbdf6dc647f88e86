using Marten;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>A decision on a product's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideProduct(IProductCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideProduct"/>: the product decider, in the transaction Wolverine commits.</summary>
public static class DecideProductHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideProduct message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Product.Decider, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
}

using Marten;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>A decision on a vendor's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideVendor(IVendorCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideVendor"/>: the vendor decider, in the transaction Wolverine commits.</summary>
public static class DecideVendorHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideVendor message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, Vendor.Decider, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
}

using Marten;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Api.Integrations;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>A decision on a release's stream, handled by Wolverine (docs/0013).</summary>
public sealed record DecideRelease(IReleaseCommand Command, DecisionMeta Meta);

/// <summary>
/// Wolverine's handler for <see cref="DecideRelease"/>: the release decider, in the transaction Wolverine commits. A
/// deprecation or end-of-support change also stores its CloudEvent in that transaction (issue 12): the release's
/// names and the municipalities running it as the registry holds them at this moment (its index tables are inline
/// projections, current to the last commit), so webhooks, feeds and streams send the same payload for ever.
/// </summary>
public static class DecideReleaseHandler
{
    public static async Task<DecisionOutcome> Handle(
        DecideRelease message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken)
    {
        var outcome = await DecisionStep.RunAsync(session, Release.Decider, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
        if (outcome is Decided decided && decided.Response.Events.Any(e => IntegrationEventTypes.IsIntegrationEvent(e.Data)))
        {
            await session.BeginTransactionAsync(cancellationToken);
            var integrationEvents = await DeprecationCloudEvents.BuildAsync(
                decided.Response.Events.Select(e => (e.EventId, e.Data, e.RecordedAt)),
                new IndexReader((Npgsql.NpgsqlConnection)session.Connection!),
                options.Schema,
                cancellationToken);
            foreach (var integrationEvent in integrationEvents)
            {
                IntegrationEventLog.Queue(session, options.Schema, integrationEvent);
            }
        }

        return outcome;
    }
}

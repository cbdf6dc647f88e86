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
        DecideRelease message, IDocumentSession session, TimeProvider clock, EventStoreOptions options, CancellationToken cancellationToken)
    {
        var outcome = await DecisionStep.RunAsync(session, Release.Decider, message.Command, message.Meta, clock, options.Schema, cancellationToken);
        if (outcome is Decided decided && decided.Response.Events.Any(e => IntegrationEventTypes.IsIntegrationEvent(e.Data)))
        {
            // The release's names and who runs it, read in the decision's transaction, under the stream's lock.
            await using var read = new Npgsql.NpgsqlCommand(DeprecationCloudEvents.ContextSql(options.Schema), (Npgsql.NpgsqlConnection)session.Connection!);
            read.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { message.Command.ReleaseId } });
            IReadOnlyDictionary<Guid, DeprecationCloudEvents.ReleaseContext> contexts;
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                contexts = await DeprecationCloudEvents.ReadContextsAsync(reader, cancellationToken);
            }

            var integrationEvents = DeprecationCloudEvents.Build(decided.Response.Events.Select(e => (e.EventId, e.Data, e.RecordedAt)), contexts);
            foreach (var integrationEvent in integrationEvents)
            {
                IntegrationEventLog.Queue(session, options.Schema, integrationEvent);
            }
        }

        return outcome;
    }
}

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
        // The release's names and who runs it, read with the stream's lock (one round trip): most release decisions are
        // deprecations and end-of-support changes, whose CloudEvents need them.
        var context = new ReleaseContextRead(message.Command.ReleaseId, options.Schema);
        var outcome = await DecisionStep.RunAsync(
            session, Release.Decider, (_, _) => ValueTask.FromResult(message.Command), message.Meta, clock, options.Schema, states, context,
            cancellationToken);
        if (outcome is Decided decided && decided.Response.Events.Any(e => IntegrationEventTypes.IsIntegrationEvent(e.Data)))
        {
            var integrationEvents = DeprecationCloudEvents.Build(decided.Response.Events.Select(e => (e.EventId, e.Data, e.RecordedAt)), context.Contexts);
            foreach (var integrationEvent in integrationEvents)
            {
                IntegrationEventLog.Queue(session, options.Schema, integrationEvent);
            }
        }

        return outcome;
    }
}

/// <summary>The registry's context of one release, read alongside its stream's lock.</summary>
internal sealed class ReleaseContextRead(Guid releaseId, string schema) : IReadAlongside
{
    public IReadOnlyDictionary<Guid, DeprecationCloudEvents.ReleaseContext> Contexts { get; private set; } =
        new Dictionary<Guid, DeprecationCloudEvents.ReleaseContext>();

    public Npgsql.NpgsqlBatchCommand Command
    {
        get
        {
            var command = new Npgsql.NpgsqlBatchCommand(DeprecationCloudEvents.ContextSql(schema));
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new[] { releaseId } });
            return command;
        }
    }

    public async Task ReadAsync(Npgsql.NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        Contexts = await DeprecationCloudEvents.ReadContextsAsync(reader, cancellationToken);
}

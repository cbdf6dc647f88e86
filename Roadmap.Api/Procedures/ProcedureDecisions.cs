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
        DecideProcedure message, IDocumentSession session, Decisions decisions, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(session, decisions.Procedures, message.Command, message.Meta, clock, options.Schema, states, cancellationToken);
}

/// <summary>
/// A procedure decision that depends on the award of the procurement case the procedure is in (a cut-over waits for
/// it): the handler looks the award up in its own transaction and completes the command with it.
/// </summary>
public sealed record DecideProcedureAfterAward(IProcedureCommand Command, DecisionMeta Meta);

/// <summary>Wolverine's handler for <see cref="DecideProcedureAfterAward"/>.</summary>
public static class DecideProcedureAfterAwardHandler
{
    public static Task<DecisionOutcome> Handle(
        DecideProcedureAfterAward message, IDocumentSession session, Decisions decisions, TimeProvider clock, EventStoreOptions options, DecidedStateCache states,
        CancellationToken cancellationToken) =>
        DecisionStep.RunAsync(
            session,
            decisions.Procedures,
            async (state, token) => message.Command switch
            {
                Roadmap.Domain.Procedures.ScheduleReplacement c => c with { ProcurementAwardedOn = await AwardedOnAsync(session, state, token) },
                Roadmap.Domain.Procedures.CompleteCutOver c => c with { ProcurementAwardedOn = await AwardedOnAsync(session, state, token) },
                var other => other,
            },
            message.Meta,
            clock,
            options.Schema,
            states,
            null,
            cancellationToken);

    /// <summary>The award date of the case the procedure is assigned to; null when unassigned or not awarded.</summary>
    private static async ValueTask<DateOnly?> AwardedOnAsync(IDocumentSession session, ProcedureState procedure, CancellationToken cancellationToken)
    {
        if (procedure is not ActiveProcedure { Lifecycle.CaseId: { } caseId })
        {
            return null;
        }

        var procurement = await session.Events.AggregateStreamAsync<DecidedState<Roadmap.Domain.Procurements.ProcurementCaseState>>(
            Roadmap.Domain.Procurements.ProcurementCase.StreamId(caseId), token: cancellationToken);
        return procurement?.State is Roadmap.Domain.Procurements.AwardedCase awarded ? awarded.AwardedOn : null;
    }
}

/// <summary>A procedure's state as Marten folds it for <c>FetchForWriting</c>: the decider's own fold (the rules only decide).</summary>
public sealed partial class ProcedureStates : SingleStreamProjection<DecidedState<ProcedureState>, string>
{
    public override DecidedState<ProcedureState>? Evolve(DecidedState<ProcedureState>? snapshot, string id, IEvent e) =>
        DecidedStates.Evolve(ProcedureInstance.Decider, snapshot, id, e);
}

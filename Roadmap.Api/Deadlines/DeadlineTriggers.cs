using JasperFx.Events;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Wolverine.Marten;

namespace Roadmap.Api.Deadlines;

/// <summary>
/// Marten → Wolverine event forwarding: every decision that can move a roadmap's dates (a procedure's, a procurement
/// case's, a release's end of support) publishes a <see cref="ReviewDeadlinesOfStream"/> through Wolverine's outbox,
/// in the transaction that appends it. The review then reschedules that municipality's alerts; an alert already
/// scheduled for a date that moved finds nothing due when it fires (a review always decides on the current roadmap).
/// </summary>
public static class DeadlineTriggers
{
    public static void Forward(MartenIntegration wolverine)
    {
        // Forwarding is on for sessions enrolled in Wolverine's outbox (the decision handlers'); only the events
        // transformed below have anywhere to go.
        wolverine.UseFastEventForwarding = true;
        On<ProcedureIntroduced>(wolverine);
        On<ExtendedSupportPurchased>(wolverine);
        On<RiskAccepted>(wolverine);
        On<ReplacementPlanned>(wolverine);
        On<ProcedureAssignedToProcurement>(wolverine);
        On<ReplacementScheduled>(wolverine);
        On<CutOverCompleted>(wolverine);
        On<ProcedureRetired>(wolverine);

        On<ProcurementCaseOpened>(wolverine);
        On<ProcurementValueEstimated>(wolverine);
        On<ProcurementProcedureDetermined>(wolverine);
        On<ProcurementStarted>(wolverine);
        On<ProcurementDeadlinesSet>(wolverine);
        On<ReviewFiled>(wolverine);
        On<ReviewConcluded>(wolverine);
        On<ProcurementAwarded>(wolverine);
        On<ProcurementCancelled>(wolverine);

        On<VendorDeprecationAnnounced>(wolverine);
        On<EndOfSupportChanged>(wolverine);
        On<SuccessorDesignated>(wolverine);
    }

    private static void On<T>(MartenIntegration wolverine) where T : notnull =>
        wolverine.SubscribeToEvent<T>().TransformedTo(e => new ReviewDeadlinesOfStream(e.StreamKey ?? e.StreamId.ToString()));
}

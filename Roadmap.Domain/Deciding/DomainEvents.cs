using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Subscriptions;

namespace Roadmap.Domain.Deciding;

/// <summary>
/// The stable name and schema version of every event. Stored events carry these, never a CLR name, so classes can
/// be renamed or moved. A new shape of an event gets a new version here and an upcaster in the event store.
/// </summary>
public static class DomainEvents
{
    public static IEnumerable<(Type Type, string Name, int Version)> All { get; } =
    [
        (typeof(MunicipalityRegistered), "municipality.registered", 1),
        (typeof(MunicipalityRenamed), "municipality.renamed", 1),
        (typeof(DeadlineApproaching), "municipality.deadline-approaching", 1),
        (typeof(DeadlineMissed), "municipality.deadline-missed", 1),

        (typeof(VendorRegistered), "vendor.registered", 1),
        (typeof(ProductRegistered), "product.registered", 1),
        (typeof(ReleaseRegistered), "release.registered", 1),
        (typeof(VendorDeprecationAnnounced), "release.deprecation-announced", 1),
        (typeof(EndOfSupportChanged), "release.end-of-support-changed", 1),
        (typeof(SuccessorDesignated), "release.successor-designated", 1),

        (typeof(ProcedureIntroduced), "procedure.introduced", 1),
        (typeof(ExtendedSupportPurchased), "procedure.extended-support-purchased", 1),
        (typeof(RiskAccepted), "procedure.risk-accepted", 1),
        (typeof(ReplacementPlanned), "procedure.replacement-planned", 1),
        (typeof(ProcedureAssignedToProcurement), "procedure.assigned-to-procurement", 1),
        (typeof(ReplacementScheduled), "procedure.replacement-scheduled", 1),
        (typeof(CutOverCompleted), "procedure.cut-over-completed", 1),
        (typeof(ProcedureRetired), "procedure.retired", 1),

        (typeof(ProcurementCaseOpened), "procurement.opened", 1),
        (typeof(ProcurementValueEstimated), "procurement.value-estimated", 1),
        (typeof(ProcurementProcedureDetermined), "procurement.procedure-determined", 1),
        (typeof(ProcurementStarted), "procurement.started", 1),
        (typeof(ProcurementDeadlinesSet), "procurement.deadlines-set", 1),
        (typeof(AwardIntentionNotified), "procurement.award-intention-notified", 1),
        (typeof(ReviewFiled), "procurement.review-filed", 1),
        (typeof(ReviewConcluded), "procurement.review-concluded", 1),
        (typeof(ProcurementAwarded), "procurement.awarded", 1),
        (typeof(ProcurementCancelled), "procurement.cancelled", 1),

        (typeof(SubscriptionCreated), "subscription.created", 1),
        (typeof(SubscriptionPaused), "subscription.paused", 1),
        (typeof(SubscriptionResumed), "subscription.resumed", 1),
        (typeof(SubscriptionDeleted), "subscription.deleted", 1),
        (typeof(SubscriptionSecretRotated), "subscription.secret-rotated", 1),
    ];

    /// <summary>The registered name and version of an event class; throws for a class that is not an event.</summary>
    public static (string Name, int Version) NameOf(Type eventType)
    {
        foreach (var (type, name, version) in All)
        {
            if (type == eventType)
            {
                return (name, version);
            }
        }

        throw new ArgumentException($"{eventType.Name} is not a registered domain event.", nameof(eventType));
    }
}

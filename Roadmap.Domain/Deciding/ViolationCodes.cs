using System.Reflection;

namespace Roadmap.Domain.Deciding;

/// <summary>
/// Every <see cref="DomainRuleViolation.Code"/> the deciders use. Codes are part of the public contract (problem
/// types, client logic): add new ones, never rename. Codes ending in "-unknown" are <see cref="ViolationKind.NotFound"/>.
/// </summary>
public static class ViolationCodes
{
    // Shared by several streams
    public const string ActorRequired = "actor-required";
    public const string NameRequired = "name-required";
    public const string ReasonRequired = "reason-required";

    // Municipality
    public const string MunicipalityUnknown = "municipality-unknown";
    public const string MunicipalityAlreadyRegistered = "municipality-already-registered";
    public const string DeadlineLeadsInvalid = "deadline-leads-invalid";
    public const string CountyAgsInvalid = "county-ags-invalid";
    public const string AgsNotInCounty = "ags-not-in-county";
    public const string LandMismatch = "land-mismatch";
    public const string NameUnchanged = "name-unchanged";

    // Catalogue: vendor, product, release
    public const string VendorAlreadyRegistered = "vendor-already-registered";
    public const string WebsiteInvalid = "website-invalid";
    public const string ProductAlreadyRegistered = "product-already-registered";
    public const string VendorRequired = "vendor-required";
    public const string ReleaseUnknown = "release-unknown";
    public const string ReleaseAlreadyRegistered = "release-already-registered";
    public const string ProductRequired = "product-required";
    public const string VersionRequired = "version-required";
    public const string TbaWithDate = "tba-with-date";
    public const string LifecycleDatesOutOfOrder = "lifecycle-dates-out-of-order";
    public const string EndOfLifeBeforeEndOfSecuritySupport = "end-of-life-before-end-of-security-support";
    public const string EndOfSupportRequired = "end-of-support-required";
    public const string NoticeIdRequired = "notice-id-required";
    public const string NoticeAlreadyRecorded = "notice-already-recorded";
    public const string SourceRequired = "source-required";
    public const string EndOfSupportUnchanged = "end-of-support-unchanged";
    public const string SuccessorIsSameRelease = "successor-is-same-release";
    public const string SuccessorUnchanged = "successor-unchanged";

    // Procedure instance
    public const string ProcedureUnknown = "procedure-unknown";
    public const string ProcedureAlreadyIntroduced = "procedure-already-introduced";
    public const string ProcedureRetired = "procedure-retired";
    public const string ReleaseRequired = "release-required";
    public const string ReferenceRequired = "reference-required";
    public const string ExtendedSupportBeforeIntroduction = "extended-support-before-introduction";
    public const string ExtendedSupportNotLater = "extended-support-not-later";
    public const string AcceptedByRequired = "accepted-by-required";
    public const string RiskAcceptanceInPast = "risk-acceptance-in-past";
    public const string GoLiveBeforeIntroduction = "go-live-before-introduction";
    public const string RetirementHasNoTargetRelease = "retirement-has-no-target-release";
    public const string TargetIsCurrentRelease = "target-is-current-release";
    public const string CaseRequired = "case-required";
    public const string AlreadyAssignedToCase = "already-assigned-to-case";
    public const string ReplacementNotPlanned = "replacement-not-planned";
    public const string ParallelRunIncomplete = "parallel-run-incomplete";
    public const string ParallelRunOutOfOrder = "parallel-run-out-of-order";
    public const string ParallelRunAfterCutOver = "parallel-run-after-cut-over";
    public const string ParallelRunTooLong = "parallel-run-too-long";
    public const string ParallelRunBeforeAward = "parallel-run-before-award";
    public const string CutOverBeforeIntroduction = "cut-over-before-introduction";
    public const string CutOverInFreezeWindow = "cut-over-in-freeze-window";
    public const string CutOverBeforeAward = "cut-over-before-award";
    public const string ReplacementNotScheduled = "replacement-not-scheduled";
    public const string CutOverInFuture = "cut-over-in-future";
    public const string RetirementBeforeIntroduction = "retirement-before-introduction";

    // Procurement case
    public const string ProcurementCaseUnknown = "procurement-case-unknown";
    public const string CaseAlreadyOpened = "case-already-opened";
    public const string TitleRequired = "title-required";
    public const string ParticipantsRequired = "participants-required";
    public const string DuplicateParticipant = "duplicate-participant";
    public const string ProcurementCancelled = "procurement-cancelled";
    public const string AlreadyAwarded = "already-awarded";
    public const string ProcurementAlreadyStarted = "procurement-already-started";
    public const string SharesRequired = "shares-required";
    public const string ShareForNonParticipant = "share-for-non-participant";
    public const string ShareMissing = "share-missing";
    public const string DuplicateShare = "duplicate-share";
    public const string ValueAboveCeiling = "value-above-ceiling";
    public const string OptionsJustificationRequired = "options-justification-required";
    public const string ValueNotEstimated = "value-not-estimated";
    public const string OverrideNeedsJustification = "override-needs-justification";
    public const string ProcedureNotDetermined = "procedure-not-determined";
    public const string PublicationBeforeStart = "publication-before-start";
    public const string ProcurementNotStarted = "procurement-not-started";
    public const string UrgencyReasonRequired = "urgency-reason-required";
    public const string ParticipationDeadlineRequired = "participation-deadline-required";
    public const string ParticipationDeadlineNotApplicable = "participation-deadline-not-applicable";
    public const string DeadlineBeforeStart = "deadline-before-start";
    public const string OfferDeadlineBeforeParticipationDeadline = "offer-deadline-before-participation-deadline";
    // No longer raised since issue 10 (EU periods run from the day the notice was sent: notice-sent-date-missing); codes are never removed.
    public const string PublicationDateMissing = "publication-date-missing";
    public const string DeadlineBelowMinimum = "deadline-below-minimum";
    public const string BidderRequired = "bidder-required";
    public const string NotificationBeforeStart = "notification-before-start";
    public const string NotificationBeforeOfferDeadline = "notification-before-offer-deadline";
    public const string ChamberRequired = "chamber-required";
    public const string ReviewBeforeStart = "review-before-start";
    public const string ReviewAlreadyPending = "review-already-pending";
    public const string NoReviewPending = "no-review-pending";
    public const string ReviewConcludedBeforeFiling = "review-concluded-before-filing";
    public const string AwardAfterCancellation = "award-after-cancellation";
    public const string ReviewPending = "review-pending";
    public const string AwardIntentionMissing = "award-intention-missing";
    public const string StandstillNotOver = "standstill-not-over";
    public const string AwardBeforeStart = "award-before-start";
    public const string AwardBeforeOfferDeadline = "award-before-offer-deadline";
    public const string AwardInFuture = "award-in-future";
    public const string CancellationBeforeStart = "cancellation-before-start";

    // Procurement law (issue 10): a 200 means legally checked
    public const string EuProcedureRequired = "eu-procedure-required";
    public const string DirectAwardAboveLimit = "direct-award-above-limit";
    public const string NegotiatedAwardAboveLandLimit = "negotiated-award-above-land-limit";
    public const string ProcedureDeterminationOutdated = "procedure-determination-outdated";
    public const string NoticeSentDateMissing = "notice-sent-date-missing";
    public const string OfferDeadlineMissing = "offer-deadline-missing";
    public const string AwardValueRequired = "award-value-required";
    public const string DirectAwardValueAboveLimit = "direct-award-value-above-limit";
    public const string AwardValueNeedsOtherProcedure = "award-value-needs-other-procedure";
    public const string AuthorityKindNeedsJustification = "authority-kind-needs-justification";
    public const string DecisionServedDateRequired = "decision-served-date-required";
    public const string DecisionServedBeforeConclusion = "decision-served-before-conclusion";
    public const string AppealPeriodNotOver = "appeal-period-not-over";

    // Webhook subscriptions
    public const string SubscriptionUnknown = "subscription-unknown";
    public const string SubscriptionAlreadyCreated = "subscription-already-created";
    public const string TargetUrlRequired = "target-url-required";

    /// <summary>All codes, e.g. for documenting problem types.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(ViolationCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}

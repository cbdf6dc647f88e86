using System.Text.Json;
using System.Text.Json.Serialization;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;

namespace Roadmap.Projections.Roadmaps;

// The fact documents of the roadmap read models: what the event log says about each procedure, release, product,
// vendor, procurement case and municipality. No dates are computed here and no clock is read: the calculator does
// that with the "today" of the query, so a rebuild gives the same documents.

/// <summary>A procedure's <see cref="ProcedureLifecycle"/> as stored, with its <see cref="ProcedureLifecycle.State"/>.</summary>
/// <param name="State">introduced, planned, scheduled, cut-over or retired.</param>
public sealed record ProcedureFacts(
    Guid ProcedureId,
    string Ags,
    ProcedureCategory Category,
    Guid ReleaseId,
    string Name,
    DateOnly IntroducedOn,
    string State,
    DateOnly? ExtendedSupportUntil,
    RiskAcceptance? Risk,
    ReplacementPlan? Plan,
    Guid? CaseId,
    CutOverSchedule? Schedule,
    DateOnly? CutOverCompletedOn,
    DateOnly? RetiredOn)
{
    public static ProcedureFacts Of(ProcedureLifecycle l) => new(
        l.ProcedureId, l.Ags.Value, l.Category, l.ReleaseId, l.Name, l.IntroducedOn, l.State, l.ExtendedSupportUntil, l.Risk, l.Plan, l.CaseId,
        l.Schedule, l.CutOverCompletedOn, l.RetiredOn);

    public ProcedureLifecycle Lifecycle() => new(
        ProcedureId, Roadmap.Domain.Shared.Ags.Parse(Ags), Category, ReleaseId, Name, IntroducedOn, ExtendedSupportUntil, Risk, Plan, CaseId,
        Schedule, CutOverCompletedOn, RetiredOn);
}

public sealed record ReleaseFacts(
    Guid ReleaseId, Guid ProductId, string Version, ReleaseLifecycle Lifecycle, IReadOnlyList<string> Notices, Guid? SuccessorReleaseId);

public sealed record ProductFacts(Guid ProductId, Guid VendorId, string Name);

public sealed record VendorFacts(Guid VendorId, string Name);

public sealed record ParticipantFacts(string Ags, Guid ProcedureId);

public sealed record ShareFacts(string Ags, decimal NetValue);

/// <summary>
/// The determination as decided: the threshold and reason it rested on stay explainable when the rules change. The
/// authority kind selects the threshold; anything but SubCentral is shown with its justification (domain rule 5).
/// </summary>
public sealed record DeterminationFacts(
    ProcurementProcedureType SuggestedType,
    string SuggestionReason,
    ProcurementProcedureType ChosenType,
    DateOnly PlannedPublicationOn,
    decimal TotalNetValue,
    decimal ThresholdAmount,
    DateOnly ThresholdValidFrom,
    DateOnly ThresholdValidTo,
    bool ThresholdProvisional,
    ContractingAuthorityKind AuthorityKind = ContractingAuthorityKind.SubCentral,
    string? AuthorityKindJustification = null);

/// <param name="State">open, started, awarded or cancelled.</param>
public sealed record CaseFacts(
    Guid CaseId,
    string Title,
    ProcedureCategory Category,
    string LeadAgs,
    IReadOnlyList<ParticipantFacts> Participants,
    IReadOnlyList<ShareFacts> Shares,
    decimal? TotalNetValue,
    DeterminationFacts? Determination,
    ProcurementProcedureType? StartedType,
    DateOnly? StartedOn,
    DateOnly? PublishedOn,
    DateOnly? ParticipationDeadline,
    DateOnly? OfferDeadline,
    bool? ElectronicSubmission,
    bool Urgent,
    int? MinimumParticipationDays,
    int? MinimumOfferDays,
    DateOnly? AwardIntentionOn,
    DateOnly? StandstillEndsOn,
    DateOnly? ReviewFiledOn,
    DateOnly? ReviewDecisionDueOn,
    DateOnly? ReviewConcludedOn,
    DateOnly? AwardedOn,
    DateOnly? CancelledOn,
    string State,
    DateOnly? EstimatedOn = null,
    DateOnly? NoticeSentOn = null)
{
    /// <summary>The day the procedure actually began, if it has (<see cref="ProcurementCase.ActualStart"/>).</summary>
    public DateOnly? ActualStartOn => ProcurementCase.ActualStart(NoticeSentOn, PublishedOn, StartedOn);

    /// <summary>The procedure type in force: as started, else as chosen (a new estimate clears the choice).</summary>
    public ProcurementProcedureType? ChosenType => StartedType ?? Determination?.ChosenType;

    public bool IsJoint => Participants.Select(p => p.Ags).Distinct().Count() > 1;

    /// <summary>
    /// The day the case counts from when cases are added up against splitting (§ 3 (2) VgV): its actual start, else the
    /// planned publication, else the day its value was estimated. Null before an estimate.
    /// </summary>
    public DateOnly? ReferenceDay => StartedOn ?? Determination?.PlannedPublicationOn ?? EstimatedOn;

    /// <summary>A municipality's own part of the estimated value: its share, else (no shares recorded) the total.</summary>
    public decimal? NetValueOf(string ags) =>
        Shares.FirstOrDefault(s => s.Ags == ags)?.NetValue ?? (Shares.Count == 0 ? TotalNetValue : null);
}

public sealed record MunicipalityFacts(string Ags, string Name, string Land, string CountyAgs);

/// <summary>The kinds of fact document, one table each.</summary>
public enum FactKind
{
    Procedure,
    Release,
    Product,
    Vendor,
    Case,
    Municipality,
}

/// <summary>
/// An in-memory set of fact documents and the fold that evolves them from domain events. The async projection loads
/// the documents a batch touches, applies the batch and stores what changed; the as-of query folds the log up to a
/// date into a fresh set. Both then hand the set to <see cref="RoadmapCalculator"/>.
/// </summary>
public sealed class RoadmapFacts
{
    /// <summary>How the documents are stored (jsonb): web names, enums by name.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    /// <summary>Every event type the fold reads.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } =
    [
        typeof(MunicipalityRegistered), typeof(MunicipalityRenamed),
        typeof(VendorRegistered), typeof(ProductRegistered),
        typeof(ReleaseRegistered), typeof(VendorDeprecationAnnounced), typeof(EndOfSupportChanged), typeof(SuccessorDesignated),
        typeof(ProcedureIntroduced), typeof(ExtendedSupportPurchased), typeof(RiskAccepted), typeof(ReplacementPlanned),
        typeof(ProcedureAssignedToProcurement), typeof(ReplacementScheduled), typeof(CutOverCompleted), typeof(ProcedureRetired),
        typeof(ProcurementCaseOpened), typeof(ProcurementValueEstimated), typeof(ProcurementProcedureDetermined), typeof(ProcurementStarted),
        typeof(ProcurementDeadlinesSet), typeof(AwardIntentionNotified), typeof(ReviewFiled), typeof(ReviewConcluded),
        typeof(ProcurementAwarded), typeof(ProcurementCancelled),
    ];

    public Dictionary<Guid, ProcedureFacts> Procedures { get; } = [];

    public Dictionary<Guid, ReleaseFacts> Releases { get; } = [];

    public Dictionary<Guid, ProductFacts> Products { get; } = [];

    public Dictionary<Guid, VendorFacts> Vendors { get; } = [];

    public Dictionary<Guid, CaseFacts> Cases { get; } = [];

    public Dictionary<string, MunicipalityFacts> Municipalities { get; } = new(StringComparer.Ordinal);

    /// <summary>The documents changed since the set was created or loaded.</summary>
    public HashSet<(FactKind Kind, string Key)> Changed { get; } = [];

    /// <summary>The one document an event changes, or null for events the fold ignores.</summary>
    public static (FactKind Kind, string Key)? DocumentOf(object @event) => @event switch
    {
        Roadmap.Domain.Municipalities.IMunicipalityEvent e => (FactKind.Municipality, e.Ags.Value),
        IVendorEvent e => (FactKind.Vendor, Key(e.VendorId)),
        IProductEvent e => (FactKind.Product, Key(e.ProductId)),
        IReleaseEvent e => (FactKind.Release, Key(e.ReleaseId)),
        IProcedureEvent e => (FactKind.Procedure, Key(e.ProcedureId)),
        IProcurementEvent e => (FactKind.Case, Key(e.CaseId)),
        _ => null,
    };

    public static string Key(Guid id) => id.ToString("D");

    /// <summary>Applies one event; events of unknown documents (other than the creating one) are ignored.</summary>
    public void Apply(object @event)
    {
        switch (@event)
        {
            case MunicipalityRegistered e:
                Set(Municipalities, e.Ags.Value, new MunicipalityFacts(e.Ags.Value, e.Name, e.Land.Value, e.CountyAgs.Value), FactKind.Municipality);
                break;
            case MunicipalityRenamed e when Municipalities.TryGetValue(e.Ags.Value, out var m):
                Set(Municipalities, e.Ags.Value, m with { Name = e.Name }, FactKind.Municipality);
                break;
            case VendorRegistered e:
                Set(Vendors, e.VendorId, new VendorFacts(e.VendorId, e.Name), FactKind.Vendor);
                break;
            case ProductRegistered e:
                Set(Products, e.ProductId, new ProductFacts(e.ProductId, e.VendorId, e.Name), FactKind.Product);
                break;
            case IReleaseEvent e:
                ApplyRelease(e);
                break;
            case IProcedureEvent e:
                ApplyProcedure(e);
                break;
            case IProcurementEvent e:
                ApplyCase(e);
                break;
        }
    }

    private void ApplyRelease(IReleaseEvent @event)
    {
        if (@event is ReleaseRegistered registered)
        {
            Set(Releases, registered.ReleaseId,
                new ReleaseFacts(registered.ReleaseId, registered.ProductId, registered.Version, registered.Lifecycle, [], null), FactKind.Release);
            return;
        }

        if (!Releases.TryGetValue(@event.ReleaseId, out var r))
        {
            return;
        }

        var next = @event switch
        {
            VendorDeprecationAnnounced e => r with
            {
                Lifecycle = r.Lifecycle.WithEnds(e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba),
                Notices = [.. r.Notices, e.NoticeId],
            },
            EndOfSupportChanged e => r with
            {
                Lifecycle = r.Lifecycle.WithEnds(e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba),
            },
            SuccessorDesignated e => r with { SuccessorReleaseId = e.SuccessorReleaseId },
            _ => r,
        };
        Set(Releases, r.ReleaseId, next, FactKind.Release);
    }

    private void ApplyProcedure(IProcedureEvent @event)
    {
        var before = Procedures.TryGetValue(@event.ProcedureId, out var p) ? p.Lifecycle() : null;
        if (ProcedureLifecycle.Apply(before, @event) is { } after)
        {
            Set(Procedures, after.ProcedureId, ProcedureFacts.Of(after), FactKind.Procedure);
        }
    }

    private void ApplyCase(IProcurementEvent @event)
    {
        if (@event is ProcurementCaseOpened opened)
        {
            Set(Cases, opened.CaseId, new CaseFacts(
                opened.CaseId, opened.Title, opened.Category, opened.LeadAgs.Value,
                [.. opened.Participants.Select(p => new ParticipantFacts(p.Ags.Value, p.ProcedureId))], [], null, null, null, null, null, null, null,
                null, false, null, null, null, null, null, null, null, null, null, "open"), FactKind.Case);
            return;
        }

        if (!Cases.TryGetValue(@event.CaseId, out var c))
        {
            return;
        }

        var next = @event switch
        {
            // A new estimate may change the suggested procedure, so it has to be determined again (as in the decider).
            ProcurementValueEstimated e => c with
            {
                Shares = [.. e.Shares.Select(s => new ShareFacts(s.Ags.Value, s.NetValue.Euros))],
                TotalNetValue = e.TotalNetValue.Euros,
                Determination = null,
                EstimatedOn = CalendarDay.Of(e.RecordedAt),
            },
            ProcurementProcedureDetermined e => c with
            {
                Determination = new DeterminationFacts(e.SuggestedType, e.SuggestionReason, e.ChosenType, e.PlannedPublicationOn, e.TotalNetValue.Euros,
                    e.ThresholdAmount.Euros, e.ThresholdValidFrom, e.ThresholdValidTo, e.ThresholdProvisional, e.AuthorityKind,
                    string.IsNullOrWhiteSpace(e.AuthorityKindJustification) ? null : e.AuthorityKindJustification.Trim()),
            },
            ProcurementStarted e => c with
            {
                State = "started", StartedType = e.ProcedureType, StartedOn = e.StartedOn, PublishedOn = e.PublishedOn, NoticeSentOn = e.NoticeSentOn,
            },
            ProcurementDeadlinesSet e => c with
            {
                PublishedOn = e.PublishedOn ?? c.PublishedOn,
                NoticeSentOn = e.NoticeSentOn ?? c.NoticeSentOn,
                ParticipationDeadline = e.ParticipationDeadline,
                OfferDeadline = e.OfferDeadline,
                ElectronicSubmission = e.ElectronicSubmission,
                Urgent = e.Urgent,
                MinimumParticipationDays = e.MinimumParticipationDays,
                MinimumOfferDays = e.MinimumOfferDays,
            },
            AwardIntentionNotified e => c with { AwardIntentionOn = e.NotifiedOn, StandstillEndsOn = e.StandstillEndsOn },
            ReviewFiled e => c with { ReviewFiledOn = e.FiledOn, ReviewDecisionDueOn = e.DecisionDueOn, ReviewConcludedOn = null },
            // An upheld review voids the award decision: the bidders are notified again.
            ReviewConcluded e => c with
            {
                ReviewConcludedOn = e.ConcludedOn,
                AwardIntentionOn = e.Outcome == ReviewOutcome.Upheld ? null : c.AwardIntentionOn,
                StandstillEndsOn = e.Outcome == ReviewOutcome.Upheld ? null : c.StandstillEndsOn,
            },
            ProcurementAwarded e => c with { State = "awarded", AwardedOn = e.AwardedOn, StartedType = c.StartedType ?? e.ProcedureType },
            ProcurementCancelled e => c with { State = "cancelled", CancelledOn = e.CancelledOn },
            _ => c,
        };
        Set(Cases, c.CaseId, next, FactKind.Case);
    }

    private void Set<T>(Dictionary<Guid, T> documents, Guid id, T document, FactKind kind)
    {
        documents[id] = document;
        Changed.Add((kind, Key(id)));
    }

    private void Set<T>(Dictionary<string, T> documents, string key, T document, FactKind kind)
    {
        documents[key] = document;
        Changed.Add((kind, key));
    }

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        json.Converters.Add(new JsonStringEnumConverter());
        json.MakeReadOnly(populateMissingResolver: true);
        return json;
    }
}

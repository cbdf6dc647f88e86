using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;

namespace Roadmap.Projections.Tests.Infrastructure;

/// <summary>
/// Domain events for the roadmap tests, written as the deciders would have recorded them. Every call returns the
/// events; ids and AGS are fresh, so the tests of one class (one schema) never see each other's data.
/// </summary>
public static class Given
{
    public const string By = "pm.tests";

    public static readonly DateTimeOffset RecordedAt = new(2026, 1, 10, 9, 0, 0, TimeSpan.Zero);

    private static readonly ProcurementRuleSet Rules = ProcurementRuleSet.LoadDefault();

    private static int _next;

    /// <summary>A fresh Bavarian municipality of Landkreis Landsberg am Lech (09181xxx).</summary>
    public static (string Ags, object Event) Municipality(string? name = null)
    {
        var ags = $"09181{Interlocked.Increment(ref _next) % 900 + 100:D3}";
        return (ags, new MunicipalityRegistered(Ags.Parse(ags), name ?? $"Gemeinde {ags}", LandCode.Bayern, Ags.Parse("09181000"), By, RecordedAt));
    }

    /// <summary>A vendor, a product and a release with the given end of security support.</summary>
    public static (Guid ReleaseId, object[] Events) Release(DateOnly endOfSecuritySupport, ProcedureCategory category = ProcedureCategory.Gewerbe)
    {
        var vendor = Guid.NewGuid();
        var product = Guid.NewGuid();
        var release = Guid.NewGuid();
        return (release,
        [
            new VendorRegistered(vendor, "Lechtal Software GmbH", null, By, RecordedAt),
            new ProductRegistered(product, vendor, "Lech-Verfahren", category, By, RecordedAt),
            new ReleaseRegistered(release, product, "5.1", new ReleaseLifecycle(new DateOnly(2020, 1, 1), null, endOfSecuritySupport, null), By, RecordedAt),
        ]);
    }

    public static (Guid ProcedureId, object Event) Procedure(string ags, Guid releaseId, ProcedureCategory category = ProcedureCategory.Gewerbe)
    {
        var id = Guid.NewGuid();
        return (id, new ProcedureIntroduced(id, Ags.Parse(ags), category, releaseId, $"{category.GermanName()} {ags}", new DateOnly(2018, 1, 1), By, RecordedAt));
    }

    /// <summary>A municipality with one procedure on a release ending on <paramref name="endOfSecuritySupport"/>.</summary>
    public static (string Ags, Guid ProcedureId, object[] Events) MunicipalityWithProcedure(
        DateOnly endOfSecuritySupport, ProcedureCategory category = ProcedureCategory.Gewerbe)
    {
        var (ags, municipality) = Municipality();
        var (release, releaseEvents) = Release(endOfSecuritySupport, category);
        var (procedure, introduced) = Procedure(ags, release, category);
        return (ags, procedure, [municipality, .. releaseEvents, introduced]);
    }

    /// <summary>A case opened and assigned to the participants' procedures (as the API does in one transaction).</summary>
    public static (Guid CaseId, object[] Events) Case(string title, ProcedureCategory category, params (string Ags, Guid ProcedureId)[] participants)
    {
        var id = Guid.NewGuid();
        return (id,
        [
            new ProcurementCaseOpened(id, title, category, Ags.Parse(participants[0].Ags),
                [.. participants.Select(p => new ProcurementParticipant(Ags.Parse(p.Ags), p.ProcedureId))], By, RecordedAt),
            .. participants.Select(p => new ProcedureAssignedToProcurement(p.ProcedureId, id, By, RecordedAt)),
        ]);
    }

    public static object Estimated(Guid caseId, DateTimeOffset recordedAt, params (string Ags, decimal NetValue)[] shares) =>
        new ProcurementValueEstimated(caseId, [.. shares.Select(s => new ValueShare(Ags.Parse(s.Ags), Money.Euro(s.NetValue)))],
            Money.Euro(shares.Sum(s => s.NetValue)), true, null, By, recordedAt);

    /// <summary>The determination with what the rules suggest for the value on the planned publication day.</summary>
    public static object Determined(
        Guid caseId, decimal totalNetValue, DateOnly plannedPublicationOn, ProcurementProcedureType? chosen = null,
        ContractingAuthorityKind kind = ContractingAuthorityKind.SubCentral, string? kindJustification = null)
    {
        var s = Rules.Suggest(Money.Euro(totalNetValue), LandCode.Bayern, plannedPublicationOn, kind);
        return new ProcurementProcedureDetermined(caseId, Money.Euro(totalNetValue), LandCode.Bayern, kind, plannedPublicationOn, s.Type, s.Reason,
            chosen ?? s.Type, s.Threshold.Amount, s.Threshold.ValidFrom, s.Threshold.ValidTo, s.Threshold.Provisional, s.LandLimits.GermanLabel,
            s.AppliedLimitName, s.AppliedLimitAmount, s.ExPostPublicationRequired, chosen is null ? null : "Begründung der Wahl", By, RecordedAt,
            kindJustification);
    }

    public static object Started(Guid caseId, ProcurementProcedureType type, DateOnly startedOn, DateOnly? publishedOn = null) =>
        new ProcurementStarted(caseId, type, startedOn, publishedOn, By, RecordedAt);

    public static object Deadlines(Guid caseId, DateOnly publishedOn, DateOnly offerDeadline, DateOnly? participationDeadline = null, int? minimumOfferDays = 30) =>
        new ProcurementDeadlinesSet(caseId, publishedOn, participationDeadline, offerDeadline, true, false, null, null, minimumOfferDays, By, RecordedAt);

    public static object AwardIntention(Guid caseId, DateOnly notifiedOn) =>
        new AwardIntentionNotified(caseId, notifiedOn, true, "Bieter GmbH", 10, notifiedOn.AddDays(10), By, RecordedAt);

    public static object Awarded(Guid caseId, DateOnly awardedOn, ProcurementProcedureType type, decimal value) =>
        new ProcurementAwarded(caseId, awardedOn, "Bieter GmbH", null, Money.Euro(value), type, By, RecordedAt);

    public static object Cancelled(Guid caseId, DateOnly cancelledOn) => new ProcurementCancelled(caseId, cancelledOn, "Kein wirtschaftliches Angebot", By, RecordedAt);

    public static object Scheduled(Guid procedureId, DateOnly cutOverOn, Guid? caseId = null) =>
        new ReplacementScheduled(procedureId, cutOverOn, null, null, caseId, null, By, RecordedAt);
}

using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Procurements;

/// <summary>A single Bavarian procurement (Landsberg, 180,000 €) and a joint one of three municipalities (540,000 €).</summary>
internal static class ProcurementFixtures
{
    public static readonly Guid CaseId = Guid.Parse("0199a000-0000-7000-8000-000000000200");
    public static readonly Guid LandsbergProcedure = Guid.Parse("0199a000-0000-7000-8000-000000000101");
    public static readonly Guid KauferingProcedure = Guid.Parse("0199a000-0000-7000-8000-000000000102");
    public static readonly Guid DießenProcedure = Guid.Parse("0199a000-0000-7000-8000-000000000103");

    public static readonly ProcurementParticipant[] JointParticipants =
    [
        new(Landsberg, LandsbergProcedure), new(Kaufering, KauferingProcedure), new(Dießen, DießenProcedure),
    ];

    public static readonly ProcurementCaseOpened Opened =
        new(CaseId, "Gewerbesoftware Landsberg", ProcedureCategory.Gewerbe, Landsberg, [new(Landsberg, LandsbergProcedure)], By, Now);

    public static readonly ProcurementCaseOpened OpenedJoint =
        new(CaseId, "Gewerbesoftware gemeinsam", ProcedureCategory.Gewerbe, Landsberg, JointParticipants, By, Now);

    public static ProcurementValueEstimated Estimated(decimal euros) =>
        new(CaseId, [new ValueShare(Landsberg, Money.Euro(euros))], Money.Euro(euros), true, null, By, Now);

    public static readonly ProcurementValueEstimated EstimatedJoint = new(CaseId,
        [new(Landsberg, Money.Euro(180_000)), new(Kaufering, Money.Euro(180_000)), new(Dießen, Money.Euro(180_000))],
        Money.Euro(540_000), true, null, By, Now);

    /// <summary>A determination as the decider would record it; only the chosen type matters for later decisions.</summary>
    public static ProcurementProcedureDetermined Determined(ProcurementProcedureType chosen, decimal total = 540_000) =>
        new(CaseId, Money.Euro(total), LandCode.Bayern, ContractingAuthorityKind.SubCentral, Date(2025, 9, 2), chosen, "reason", chosen,
            Money.Euro(221_000), Date(2024, 1, 1), Date(2025, 12, 31), false, "Bayern, seit 1.1.2025", "EU-Schwellenwert", Money.Euro(221_000),
            false, null, By, Now);

    /// <summary>Started 1.9.2025; published (and, for an EU procedure, its notice sent) on 2.9.2025 unless said otherwise.</summary>
    public static ProcurementStarted Started(ProcurementProcedureType type, DateOnly? publishedOn = null) =>
        new(CaseId, type, Date(2025, 9, 1), publishedOn ?? Date(2025, 9, 2), By, Now, type.IsEu() ? publishedOn ?? Date(2025, 9, 2) : null);

    /// <summary>A joint EU open procedure, started 1.9.2025, its notice sent and published 2.9.2025.</summary>
    public static readonly IProcurementEvent[] EuOpenStarted =
        [OpenedJoint, EstimatedJoint, Determined(ProcurementProcedureType.EuOffenesVerfahren), Started(ProcurementProcedureType.EuOffenesVerfahren)];

    /// <summary>A Bavarian Verhandlungsvergabe, started 1.9.2025.</summary>
    public static readonly IProcurementEvent[] NationalStarted =
    [
        Opened, Estimated(180_000), Determined(ProcurementProcedureType.Verhandlungsvergabe, 180_000),
        Started(ProcurementProcedureType.Verhandlungsvergabe, publishedOn: null) with { PublishedOn = null },
    ];

    public static ProcurementDeadlinesSet OfferDeadline(DateOnly offerDeadline) =>
        new(CaseId, Date(2025, 9, 2), null, offerDeadline, false, false, null, null, 35, By, Now, Date(2025, 9, 2));

    public static AwardIntentionNotified Notified(DateOnly notifiedOn, bool electronically = true) =>
        new(CaseId, notifiedOn, electronically, "Kommunalsoftware GmbH", electronically ? 10 : 15,
            notifiedOn.AddDays(electronically ? 10 : 15), By, Now);
}

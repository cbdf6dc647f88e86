using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Procurements.ProcurementFixtures;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Procurements;

public sealed class ProcurementCaseTests
{
    private static DeciderSpec<IProcurementCommand, IProcurementEvent, ProcurementCaseState> Spec() => Tests.Spec.For(ProcurementCase.Decider);

    private static EstimateProcurementValue Estimate(params ValueShare[] shares) => new(CaseId, shares, true, null, Now, By);

    private static DetermineProcurementProcedure Determine(
        DateOnly plannedPublicationOn, ProcurementProcedureType? chosen = null, string? justification = null) =>
        new(CaseId, plannedPublicationOn, chosen, justification, Now, By);

    // Opening -------------------------------------------------------------------------------------------------

    [Fact]
    public void Opening_a_joint_case_records_the_lead_and_every_participant()
    {
        Spec().When(new OpenProcurementCase(CaseId, "Gewerbesoftware gemeinsam", ProcedureCategory.Gewerbe, Landsberg, JointParticipants, Now, By))
            .Then(OpenedJoint);
    }

    [Fact]
    public void A_case_without_participants_is_rejected()
    {
        Spec().When(new OpenProcurementCase(CaseId, "Gewerbesoftware", ProcedureCategory.Gewerbe, Landsberg, [], Now, By))
            .ThenFails("participants-required");
    }

    [Fact]
    public void A_procedure_listed_twice_is_rejected()
    {
        Spec().When(new OpenProcurementCase(CaseId, "Gewerbesoftware", ProcedureCategory.Gewerbe, Landsberg,
                [new(Landsberg, LandsbergProcedure), new(Landsberg, LandsbergProcedure)], Now, By))
            .ThenFails("duplicate-participant");
    }

    [Fact]
    public void A_case_without_a_title_is_rejected()
    {
        Spec().When(new OpenProcurementCase(CaseId, "", ProcedureCategory.Gewerbe, Landsberg, JointParticipants, Now, By)).ThenFails("title-required");
    }

    [Fact]
    public void Opening_a_case_twice_is_rejected()
    {
        Spec().Given(Opened)
            .When(new OpenProcurementCase(CaseId, "Gewerbesoftware", ProcedureCategory.Gewerbe, Landsberg, JointParticipants, Now, By))
            .ThenFails("case-already-opened");
    }

    [Fact]
    public void A_decision_about_a_case_never_opened_is_not_found()
    {
        Spec().When(Estimate(new ValueShare(Landsberg, Money.Euro(1)))).ThenFails("procurement-case-unknown");
    }

    // Value ---------------------------------------------------------------------------------------------------

    [Fact]
    public void The_value_of_a_joint_procurement_is_the_sum_of_the_shares()
    {
        Spec().Given(OpenedJoint)
            .When(Estimate(new(Landsberg, Money.Euro(180_000)), new(Kaufering, Money.Euro(180_000)), new(Dießen, Money.Euro(180_000))))
            .Then(EstimatedJoint);
    }

    [Fact]
    public void A_participating_municipality_without_a_share_is_rejected()
    {
        Spec().Given(OpenedJoint)
            .When(Estimate(new(Landsberg, Money.Euro(180_000)), new(Kaufering, Money.Euro(180_000))))
            .ThenFails("share-missing");
    }

    [Fact]
    public void A_share_for_a_municipality_outside_the_case_is_rejected()
    {
        Spec().Given(Opened)
            .When(Estimate(new(Landsberg, Money.Euro(180_000)), new(Kaufering, Money.Euro(10_000))))
            .ThenFails("share-for-non-participant");
    }

    [Fact]
    public void Two_shares_for_one_municipality_are_rejected()
    {
        Spec().Given(Opened)
            .When(Estimate(new(Landsberg, Money.Euro(90_000)), new(Landsberg, Money.Euro(90_000))))
            .ThenFails("duplicate-share");
    }

    [Fact]
    public void A_value_without_options_needs_a_justification()
    {
        Spec().Given(Opened)
            .When(new EstimateProcurementValue(CaseId, [new(Landsberg, Money.Euro(180_000))], false, null, Now, By))
            .ThenFails("options-justification-required");
    }

    [Fact]
    public void A_value_without_options_is_accepted_with_a_justification()
    {
        Spec().Given(Opened)
            .When(new EstimateProcurementValue(CaseId, [new(Landsberg, Money.Euro(180_000))], false, " No extensions possible ", Now, By))
            .Then(new ProcurementValueEstimated(CaseId, [new(Landsberg, Money.Euro(180_000))], Money.Euro(180_000), false,
                "No extensions possible", By, Now));
    }

    // Procedure -----------------------------------------------------------------------------------------------

    [Fact]
    public void Determining_the_procedure_before_estimating_the_value_is_rejected()
    {
        Spec().Given(Opened).When(Determine(Date(2026, 9, 1))).ThenFails("value-not-estimated");
    }

    [Fact]
    public void Without_a_choice_the_suggested_procedure_is_determined_with_its_threshold_and_reason()
    {
        var determined = Spec().Given(Opened, Estimated(180_000))
            .When(Determine(Date(2026, 9, 1)))
            .ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal(ProcurementProcedureType.Verhandlungsvergabe, determined.SuggestedType);
        Assert.Equal(ProcurementProcedureType.Verhandlungsvergabe, determined.ChosenType);
        Assert.Equal((Money.Euro(216_000), Date(2026, 1, 1), Date(2027, 12, 31), false),
            (determined.ThresholdAmount, determined.ThresholdValidFrom, determined.ThresholdValidTo, determined.ThresholdProvisional));
        Assert.Equal("Bayern, seit 1.1.2025", determined.LandLimitsName);
        Assert.Equal(LandCode.Bayern, determined.Land);
        Assert.True(determined.ExPostPublicationRequired);
        Assert.Equal(
            "180.000 € liegt unter dem EU-Schwellenwert von 216.000 € (2026–2027) und über der Direktauftragsgrenze von 100.000 € (Bayern, seit 1.1.2025).",
            determined.SuggestionReason);
        Assert.Null(determined.Justification);
    }

    [Fact]
    public void Joint_procurement_crossing_the_eu_threshold_is_suggested_an_eu_procedure()
    {
        var determined = Spec().Given(OpenedJoint, EstimatedJoint).When(Determine(Date(2026, 9, 1))).ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal(Money.Euro(540_000), determined.TotalNetValue);
        Assert.Equal(ProcurementProcedureType.EuOffenesVerfahren, determined.SuggestedType);
        Assert.Equal(("EU-Schwellenwert", Money.Euro(216_000)), (determined.AppliedLimitName, determined.AppliedLimitAmount));
    }

    [Fact]
    public void A_direct_award_above_the_bavarian_limit_is_rejected_even_with_a_justification()
    {
        Spec().Given(Opened, Estimated(180_000))
            .When(Determine(Date(2026, 9, 1), ProcurementProcedureType.Direktauftrag, "Only one vendor holds the rights (exclusive licence)"))
            .ThenFails("direct-award-above-limit");
    }

    [Fact]
    public void A_less_strict_eu_procedure_without_justification_is_rejected()
    {
        var violation = Spec().Given(OpenedJoint, EstimatedJoint)
            .When(Determine(Date(2026, 9, 1), ProcurementProcedureType.EuVerhandlungsverfahren, "  "))
            .ThenFails("override-needs-justification");

        Assert.Equal("justification", violation.Field);
    }

    [Fact]
    public void A_less_strict_procedure_with_a_justification_is_recorded_with_it()
    {
        var determined = Spec().Given(OpenedJoint, EstimatedJoint)
            .When(Determine(Date(2026, 9, 1), ProcurementProcedureType.EuVerhandlungsverfahren, "Adaptation of available solutions (§ 14 (3) no. 1 VgV)"))
            .ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal((ProcurementProcedureType.EuOffenesVerfahren, ProcurementProcedureType.EuVerhandlungsverfahren), (determined.SuggestedType, determined.ChosenType));
        Assert.Equal("Adaptation of available solutions (§ 14 (3) no. 1 VgV)", determined.Justification);
        Assert.False(determined.ExPostPublicationRequired);
    }

    [Fact]
    public void A_stricter_procedure_needs_no_justification()
    {
        var determined = Spec().Given(Opened, Estimated(180_000))
            .When(Determine(Date(2026, 9, 1), ProcurementProcedureType.EuOffenesVerfahren))
            .ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal(ProcurementProcedureType.EuOffenesVerfahren, determined.ChosenType);
    }

    [Theory]
    [InlineData("2025-12-15", ProcurementProcedureType.Verhandlungsvergabe, 221_000)]
    [InlineData("2026-01-15", ProcurementProcedureType.EuOffenesVerfahren, 216_000)]
    public void The_threshold_on_the_planned_publication_date_decides(string publication, ProcurementProcedureType suggested, int threshold)
    {
        var determined = Spec().Given(Opened, Estimated(218_000))
            .When(Determine(DateOnly.Parse(publication, System.Globalization.CultureInfo.InvariantCulture)))
            .ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal((suggested, Money.Euro(threshold)), (determined.SuggestedType, determined.ThresholdAmount));
    }

    [Fact]
    public void A_publication_planned_for_2028_rests_on_a_provisional_threshold()
    {
        var determined = Spec().Given(Opened, Estimated(180_000)).When(Determine(Date(2028, 2, 1))).ThenSingle<ProcurementProcedureDetermined>();

        Assert.True(determined.ThresholdProvisional);
        Assert.Equal(Money.Euro(216_000), determined.ThresholdAmount);
    }

    [Fact]
    public void A_new_estimate_requires_determining_the_procedure_again()
    {
        Spec().Given(Opened, Estimated(90_000), Determined(ProcurementProcedureType.Direktauftrag, 90_000), Estimated(180_000))
            .When(new StartProcurement(CaseId, Date(2025, 9, 1), null, Now, By))
            .ThenFails("procedure-not-determined");
    }

    // Start ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Starting_records_the_determined_procedure()
    {
        Spec().Given(Opened, Estimated(180_000), Determined(ProcurementProcedureType.Verhandlungsvergabe, 180_000))
            .When(new StartProcurement(CaseId, Date(2025, 9, 1), Date(2025, 9, 2), Now, By))
            .Then(new ProcurementStarted(CaseId, ProcurementProcedureType.Verhandlungsvergabe, Date(2025, 9, 1), Date(2025, 9, 2), By, Now));
    }

    [Fact]
    public void Starting_before_the_procedure_is_determined_is_rejected()
    {
        Spec().Given(Opened, Estimated(180_000)).When(new StartProcurement(CaseId, Date(2025, 9, 1), null, Now, By)).ThenFails("procedure-not-determined");
    }

    [Fact]
    public void Starting_twice_is_rejected()
    {
        Spec().Given(NationalStarted).When(new StartProcurement(CaseId, Date(2025, 9, 1), null, Now, By)).ThenFails("procurement-already-started");
    }

    [Fact]
    public void A_publication_before_the_start_is_rejected()
    {
        Spec().Given(Opened, Estimated(180_000), Determined(ProcurementProcedureType.Verhandlungsvergabe, 180_000))
            .When(new StartProcurement(CaseId, Date(2025, 9, 1), Date(2025, 8, 31), Now, By))
            .ThenFails("publication-before-start");
    }

    [Fact]
    public void The_value_cannot_change_once_the_procurement_started()
    {
        Spec().Given(NationalStarted).When(Estimate(new ValueShare(Landsberg, Money.Euro(90_000)))).ThenFails("procurement-already-started");
    }

    // Cancellation --------------------------------------------------------------------------------------------

    [Fact]
    public void Cancelling_records_date_and_reason()
    {
        Spec().Given(NationalStarted)
            .When(new CancelProcurement(CaseId, Date(2025, 10, 1), "No acceptable offer", Now, By))
            .Then(new ProcurementCancelled(CaseId, Date(2025, 10, 1), "No acceptable offer", By, Now));
    }

    [Fact]
    public void Cancelling_without_a_reason_is_rejected()
    {
        Spec().Given(NationalStarted).When(new CancelProcurement(CaseId, Date(2025, 10, 1), "", Now, By)).ThenFails("reason-required");
    }

    [Fact]
    public void Cancelling_before_the_start_date_is_rejected()
    {
        Spec().Given(NationalStarted).When(new CancelProcurement(CaseId, Date(2025, 8, 1), "Budget", Now, By)).ThenFails("cancellation-before-start");
    }

    [Fact]
    public void Cancelling_an_awarded_procurement_is_rejected()
    {
        Spec().Given([.. NationalStarted, new ProcurementAwarded(CaseId, Date(2025, 10, 1), "Kommunalsoftware GmbH", null, Money.Euro(175_000),
                ProcurementProcedureType.Verhandlungsvergabe, By, Now)])
            .When(new CancelProcurement(CaseId, Date(2025, 10, 2), "Too late", Now, By))
            .ThenFails("already-awarded");
    }

    [Fact]
    public void Nothing_more_is_decided_for_a_cancelled_procurement()
    {
        Spec().Given([.. NationalStarted, new ProcurementCancelled(CaseId, Date(2025, 10, 1), "No offer", By, Now)])
            .When(new FileReview(CaseId, Date(2025, 10, 2), "Vergabekammer Südbayern", Now, By))
            .ThenFails("procurement-cancelled");
    }
}

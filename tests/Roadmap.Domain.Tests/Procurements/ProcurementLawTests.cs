using System.Globalization;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Procurements.ProcurementFixtures;
using static Roadmap.Domain.Tests.Sample;
using T = Roadmap.Domain.Procurement.ProcurementProcedureType;

namespace Roadmap.Domain.Tests.Procurements;

/// <summary>
/// Issue 10: a decision the decider accepts is legally checked. One block per rule; the paragraph is in the test name.
/// The given events are produced by the decider itself (<see cref="Decided"/>), so they are what the rules really record.
/// </summary>
public sealed class ProcurementLawTests
{
    /// <summary>Köln (Nordrhein-Westfalen): no Land limits of its own in the rules, so the federal fallback applies.</summary>
    private static readonly Ags Koeln = Ags.Parse("05315000");

    private static DeciderSpec<IProcurementCommand, IProcurementEvent, ProcurementCaseState> Spec() => Tests.Spec.For(ProcurementCase.Decider);

    private static DateOnly D(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>Runs commands through the decider and returns every event they recorded.</summary>
    private static IProcurementEvent[] Decided(params IProcurementCommand[] commands)
    {
        var events = new List<IProcurementEvent>();
        foreach (var command in commands)
        {
            events.AddRange(ProcurementCase.Decider.Decide(command, ProcurementCase.Decider.Fold(events)));
        }

        return [.. events];
    }

    private static OpenProcurementCase Open(Ags? lead = null) =>
        new(CaseId, "Gewerbesoftware", ProcedureCategory.Gewerbe, lead ?? Landsberg, [new(lead ?? Landsberg, LandsbergProcedure)], Now, By);

    private static EstimateProcurementValue Estimate(decimal euros, Ags? ags = null) =>
        new(CaseId, [new ValueShare(ags ?? Landsberg, Money.Euro(euros))], true, null, Now, By);

    private static DetermineProcurementProcedure Determine(
        string plannedPublicationOn, T? chosen = null, string? justification = null,
        ContractingAuthorityKind kind = ContractingAuthorityKind.SubCentral, string? kindJustification = null) =>
        new(CaseId, D(plannedPublicationOn), chosen, justification, Now, By, kind, kindJustification);

    private static StartProcurement Start(string startedOn, string? publishedOn = null, string? noticeSentOn = null) =>
        new(CaseId, D(startedOn), publishedOn is null ? null : D(publishedOn), Now, By, noticeSentOn is null ? null : D(noticeSentOn));

    private static AwardProcurement Award(string awardedOn, decimal netValue) =>
        new(CaseId, D(awardedOn), "Kommunalsoftware GmbH", null, Money.Euro(netValue), Now, By);

    /// <summary>A Bavarian case of <paramref name="euros"/>, determined as <paramref name="type"/> for 1.9.2025 and started that day.</summary>
    private static IProcurementEvent[] StartedAs(T type, decimal euros, string on = "2025-09-01") =>
        Decided(Open(), Estimate(euros), Determine(on, type, "Begründung nach § 14 (3) VgV"),
            Start(on, noticeSentOn: type.IsEu() ? on : null));

    // Rule 1: above the EU threshold only EU procedures; below it national types only within the Land's limits ----------------

    [Theory]
    [InlineData(T.Direktauftrag, null)]
    [InlineData(T.Verhandlungsvergabe, null)]
    [InlineData(T.BeschraenkteAusschreibung, "Nur drei Anbieter am Markt")]
    [InlineData(T.OeffentlicheAusschreibung, "Eilbedürftig wegen Abkündigung")]
    [InlineData(T.Verhandlungsvergabe, "Ausschließlichkeitsrechte des Herstellers")]
    public void Section_106_GWB_national_procedure_above_the_threshold_is_refused_whatever_the_justification(T chosen, string? justification)
    {
        var violation = Spec().Given(OpenedJoint, EstimatedJoint)
            .When(new DetermineProcurementProcedure(CaseId, Date(2026, 9, 1), chosen, justification, Now, By))
            .ThenFails("eu-procedure-required");

        Assert.Equal("chosenType", violation.Field);
        Assert.Contains("§ 106 GWB", violation.Message, StringComparison.Ordinal);
        Assert.Contains("§ 135 (1) no. 2 GWB", violation.Message, StringComparison.Ordinal);
        Assert.Contains("216.000 €", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-09-01", 215_999.99, true)]
    [InlineData("2026-09-01", 216_000, false)]
    [InlineData("2025-09-01", 220_999.99, true)]
    [InlineData("2025-09-01", 221_000, false)]
    public void Section_106_GWB_the_threshold_itself_is_reached(string planned, double euros, bool nationalAllowed)
    {
        var outcome = Spec().Given(Decided(Open(), Estimate((decimal)euros))).When(Determine(planned, T.Verhandlungsvergabe));

        if (nationalAllowed)
        {
            Assert.Equal(T.Verhandlungsvergabe, outcome.ThenSingle<ProcurementProcedureDetermined>().ChosenType);
        }
        else
        {
            outcome.ThenFails("eu-procedure-required");
        }
    }

    [Theory]
    [InlineData(T.EuOffenesVerfahren, null)]
    [InlineData(T.EuNichtoffenesVerfahren, null)]
    [InlineData(T.EuVerhandlungsverfahren, "Anpassung verfügbarer Lösungen, § 14 (3) Nr. 1 VgV")]
    [InlineData(T.EuWettbewerblicherDialog, "Konzeptionelle Lösung nötig, § 14 (3) Nr. 2 VgV")]
    public void Section_106_GWB_every_eu_procedure_is_lawful_above_the_threshold(T chosen, string? justification)
    {
        var determined = Spec().Given(OpenedJoint, EstimatedJoint)
            .When(new DetermineProcurementProcedure(CaseId, Date(2026, 9, 1), chosen, justification, Now, By))
            .ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal(chosen, determined.ChosenType);
    }

    [Theory]
    [InlineData(T.EuOffenesVerfahren)]
    [InlineData(T.EuNichtoffenesVerfahren)]
    [InlineData(T.EuVerhandlungsverfahren)]
    [InlineData(T.EuWettbewerblicherDialog)]
    [InlineData(T.OeffentlicheAusschreibung)]
    public void Below_the_threshold_an_eu_procedure_or_a_public_tender_stays_allowed_voluntarily(T chosen)
    {
        var determined = Spec().Given(Decided(Open(), Estimate(180_000))).When(Determine("2026-09-01", chosen)).ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal((T.Verhandlungsvergabe, chosen), (determined.SuggestedType, determined.ChosenType));
    }

    [Theory]
    [InlineData(100_000, T.Direktauftrag, null)]
    [InlineData(100_000.01, T.Direktauftrag, "direct-award-above-limit")]
    [InlineData(180_000, T.Direktauftrag, "direct-award-above-limit")]
    [InlineData(215_999, T.Verhandlungsvergabe, null)]
    [InlineData(215_999, T.BeschraenkteAusschreibung, null)]
    public void Bavarian_limits_Direktauftrag_up_to_100000_negotiated_award_up_to_the_threshold(double euros, T chosen, string? refusal)
    {
        var outcome = Spec().Given(Decided(Open(), Estimate((decimal)euros))).When(Determine("2026-09-01", chosen, "Begründung"));

        if (refusal is null)
        {
            Assert.Equal(chosen, outcome.ThenSingle<ProcurementProcedureDetermined>().ChosenType);
        }
        else
        {
            var violation = outcome.ThenFails(refusal);
            Assert.Contains("100.000 €", violation.Message, StringComparison.Ordinal);
            Assert.Contains("Bayern, seit 1.1.2025", violation.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(15_000, T.Direktauftrag, null)]
    [InlineData(15_000.01, T.Direktauftrag, "direct-award-above-limit")]
    [InlineData(15_000, T.Verhandlungsvergabe, null)]
    [InlineData(50_000, T.Verhandlungsvergabe, "negotiated-award-above-land-limit")]
    [InlineData(50_000, T.BeschraenkteAusschreibung, "negotiated-award-above-land-limit")]
    [InlineData(50_000, T.OeffentlicheAusschreibung, null)]
    public void Land_without_own_limits_gets_the_federal_fallback_limits(double euros, T chosen, string? refusal)
    {
        var outcome = Spec().Given(Decided(Open(Koeln), Estimate((decimal)euros, Koeln))).When(Determine("2026-09-01", chosen, "Begründung"));

        if (refusal is null)
        {
            Assert.Equal(chosen, outcome.ThenSingle<ProcurementProcedureDetermined>().ChosenType);
        }
        else
        {
            Assert.Contains("Bund (Auffangregel)", outcome.ThenFails(refusal).Message, StringComparison.Ordinal);
        }
    }

    // Rule 2: the rules in force when the procedure actually begins (§ 3 (3) VgV) --------------------------------------------

    /// <summary>218,000 € determined for a publication on 15.12.2025: below the 2024–2025 threshold of 221,000 €, a Verhandlungsvergabe.</summary>
    private static IProcurementEvent[] DeterminedFor2025 => Decided(Open(), Estimate(218_000), Determine("2025-12-15"));

    [Theory]
    [InlineData("2026-01-12", null, null, "startedOn")]
    [InlineData("2025-12-10", "2026-01-05", null, "publishedOn")]
    [InlineData("2025-12-10", "2026-01-09", "2026-01-05", "noticeSentOn")]
    public void Section_3_3_VgV_a_start_slipping_into_2026_is_checked_against_the_2026_threshold(
        string startedOn, string? publishedOn, string? noticeSentOn, string field)
    {
        Assert.Equal(T.Verhandlungsvergabe, Assert.IsType<ProcurementProcedureDetermined>(DeterminedFor2025[^1]).ChosenType);

        var violation = Spec().Given(DeterminedFor2025).When(Start(startedOn, publishedOn, noticeSentOn)).ThenFails("procedure-determination-outdated");

        Assert.Equal(field, violation.Field);
        Assert.Contains("§ 3 (3) VgV", violation.Message, StringComparison.Ordinal);
        Assert.Contains("Determine the procedure again", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-12-15", null, null)]
    [InlineData("2025-12-01", "2025-12-31", null)]
    [InlineData("2025-12-01", "2026-01-02", "2025-12-29")]
    public void Section_3_3_VgV_a_start_under_the_same_rules_is_accepted(string startedOn, string? publishedOn, string? noticeSentOn)
    {
        Assert.Equal(T.Verhandlungsvergabe, Spec().Given(DeterminedFor2025).When(Start(startedOn, publishedOn, noticeSentOn))
            .ThenSingle<ProcurementStarted>().ProcedureType);
    }

    [Fact]
    public void Section_3_3_VgV_after_a_refused_start_the_procedure_can_be_determined_again_and_started()
    {
        var redetermined = Spec().Given(DeterminedFor2025).When(Determine("2026-01-12")).ThenSingle<ProcurementProcedureDetermined>();
        Assert.Equal(T.EuOffenesVerfahren, redetermined.ChosenType);

        Spec().Given([.. DeterminedFor2025, redetermined])
            .When(Start("2026-01-12", noticeSentOn: "2026-01-12"))
            .Then(new ProcurementStarted(CaseId, T.EuOffenesVerfahren, Date(2026, 1, 12), null, By, Now, Date(2026, 1, 12)));
    }

    [Fact]
    public void Section_3_3_VgV_a_publication_given_with_the_deadlines_that_moves_the_start_into_2026_is_refused()
    {
        var started = Decided(Open(), Estimate(218_000), Determine("2025-12-15"), Start("2025-12-10"));

        var violation = Spec().Given(started)
            .When(new SetProcurementDeadlines(CaseId, null, Date(2026, 2, 1), true, false, null, Now, By, PublishedOn: Date(2026, 1, 5)))
            .ThenFails("procedure-determination-outdated");

        Assert.Contains("cancel this procurement", violation.Message, StringComparison.Ordinal);
    }

    // Rule 3: no award without the legal steps of its procedure type ----------------------------------------------------------

    [Theory]
    [InlineData(T.EuOffenesVerfahren)]
    [InlineData(T.EuNichtoffenesVerfahren)]
    [InlineData(T.EuVerhandlungsverfahren)]
    [InlineData(T.EuWettbewerblicherDialog)]
    public void Section_134_GWB_award_information_of_an_eu_procedure_needs_the_offer_deadline_recorded(T type)
    {
        Spec().Given(StartedAs(type, 540_000))
            .When(new NotifyAwardIntention(CaseId, Date(2025, 11, 3), true, "Kommunalsoftware GmbH", Now, By))
            .ThenFails("offer-deadline-missing");
    }

    [Fact]
    public void Section_134_GWB_a_national_procedure_may_inform_bidders_without_deadlines()
    {
        Spec().Given(StartedAs(T.Verhandlungsvergabe, 180_000))
            .When(new NotifyAwardIntention(CaseId, Date(2025, 11, 3), true, "Kommunalsoftware GmbH", Now, By))
            .ThenSingle<AwardIntentionNotified>();
    }

    [Fact]
    public void Sections_15_to_18_VgV_an_eu_award_recorded_without_an_offer_deadline_is_refused()
    {
        // A stream from before the deadline was required at the notification.
        Spec().Given([.. EuOpenStarted, Notified(Date(2025, 11, 3))]).When(Award("2025-11-14", 530_000)).ThenFails("offer-deadline-missing");
    }

    [Theory]
    [InlineData("2025-09-02", "2025-10-07", true)]
    [InlineData("2025-09-05", "2025-10-07", false)]
    [InlineData("2025-09-05", "2025-10-10", true)]
    public void Section_15_2_VgV_offer_periods_run_from_the_day_after_the_notice_was_sent_not_from_publication(
        string noticeSentOn, string offerDeadline, bool accepted)
    {
        var started = Decided(OpenCommandJoint(), EstimateJoint(), Determine("2025-09-01"), Start("2025-09-01", "2025-09-08", noticeSentOn));
        var outcome = Spec().Given(started).When(new SetProcurementDeadlines(CaseId, null, D(offerDeadline), false, false, null, Now, By));

        if (accepted)
        {
            var set = outcome.ThenSingle<ProcurementDeadlinesSet>();
            Assert.Equal((D(noticeSentOn), Date(2025, 9, 8), 35), (set.NoticeSentOn!.Value, set.PublishedOn!.Value, set.MinimumOfferDays!.Value));
        }
        else
        {
            Assert.Contains("after the notice was sent on 5 September 2025", outcome.ThenFails("deadline-below-minimum").Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_notice_sent_before_the_start_is_refused()
    {
        Spec().Given(Decided(OpenCommandJoint(), EstimateJoint(), Determine("2025-09-01")))
            .When(Start("2025-09-01", noticeSentOn: "2025-08-29"))
            .ThenFails("publication-before-start");
    }

    private static OpenProcurementCase OpenCommandJoint() =>
        new(CaseId, "Gewerbesoftware gemeinsam", ProcedureCategory.Gewerbe, Landsberg, JointParticipants, Now, By);

    private static EstimateProcurementValue EstimateJoint() =>
        new(CaseId, [new(Landsberg, Money.Euro(180_000)), new(Kaufering, Money.Euro(180_000)), new(Dießen, Money.Euro(180_000))], true, null, Now, By);

    // Rule 4: the awarded value is checked --------------------------------------------------------------------------------

    [Theory]
    [InlineData(T.Direktauftrag, 50_000)]
    [InlineData(T.Verhandlungsvergabe, 180_000)]
    public void An_award_of_zero_euros_is_refused(T type, decimal estimate)
    {
        Spec().Given(StartedAs(type, estimate)).When(Award("2025-10-01", 0)).ThenFails("award-value-required");
    }

    [Theory]
    [InlineData(100_000, null)]
    [InlineData(100_000.01, "direct-award-value-above-limit")]
    [InlineData(180_000, "direct-award-value-above-limit")]
    [InlineData(240_000, "direct-award-value-above-limit")]
    public void A_Direktauftrag_is_not_awarded_above_the_bavarian_direct_award_limit(double awarded, string? refusal)
    {
        var outcome = Spec().Given(StartedAs(T.Direktauftrag, 90_000)).When(Award("2025-10-01", (decimal)awarded));

        if (refusal is null)
        {
            Assert.Equal(Money.Euro((decimal)awarded), outcome.ThenSingle<ProcurementAwarded>().NetValue);
        }
        else
        {
            var violation = outcome.ThenFails(refusal);
            Assert.Equal("netValue", violation.Field);
            Assert.Contains("cancel this procurement and open a new case", violation.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("2025-09-01", 220_999.99, null)]
    [InlineData("2025-09-01", 221_000, "award-value-needs-other-procedure")]
    [InlineData("2026-02-02", 215_999.99, null)]
    [InlineData("2026-02-02", 216_000, "award-value-needs-other-procedure")]
    public void Section_106_GWB_an_award_whose_value_needs_an_eu_procedure_under_the_rules_at_the_start_is_refused(
        string startedOn, double awarded, string? refusal)
    {
        var outcome = Spec().Given(StartedAs(T.Verhandlungsvergabe, 180_000, startedOn)).When(Award("2026-03-02", (decimal)awarded));

        if (refusal is null)
        {
            outcome.ThenSingle<ProcurementAwarded>();
        }
        else
        {
            var violation = outcome.ThenFails(refusal);
            Assert.Contains("§ 135 (1) no. 2 GWB", violation.Message, StringComparison.Ordinal);
            Assert.Contains("cancel this procurement and open a new case", violation.Message, StringComparison.Ordinal);
        }
    }

    // Rule 5: the contracting-authority kind is not a free switch -----------------------------------------------------------

    [Theory]
    [InlineData(ContractingAuthorityKind.TopLevelFederal)]
    [InlineData(ContractingAuthorityKind.Sector)]
    [InlineData(ContractingAuthorityKind.Works)]
    public void Section_106_2_GWB_another_authority_kind_than_sub_central_needs_a_recorded_justification(ContractingAuthorityKind kind)
    {
        var violation = Spec().Given(OpenedJoint, EstimatedJoint).When(Determine("2026-09-01", kind: kind, kindJustification: " "))
            .ThenFails("authority-kind-needs-justification");

        Assert.Equal("authorityKindJustification", violation.Field);
    }

    [Theory]
    [InlineData(ContractingAuthorityKind.TopLevelFederal, 140_000)]
    [InlineData(ContractingAuthorityKind.Sector, 432_000)]
    [InlineData(ContractingAuthorityKind.Works, 5_404_000)]
    public void Section_106_2_GWB_a_justified_authority_kind_is_recorded_with_its_threshold(ContractingAuthorityKind kind, decimal threshold)
    {
        var determined = Spec().Given(OpenedJoint, EstimatedJoint)
            .When(Determine("2026-09-01", kind: kind, kindJustification: "  Stadtwerke als Sektorenauftraggeber (Wasserversorgung)  "))
            .ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal((kind, Money.Euro(threshold)), (determined.AuthorityKind, determined.ThresholdAmount));
        Assert.Equal("Stadtwerke als Sektorenauftraggeber (Wasserversorgung)", determined.AuthorityKindJustification);
    }

    [Fact]
    public void A_municipality_buying_it_is_sub_central_without_any_justification()
    {
        var determined = Spec().Given(OpenedJoint, EstimatedJoint).When(Determine("2026-09-01")).ThenSingle<ProcurementProcedureDetermined>();

        Assert.Equal((ContractingAuthorityKind.SubCentral, null), (determined.AuthorityKind, determined.AuthorityKindJustification));
    }

    [Fact]
    public void The_authority_kind_of_the_determination_counts_again_at_the_award()
    {
        // Works threshold 5,404,000 €: a Bavarian Verhandlungsvergabe of 540,000 € is lawful for a works contract.
        var started = Decided(OpenCommandJoint(), EstimateJoint(),
            Determine("2026-02-02", T.Verhandlungsvergabe, kind: ContractingAuthorityKind.Works, kindJustification: "Bauauftrag mit IT-Anteil"),
            Start("2026-02-02"));

        Spec().Given(started).When(Award("2026-03-02", 530_000)).ThenSingle<ProcurementAwarded>();
    }

    // Rule 6: after a dismissed review, the award waits two weeks for the immediate appeal (§ 172 (1), § 169 (1) GWB) --------

    private static readonly IProcurementEvent[] ReviewPending =
    [
        .. EuOpenStarted, OfferDeadline(Date(2025, 10, 7)), Notified(Date(2025, 11, 3)),
        new ReviewFiled(CaseId, Date(2025, 11, 10), "VK Südbayern", Date(2025, 12, 15), By, Now),
    ];

    [Fact]
    public void Section_172_1_GWB_a_dismissal_needs_the_day_the_decision_was_served()
    {
        var violation = Spec().Given(ReviewPending)
            .When(new ConcludeReview(CaseId, Date(2025, 12, 10), ReviewOutcome.Dismissed, Now, By))
            .ThenFails("decision-served-date-required");

        Assert.Equal("decisionServedOn", violation.Field);
    }

    [Fact]
    public void A_decision_served_before_it_was_taken_is_refused()
    {
        Spec().Given(ReviewPending)
            .When(new ConcludeReview(CaseId, Date(2025, 12, 10), ReviewOutcome.Dismissed, Now, By, Date(2025, 12, 9)))
            .ThenFails("decision-served-before-conclusion");
    }

    [Theory]
    // Two weeks from Thursday 11.12.2025 is Christmas Day; 26.12. is a holiday and 27./28.12. a weekend: Monday 29.12.
    [InlineData("2025-12-11", "2025-12-29")]
    [InlineData("2025-12-15", "2025-12-29")]
    [InlineData("2025-12-16", "2025-12-30")]
    public void Section_172_1_GWB_the_appeal_period_runs_two_weeks_from_service_and_ends_on_a_working_day(string servedOn, string endsOn)
    {
        Spec().Given(ReviewPending)
            .When(new ConcludeReview(CaseId, Date(2025, 12, 10), ReviewOutcome.Dismissed, Now, By, D(servedOn)))
            .Then(new ReviewConcluded(CaseId, Date(2025, 12, 10), ReviewOutcome.Dismissed, By, Now, D(servedOn), D(endsOn)));
    }

    [Theory]
    [InlineData(ReviewOutcome.Upheld)]
    [InlineData(ReviewOutcome.Withdrawn)]
    public void Only_a_dismissal_starts_an_appeal_period_before_the_award(ReviewOutcome outcome)
    {
        Spec().Given(ReviewPending)
            .When(new ConcludeReview(CaseId, Date(2025, 12, 10), outcome, Now, By))
            .Then(new ReviewConcluded(CaseId, Date(2025, 12, 10), outcome, By, Now));
    }

    [Theory]
    [InlineData("2025-12-12", "appeal-period-not-over")]
    [InlineData("2025-12-29", "appeal-period-not-over")]
    [InlineData("2025-12-30", null)]
    public void Section_169_1_GWB_no_award_before_the_appeal_period_is_over(string awardedOn, string? refusal)
    {
        var concluded = ProcurementCase.Decider.Decide(
            new ConcludeReview(CaseId, Date(2025, 12, 10), ReviewOutcome.Dismissed, Now, By, Date(2025, 12, 11)), ProcurementCase.Decider.Fold(ReviewPending));
        var outcome = Spec().Given([.. ReviewPending, .. concluded]).When(Award(awardedOn, 530_000));

        if (refusal is null)
        {
            outcome.ThenSingle<ProcurementAwarded>();
        }
        else
        {
            var violation = outcome.ThenFails(refusal);
            Assert.Contains("29 December 2025", violation.Message, StringComparison.Ordinal);
            Assert.Contains("§ 169 (1) GWB", violation.Message, StringComparison.Ordinal);
        }
    }

    // Rule 7: a period whose last day is a Saturday, Sunday or public holiday ends on the next working day --------------------

    [Theory]
    [InlineData("2025-12-16", true, "2025-12-29")] // 26.12. 2. Weihnachtstag, then the weekend
    [InlineData("2025-12-15", false, "2025-12-30")] // 30.12. is a Tuesday
    [InlineData("2025-10-24", false, "2025-11-10")] // 8.11. is a Saturday
    [InlineData("2025-10-22", true, "2025-11-03")] // 1.11. Allerheiligen (Saturday)
    public void Regulation_1182_71_Art_3_4_the_standstill_ends_on_a_working_day(string notifiedOn, bool electronic, string endsOn)
    {
        var notified = Spec().Given([.. EuOpenStarted, OfferDeadline(Date(2025, 10, 7))])
            .When(new NotifyAwardIntention(CaseId, D(notifiedOn), electronic, "Kommunalsoftware GmbH", Now, By))
            .ThenSingle<AwardIntentionNotified>();

        Assert.Equal((electronic ? 10 : 15, D(endsOn)), (notified.StandstillDays, notified.StandstillEndsOn));
    }

    [Theory]
    // 35 days after Friday 29.8.2025 is Friday 3.10.2025, Tag der Deutschen Einheit: the earliest deadline is Monday 6.10.
    [InlineData("2025-10-03", false)]
    [InlineData("2025-10-06", true)]
    public void Section_82_VgV_the_earliest_offer_deadline_moves_past_a_public_holiday(string offerDeadline, bool accepted)
    {
        var started = Decided(OpenCommandJoint(), EstimateJoint(), Determine("2025-08-29"), Start("2025-08-29", noticeSentOn: "2025-08-29"));
        var outcome = Spec().Given(started).When(new SetProcurementDeadlines(CaseId, null, D(offerDeadline), false, false, null, Now, By));

        if (accepted)
        {
            outcome.ThenSingle<ProcurementDeadlinesSet>();
        }
        else
        {
            var violation = outcome.ThenFails("deadline-below-minimum");
            Assert.Contains("6 October 2025", violation.Message, StringComparison.Ordinal);
            Assert.Contains("Tag der Deutschen Einheit", violation.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Section_167_1_GWB_the_review_decision_due_date_ends_on_a_working_day()
    {
        // Five weeks after 20.11.2025 is Christmas Day.
        Spec().Given([.. EuOpenStarted, Notified(Date(2025, 11, 3))])
            .When(new FileReview(CaseId, Date(2025, 11, 20), "Vergabekammer Südbayern", Now, By))
            .Then(new ReviewFiled(CaseId, Date(2025, 11, 20), "Vergabekammer Südbayern", Date(2025, 12, 29), By, Now));
    }
}

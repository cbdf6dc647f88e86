using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Procurements.ProcurementFixtures;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Procurements;

/// <summary>A started procurement: deadlines, award intention and standstill, review, award. Published 2.9.2025.</summary>
public sealed class ProcurementAwardTests
{
    private static readonly Guid NewRelease = Guid.Parse("0199a000-0000-7000-8000-000000000020");

    private static DeciderSpec<IProcurementCommand, IProcurementEvent, ProcurementCaseState> Spec() => Tests.Spec.For(ProcurementCase.Decider);

    private static readonly IProcurementEvent[] EuNegotiatedStarted =
    [
        OpenedJoint, EstimatedJoint, Determined(ProcurementProcedureType.EuVerhandlungsverfahren), Started(ProcurementProcedureType.EuVerhandlungsverfahren),
    ];

    private static SetProcurementDeadlines Deadlines(
        DateOnly offers, bool electronic = false, bool urgent = false, DateOnly? participation = null, string? urgencyReason = "Vendor insolvency") =>
        new(CaseId, participation, offers, electronic, urgent, urgent ? urgencyReason : null, Now, By);

    private static AwardProcurement Award(DateOnly awardedOn, decimal netValue = 530_000) =>
        new(CaseId, awardedOn, "Kommunalsoftware GmbH", null, Money.Euro(netValue), Now, By);

    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    // Deadlines -----------------------------------------------------------------------------------------------

    [Fact]
    public void Deadlines_of_an_eu_open_procedure_record_the_minimum_they_meet()
    {
        Spec().Given(EuOpenStarted)
            .When(Deadlines(Date(2025, 10, 7)))
            .Then(new ProcurementDeadlinesSet(CaseId, Date(2025, 9, 2), null, Date(2025, 10, 7), false, false, null, null, 35, By, Now, Date(2025, 9, 2)));
    }

    [Theory]
    [InlineData("2025-10-07", false, false, 35)]
    [InlineData("2025-10-02", true, false, 30)]
    [InlineData("2025-09-17", false, true, 15)]
    [InlineData("2025-09-17", true, true, 15)]
    public void Open_procedure_offers_35_days_30_electronic_15_urgent_after_publication_are_accepted(
        string offers, bool electronic, bool urgent, int minimum)
    {
        var set = Spec().Given(EuOpenStarted).When(Deadlines(D(offers), electronic, urgent)).ThenSingle<ProcurementDeadlinesSet>();

        Assert.Equal(minimum, set.MinimumOfferDays);
    }

    [Theory]
    [InlineData("2025-10-06", false, false, 35)]
    [InlineData("2025-10-01", true, false, 30)]
    [InlineData("2025-09-16", false, true, 15)]
    public void Open_procedure_offers_one_day_short_of_the_minimum_are_rejected(string offers, bool electronic, bool urgent, int minimum)
    {
        var violation = Spec().Given(EuOpenStarted).When(Deadlines(D(offers), electronic, urgent)).ThenFails("deadline-below-minimum");

        Assert.Contains($"at least {minimum} days", violation.Message, StringComparison.Ordinal);
        Assert.Equal("offerDeadline", violation.Field);
    }

    [Fact]
    public void The_violation_names_the_earliest_allowed_deadline()
    {
        var violation = Spec().Given(EuOpenStarted).When(Deadlines(Date(2025, 10, 1))).ThenFails("deadline-below-minimum");

        Assert.Contains("7 October 2025", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Urgent_deadlines_without_a_reason_are_rejected()
    {
        Spec().Given(EuOpenStarted).When(Deadlines(Date(2025, 9, 17), urgent: true, urgencyReason: null)).ThenFails("urgency-reason-required");
    }

    [Fact]
    public void An_open_procedure_has_no_participation_deadline()
    {
        Spec().Given(EuOpenStarted).When(Deadlines(Date(2025, 10, 20), participation: Date(2025, 10, 5))).ThenFails("participation-deadline-not-applicable");
    }

    [Fact]
    public void A_negotiated_procedure_needs_a_participation_deadline()
    {
        Spec().Given(EuNegotiatedStarted).When(Deadlines(Date(2025, 11, 30))).ThenFails("participation-deadline-required");
    }

    [Fact]
    public void Participation_requests_in_a_negotiated_procedure_get_at_least_30_days()
    {
        var violation = Spec().Given(EuNegotiatedStarted)
            .When(Deadlines(Date(2025, 11, 30), participation: Date(2025, 10, 1)))
            .ThenFails("deadline-below-minimum");

        Assert.Equal("participationDeadline", violation.Field);
    }

    [Theory]
    // 30 days after 2 October 2025 is Saturday 1 November (Allerheiligen): the period ends on Monday 3 November.
    [InlineData("2025-11-03", false, true)]
    [InlineData("2025-11-01", false, false)]
    [InlineData("2025-10-27", true, true)]
    [InlineData("2025-10-26", true, false)]
    public void First_offers_in_a_negotiated_procedure_get_30_days_25_electronic_after_the_participation_deadline(
        string offers, bool electronic, bool accepted)
    {
        var outcome = Spec().Given(EuNegotiatedStarted).When(Deadlines(D(offers), electronic, participation: Date(2025, 10, 2)));

        if (accepted)
        {
            Assert.Equal(30, outcome.ThenSingle<ProcurementDeadlinesSet>().MinimumParticipationDays);
        }
        else
        {
            outcome.ThenFails("deadline-below-minimum");
        }
    }

    [Fact]
    public void Eu_deadlines_without_the_day_the_notice_was_sent_are_rejected()
    {
        Spec().Given(OpenedJoint, EstimatedJoint, Determined(ProcurementProcedureType.EuOffenesVerfahren),
                Started(ProcurementProcedureType.EuOffenesVerfahren) with { PublishedOn = null, NoticeSentOn = null })
            .When(Deadlines(Date(2025, 10, 20)))
            .ThenFails("notice-sent-date-missing");
    }

    [Fact]
    public void The_notice_and_publication_dates_can_come_with_the_deadlines()
    {
        Spec().Given(OpenedJoint, EstimatedJoint, Determined(ProcurementProcedureType.EuOffenesVerfahren),
                Started(ProcurementProcedureType.EuOffenesVerfahren) with { PublishedOn = null, NoticeSentOn = null })
            .When(Deadlines(Date(2025, 10, 20), electronic: true) with { PublishedOn = Date(2025, 9, 15), NoticeSentOn = Date(2025, 9, 12) })
            .Then(new ProcurementDeadlinesSet(CaseId, Date(2025, 9, 15), null, Date(2025, 10, 20), true, false, null, null, 30, By, Now,
                Date(2025, 9, 12)));
    }

    [Fact]
    public void National_deadlines_only_need_to_follow_the_start()
    {
        Spec().Given(NationalStarted)
            .When(Deadlines(Date(2025, 9, 5)))
            .Then(new ProcurementDeadlinesSet(CaseId, null, null, Date(2025, 9, 5), false, false, null, null, null, By, Now));
    }

    [Fact]
    public void A_deadline_on_or_before_the_start_is_rejected()
    {
        Spec().Given(NationalStarted).When(Deadlines(Date(2025, 9, 1))).ThenFails("deadline-before-start");
    }

    [Fact]
    public void Offers_due_before_the_participation_deadline_are_rejected()
    {
        Spec().Given(NationalStarted).When(Deadlines(Date(2025, 9, 10), participation: Date(2025, 9, 20))).ThenFails("offer-deadline-before-participation-deadline");
    }

    [Fact]
    public void Deadlines_before_the_procurement_started_are_rejected()
    {
        Spec().Given(Opened, Estimated(180_000), Determined(ProcurementProcedureType.Verhandlungsvergabe, 180_000))
            .When(Deadlines(Date(2025, 10, 1)))
            .ThenFails("procurement-not-started");
    }

    // Award intention and standstill --------------------------------------------------------------------------

    [Theory]
    [InlineData(true, 10, "2025-11-13")]
    [InlineData(false, 15, "2025-11-18")]
    public void The_standstill_runs_10_days_electronic_else_15_from_the_day_after_sending(bool electronic, int days, string endsOn)
    {
        Spec().Given([.. EuOpenStarted, OfferDeadline(Date(2025, 10, 7))])
            .When(new NotifyAwardIntention(CaseId, Date(2025, 11, 3), electronic, "Kommunalsoftware GmbH", Now, By))
            .Then(new AwardIntentionNotified(CaseId, Date(2025, 11, 3), electronic, "Kommunalsoftware GmbH", days, D(endsOn), By, Now));
    }

    [Fact]
    public void Notifying_the_award_intention_before_the_offer_deadline_is_rejected()
    {
        Spec().Given([.. EuOpenStarted, OfferDeadline(Date(2025, 10, 7))])
            .When(new NotifyAwardIntention(CaseId, Date(2025, 10, 7), true, "Kommunalsoftware GmbH", Now, By))
            .ThenFails("notification-before-offer-deadline");
    }

    [Fact]
    public void Notifying_without_naming_the_bidder_is_rejected()
    {
        Spec().Given(EuOpenStarted).When(new NotifyAwardIntention(CaseId, Date(2025, 11, 3), true, " ", Now, By)).ThenFails("bidder-required");
    }

    // Review --------------------------------------------------------------------------------------------------

    [Fact]
    public void A_review_request_records_the_chambers_decision_deadline_five_weeks_on()
    {
        Spec().Given([.. EuOpenStarted, Notified(Date(2025, 11, 3))])
            .When(new FileReview(CaseId, Date(2025, 11, 10), "Vergabekammer Südbayern", Now, By))
            .Then(new ReviewFiled(CaseId, Date(2025, 11, 10), "Vergabekammer Südbayern", Date(2025, 12, 15), By, Now));
    }

    [Fact]
    public void A_pending_review_blocks_the_award()
    {
        Spec().Given([.. EuOpenStarted, Notified(Date(2025, 11, 3)), new ReviewFiled(CaseId, Date(2025, 11, 10), "VK Südbayern", Date(2025, 12, 15), By, Now)])
            .When(Award(Date(2025, 12, 1)))
            .ThenFails("review-pending");
    }

    [Fact]
    public void A_second_review_while_one_is_pending_is_rejected()
    {
        Spec().Given([.. EuOpenStarted, new ReviewFiled(CaseId, Date(2025, 11, 10), "VK Südbayern", Date(2025, 12, 15), By, Now)])
            .When(new FileReview(CaseId, Date(2025, 11, 12), "VK Südbayern", Now, By))
            .ThenFails("review-already-pending");
    }

    [Fact]
    public void Concluding_a_review_that_was_never_filed_is_rejected()
    {
        Spec().Given(EuOpenStarted).When(new ConcludeReview(CaseId, Date(2025, 12, 1), ReviewOutcome.Dismissed, Now, By)).ThenFails("no-review-pending");
    }

    [Fact]
    public void A_review_concluded_before_it_was_filed_is_rejected()
    {
        Spec().Given([.. EuOpenStarted, new ReviewFiled(CaseId, Date(2025, 11, 10), "VK Südbayern", Date(2025, 12, 15), By, Now)])
            .When(new ConcludeReview(CaseId, Date(2025, 11, 9), ReviewOutcome.Dismissed, Now, By))
            .ThenFails("review-concluded-before-filing");
    }

    [Fact]
    public void After_a_dismissed_review_the_award_may_follow_once_the_appeal_period_is_over()
    {
        Spec().Given([.. EuOpenStarted, OfferDeadline(Date(2025, 10, 7)), Notified(Date(2025, 11, 3)),
                new ReviewFiled(CaseId, Date(2025, 11, 10), "VK Südbayern", Date(2025, 12, 15), By, Now),
                new ReviewConcluded(CaseId, Date(2025, 12, 10), ReviewOutcome.Dismissed, By, Now, Date(2025, 12, 11), Date(2025, 12, 29))])
            .When(Award(Date(2025, 12, 30)))
            .Then(new ProcurementAwarded(CaseId, Date(2025, 12, 30), "Kommunalsoftware GmbH", null, Money.Euro(530_000),
                ProcurementProcedureType.EuOffenesVerfahren, By, Now));
    }

    [Fact]
    public void After_an_upheld_review_the_bidders_must_be_notified_again()
    {
        Spec().Given([.. EuOpenStarted, Notified(Date(2025, 11, 3)),
                new ReviewFiled(CaseId, Date(2025, 11, 10), "VK Südbayern", Date(2025, 12, 15), By, Now),
                new ReviewConcluded(CaseId, Date(2025, 12, 10), ReviewOutcome.Upheld, By, Now)])
            .When(Award(Date(2025, 12, 11)))
            .ThenFails("award-intention-missing");
    }

    // Award ---------------------------------------------------------------------------------------------------

    [Fact]
    public void An_eu_procurement_is_awarded_after_the_standstill()
    {
        Spec().Given([.. EuOpenStarted, OfferDeadline(Date(2025, 10, 7)), Notified(Date(2025, 11, 3))])
            .When(new AwardProcurement(CaseId, Date(2025, 11, 14), "Kommunalsoftware GmbH", NewRelease, Money.Euro(530_000), Now, By))
            .Then(new ProcurementAwarded(CaseId, Date(2025, 11, 14), "Kommunalsoftware GmbH", NewRelease, Money.Euro(530_000),
                ProcurementProcedureType.EuOffenesVerfahren, By, Now));
    }

    [Theory]
    [InlineData("2025-11-03")]
    [InlineData("2025-11-13")]
    public void An_award_within_the_standstill_is_rejected(string awardedOn)
    {
        Spec().Given([.. EuOpenStarted, Notified(Date(2025, 11, 3))]).When(Award(D(awardedOn))).ThenFails("standstill-not-over");
    }

    [Fact]
    public void An_eu_award_without_notifying_the_intention_is_rejected()
    {
        Spec().Given(EuOpenStarted).When(Award(Date(2025, 11, 14))).ThenFails("award-intention-missing");
    }

    [Fact]
    public void A_national_award_needs_no_standstill()
    {
        Spec().Given(NationalStarted)
            .When(Award(Date(2025, 9, 30), 175_000))
            .Then(new ProcurementAwarded(CaseId, Date(2025, 9, 30), "Kommunalsoftware GmbH", null, Money.Euro(175_000),
                ProcurementProcedureType.Verhandlungsvergabe, By, Now));
    }

    [Fact]
    public void Award_after_cancellation_is_rejected()
    {
        Spec().Given([.. NationalStarted, new ProcurementCancelled(CaseId, Date(2025, 9, 20), "Budget withdrawn", By, Now)])
            .When(Award(Date(2025, 9, 30)))
            .ThenFails("award-after-cancellation");
    }

    [Fact]
    public void Awarding_twice_is_rejected()
    {
        Spec().Given([.. NationalStarted, new ProcurementAwarded(CaseId, Date(2025, 9, 30), "Kommunalsoftware GmbH", null, Money.Euro(175_000),
                ProcurementProcedureType.Verhandlungsvergabe, By, Now)])
            .When(Award(Date(2025, 10, 1)))
            .ThenFails("already-awarded");
    }

    [Fact]
    public void An_award_before_the_start_is_rejected()
    {
        Spec().Given(NationalStarted).When(Award(Date(2025, 8, 31))).ThenFails("award-before-start");
    }

    [Fact]
    public void An_award_on_or_before_the_offer_deadline_is_rejected()
    {
        Spec().Given([.. NationalStarted, OfferDeadline(Date(2025, 9, 30)) with { PublishedOn = null }])
            .When(Award(Date(2025, 9, 30)))
            .ThenFails("award-before-offer-deadline");
    }

    [Fact]
    public void An_award_in_the_future_is_rejected()
    {
        Spec().Given(NationalStarted).When(Award(Today.AddDays(1))).ThenFails("award-in-future");
    }

    [Fact]
    public void An_award_before_the_procurement_started_is_rejected()
    {
        Spec().Given(Opened, Estimated(180_000), Determined(ProcurementProcedureType.Verhandlungsvergabe, 180_000))
            .When(Award(Date(2025, 9, 30)))
            .ThenFails("procurement-not-started");
    }
}

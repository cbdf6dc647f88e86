using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Procedures;

public sealed class ProcedureInstanceTests
{
    private static readonly Guid ProcedureId = Guid.Parse("0199a000-0000-7000-8000-000000000100");
    private static readonly Guid ReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000010");
    private static readonly Guid NewReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000020");
    private static readonly Guid CaseId = Guid.Parse("0199a000-0000-7000-8000-000000000200");

    private static readonly ProcedureIntroduced Introduced =
        new(ProcedureId, Landsberg, ProcedureCategory.Gewerbe, ReleaseId, "Gewerbeamt", Date(2019, 1, 1), By, Now);

    private static readonly ReplacementPlanned Planned =
        new(ProcedureId, ReplacementStrategy.Replace, Date(2026, 9, 30), NewReleaseId, By, Now);

    private static readonly ProcedureAssignedToProcurement Assigned = new(ProcedureId, CaseId, By, Now);

    private static readonly ReplacementScheduled Scheduled =
        new(ProcedureId, Date(2026, 2, 2), null, null, null, null, By, Now);

    private static DeciderSpec<IProcedureCommand, IProcedureEvent, ProcedureState> Spec() => Tests.Spec.For(ProcedureInstance.Decider);

    private static ScheduleReplacement Schedule(DateOnly cutOver, DateOnly? from = null, DateOnly? until = null, DateOnly? awardedOn = null) =>
        new(ProcedureId, cutOver, from, until, awardedOn, Now, By);

    // Introduction --------------------------------------------------------------------------------------------

    [Fact]
    public void Introducing_a_procedure_records_municipality_category_and_release()
    {
        Spec().When(new IntroduceProcedure(ProcedureId, Landsberg, ProcedureCategory.Gewerbe, ReleaseId, "Gewerbeamt", Date(2019, 1, 1), Now, By))
            .Then(Introduced);
    }

    [Fact]
    public void Introducing_a_procedure_twice_is_rejected()
    {
        Spec().Given(Introduced)
            .When(new IntroduceProcedure(ProcedureId, Landsberg, ProcedureCategory.Gewerbe, ReleaseId, "Gewerbeamt", Date(2019, 1, 1), Now, By))
            .ThenFails("procedure-already-introduced");
    }

    [Fact]
    public void A_procedure_without_a_release_is_rejected()
    {
        Spec().When(new IntroduceProcedure(ProcedureId, Landsberg, ProcedureCategory.Gewerbe, Guid.Empty, "Gewerbeamt", Date(2019, 1, 1), Now, By))
            .ThenFails("release-required");
    }

    [Fact]
    public void A_decision_about_a_procedure_never_introduced_is_not_found()
    {
        Spec().When(new AcceptRisk(ProcedureId, "Bürgermeisterin", Date(2026, 12, 31), "Budget", Now, By)).ThenFails("procedure-unknown");
    }

    // Extended support and accepted risk ----------------------------------------------------------------------

    [Fact]
    public void Purchasing_extended_support_records_until_cost_and_reference()
    {
        Spec().Given(Introduced)
            .When(new PurchaseExtendedSupport(ProcedureId, Date(2029, 6, 30), Money.Euro(12_000), "EVB-IT 2026-17", Now, By))
            .Then(new ExtendedSupportPurchased(ProcedureId, ReleaseId, Date(2029, 6, 30), Money.Euro(12_000), "EVB-IT 2026-17", By, Now));
    }

    [Fact]
    public void Extended_support_must_end_after_the_previously_purchased_one()
    {
        Spec().Given(Introduced, new ExtendedSupportPurchased(ProcedureId, ReleaseId, Date(2029, 6, 30), null, "EVB-IT 2026-17", By, Now))
            .When(new PurchaseExtendedSupport(ProcedureId, Date(2029, 6, 30), null, "EVB-IT 2026-18", Now, By))
            .ThenFails("extended-support-not-later");
    }

    [Fact]
    public void Extended_support_without_a_reference_is_rejected()
    {
        Spec().Given(Introduced).When(new PurchaseExtendedSupport(ProcedureId, Date(2029, 6, 30), null, "", Now, By)).ThenFails("reference-required");
    }

    [Fact]
    public void Extended_support_ending_before_the_introduction_is_rejected()
    {
        Spec().Given(Introduced).When(new PurchaseExtendedSupport(ProcedureId, Date(2018, 12, 31), null, "X", Now, By))
            .ThenFails("extended-support-before-introduction");
    }

    [Fact]
    public void Accepting_a_risk_records_who_accepted_it_until_when_and_why()
    {
        Spec().Given(Introduced)
            .When(new AcceptRisk(ProcedureId, "Erste Bürgermeisterin", Date(2027, 6, 30), "Replacement budget only in 2027", Now, By))
            .Then(new RiskAccepted(ProcedureId, ReleaseId, "Erste Bürgermeisterin", Date(2027, 6, 30), "Replacement budget only in 2027", By, Now));
    }

    [Fact]
    public void Accepting_a_risk_moves_no_date()
    {
        var state = ProcedureInstance.Decider.Fold(
            [Introduced, new RiskAccepted(ProcedureId, ReleaseId, "Bürgermeisterin", Date(2027, 6, 30), "Budget", By, Now)]);

        Assert.Equal(ProcedureInstance.Decider.Fold([Introduced]), state);
    }

    [Fact]
    public void Accepting_a_risk_without_a_reason_is_rejected()
    {
        Spec().Given(Introduced).When(new AcceptRisk(ProcedureId, "Bürgermeisterin", Date(2027, 6, 30), " ", Now, By)).ThenFails("reason-required");
    }

    [Fact]
    public void Accepting_a_risk_without_naming_who_accepts_it_is_rejected()
    {
        Spec().Given(Introduced).When(new AcceptRisk(ProcedureId, "", Date(2027, 6, 30), "Budget", Now, By)).ThenFails("accepted-by-required");
    }

    [Fact]
    public void Accepting_a_risk_until_a_day_already_past_is_rejected()
    {
        Spec().Given(Introduced).When(new AcceptRisk(ProcedureId, "Bürgermeisterin", Today.AddDays(-1), "Budget", Now, By))
            .ThenFails("risk-acceptance-in-past");
    }

    // Planning and procurement --------------------------------------------------------------------------------

    [Fact]
    public void Planning_a_replacement_records_strategy_go_live_and_target()
    {
        Spec().Given(Introduced)
            .When(new PlanReplacement(ProcedureId, ReplacementStrategy.Replace, Date(2026, 9, 30), NewReleaseId, Now, By))
            .Then(Planned);
    }

    [Fact]
    public void A_retirement_plan_with_a_target_release_is_rejected()
    {
        Spec().Given(Introduced)
            .When(new PlanReplacement(ProcedureId, ReplacementStrategy.Retire, Date(2026, 9, 30), NewReleaseId, Now, By))
            .ThenFails("retirement-has-no-target-release");
    }

    [Fact]
    public void Upgrading_to_the_release_in_use_is_rejected()
    {
        Spec().Given(Introduced)
            .When(new PlanReplacement(ProcedureId, ReplacementStrategy.Upgrade, Date(2026, 9, 30), ReleaseId, Now, By))
            .ThenFails("target-is-current-release");
    }

    [Fact]
    public void A_go_live_before_the_introduction_is_rejected()
    {
        Spec().Given(Introduced)
            .When(new PlanReplacement(ProcedureId, ReplacementStrategy.Replace, Date(2018, 9, 30), null, Now, By))
            .ThenFails("go-live-before-introduction");
    }

    [Fact]
    public void Assigning_the_procedure_to_a_procurement_case_is_recorded()
    {
        Spec().Given(Introduced, Planned).When(new AssignToProcurement(ProcedureId, CaseId, Now, By)).Then(Assigned);
    }

    [Fact]
    public void Assigning_the_procedure_to_the_same_case_twice_is_rejected()
    {
        Spec().Given(Introduced, Assigned).When(new AssignToProcurement(ProcedureId, CaseId, Now, By)).ThenFails("already-assigned-to-case");
    }

    // Scheduling ----------------------------------------------------------------------------------------------

    [Fact]
    public void Scheduling_without_a_planned_replacement_is_rejected()
    {
        Spec().Given(Introduced).When(Schedule(Date(2026, 9, 1))).ThenFails("replacement-not-planned");
    }

    [Fact]
    public void Scheduling_a_replacement_outside_procurement_needs_no_award()
    {
        Spec().Given(Introduced, Planned)
            .When(Schedule(Date(2026, 9, 1), Date(2026, 8, 1), Date(2026, 9, 30)))
            .Then(new ReplacementScheduled(ProcedureId, Date(2026, 9, 1), Date(2026, 8, 1), Date(2026, 9, 30), null, null, By, Now));
    }

    [Fact]
    public void Scheduling_a_cut_over_after_the_award_records_the_case_and_award()
    {
        Spec().Given(Introduced, Planned, Assigned)
            .When(Schedule(Date(2026, 9, 1), awardedOn: Date(2026, 6, 15)))
            .Then(new ReplacementScheduled(ProcedureId, Date(2026, 9, 1), null, null, CaseId, Date(2026, 6, 15), By, Now));
    }

    [Fact]
    public void Scheduling_a_cut_over_while_the_procurement_is_not_awarded_is_rejected()
    {
        Spec().Given(Introduced, Planned, Assigned).When(Schedule(Date(2026, 9, 1))).ThenFails("cut-over-before-award");
    }

    [Fact]
    public void Scheduling_a_cut_over_before_the_award_date_is_rejected()
    {
        Spec().Given(Introduced, Planned, Assigned).When(Schedule(Date(2026, 6, 14), awardedOn: Date(2026, 6, 15))).ThenFails("cut-over-before-award");
    }

    [Fact]
    public void A_parallel_run_before_the_award_is_rejected()
    {
        Spec().Given(Introduced, Planned, Assigned)
            .When(Schedule(Date(2026, 9, 1), Date(2026, 6, 1), Date(2026, 9, 15), awardedOn: Date(2026, 6, 15)))
            .ThenFails("parallel-run-before-award");
    }

    [Theory]
    [InlineData("2026-08-01", null, "parallel-run-incomplete")]
    [InlineData(null, "2026-09-30", "parallel-run-incomplete")]
    [InlineData("2026-08-15", "2026-08-01", "parallel-run-out-of-order")]
    [InlineData("2026-09-02", "2026-09-30", "parallel-run-after-cut-over")]
    [InlineData("2026-08-01", "2026-12-02", "parallel-run-too-long")]
    public void Implausible_parallel_runs_are_rejected(string? from, string? until, string code)
    {
        static DateOnly? Parse(string? iso) => iso is null ? null : DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

        Spec().Given(Introduced, Planned).When(Schedule(Date(2026, 9, 1), Parse(from), Parse(until))).ThenFails(code);
    }

    [Fact]
    public void A_parallel_run_may_last_three_months_past_the_cut_over()
    {
        Spec().Given(Introduced, Planned)
            .When(Schedule(Date(2026, 9, 1), Date(2026, 8, 1), Date(2026, 12, 1)))
            .Then(new ReplacementScheduled(ProcedureId, Date(2026, 9, 1), Date(2026, 8, 1), Date(2026, 12, 1), null, null, By, Now));
    }

    [Fact]
    public void A_finance_cut_over_during_the_year_end_close_is_rejected()
    {
        var finance = Introduced with { Category = ProcedureCategory.Finanzwesen };

        var violation = Spec().Given(finance, Planned).When(Schedule(Date(2027, 1, 4))).ThenFails("cut-over-in-freeze-window");

        Assert.Contains("Jahresabschluss", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_year_end_close_does_not_freeze_other_categories()
    {
        Spec().Given(Introduced, Planned)
            .When(Schedule(Date(2027, 1, 4)))
            .Then(new ReplacementScheduled(ProcedureId, Date(2027, 1, 4), null, null, null, null, By, Now));
    }

    [Fact]
    public void A_new_plan_needs_a_new_schedule()
    {
        Spec().Given(Introduced, Planned, Scheduled, Planned with { TargetGoLive = Date(2027, 3, 31) })
            .When(new CompleteCutOver(ProcedureId, Date(2026, 2, 27), null, null, Now, By))
            .ThenFails("replacement-not-scheduled");
    }

    // Cut-over and retirement ---------------------------------------------------------------------------------

    [Fact]
    public void Completing_the_cut_over_moves_the_procedure_to_the_planned_release()
    {
        Spec().Given(Introduced, Planned, Scheduled)
            .When(new CompleteCutOver(ProcedureId, Date(2026, 2, 27), null, null, Now, By))
            .Then(new CutOverCompleted(ProcedureId, Date(2026, 2, 27), ReleaseId, NewReleaseId, By, Now));
    }

    [Fact]
    public void Completing_a_cut_over_that_was_never_scheduled_is_rejected()
    {
        Spec().Given(Introduced, Planned).When(new CompleteCutOver(ProcedureId, Date(2026, 2, 27), null, null, Now, By))
            .ThenFails("replacement-not-scheduled");
    }

    [Fact]
    public void Completing_a_cut_over_of_an_unawarded_procurement_is_rejected()
    {
        Spec().Given(Introduced, Planned, Assigned, Scheduled)
            .When(new CompleteCutOver(ProcedureId, Date(2026, 2, 27), null, null, Now, By))
            .ThenFails("cut-over-before-award");
    }

    [Fact]
    public void Completing_a_cut_over_in_the_future_is_rejected()
    {
        Spec().Given(Introduced, Planned, Scheduled)
            .When(new CompleteCutOver(ProcedureId, Today.AddDays(1), null, null, Now, By))
            .ThenFails("cut-over-in-future");
    }

    [Fact]
    public void After_the_cut_over_the_next_replacement_needs_a_new_plan()
    {
        Spec().Given(Introduced, Planned, Scheduled, new CutOverCompleted(ProcedureId, Date(2026, 2, 27), ReleaseId, NewReleaseId, By, Now))
            .When(Schedule(Date(2026, 9, 1)))
            .ThenFails("replacement-not-planned");
    }

    [Fact]
    public void Retiring_a_procedure_records_date_and_reason()
    {
        Spec().Given(Introduced)
            .When(new RetireProcedure(ProcedureId, Date(2026, 2, 28), "Consolidated into the county's procedure", Now, By))
            .Then(new ProcedureRetired(ProcedureId, Date(2026, 2, 28), "Consolidated into the county's procedure", By, Now));
    }

    [Fact]
    public void Retiring_without_a_reason_is_rejected()
    {
        Spec().Given(Introduced).When(new RetireProcedure(ProcedureId, Date(2026, 2, 28), "", Now, By)).ThenFails("reason-required");
    }

    [Fact]
    public void Retiring_before_the_introduction_is_rejected()
    {
        Spec().Given(Introduced).When(new RetireProcedure(ProcedureId, Date(2018, 2, 28), "Never used", Now, By))
            .ThenFails("retirement-before-introduction");
    }

    public static TheoryData<IProcedureCommand> CommandsAfterRetirement => new()
    {
        new PlanReplacement(ProcedureId, ReplacementStrategy.Replace, Date(2027, 1, 1), null, Now, By),
        new AcceptRisk(ProcedureId, "Bürgermeisterin", Date(2027, 1, 1), "Budget", Now, By),
        new PurchaseExtendedSupport(ProcedureId, Date(2029, 1, 1), null, "X", Now, By),
        new AssignToProcurement(ProcedureId, CaseId, Now, By),
        new RetireProcedure(ProcedureId, Date(2026, 3, 1), "Again", Now, By),
    };

    [Theory]
    [MemberData(nameof(CommandsAfterRetirement))]
    public void Nothing_more_is_decided_for_a_retired_procedure(IProcedureCommand command)
    {
        Spec().Given(Introduced, new ProcedureRetired(ProcedureId, Date(2026, 2, 28), "Consolidated", By, Now))
            .When(command)
            .ThenFails("procedure-retired");
    }
}

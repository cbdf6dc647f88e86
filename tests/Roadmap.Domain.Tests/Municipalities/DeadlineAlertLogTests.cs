using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procurement;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Municipalities;

public sealed class DeadlineAlertLogTests
{
    private static readonly Guid Procedure = Guid.Parse("0195f7a1-0000-7000-8000-000000000001");
    private static readonly DateOnly LatestStart = new(2027, 3, 31);
    private static readonly int[] Leads = [180, 90, 30, 0];

    private static DeciderSpec<RecordDeadlineAlerts, IDeadlineAlertEvent, DeadlineAlertState> Spec() => Tests.Spec.For(DeadlineAlertLog.Decider);

    private static RecordDeadlineAlerts Review(string today, SlackBand band = SlackBand.Moderate, DateOnly? dueOn = null) =>
        new(Landsberg, [new DeadlineWatch(Procedure, "Gewerbeamt", DeadlineAlertLog.ProcurementStart, dueOn ?? LatestStart, band)],
            DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), Leads, Now, By);

    private static DeadlineApproaching Approaching(int lead, int left, string band, DateOnly? dueOn = null) =>
        new(Landsberg, Procedure, "Gewerbeamt", DeadlineAlertLog.ProcurementStart, dueOn ?? LatestStart, lead, left, band, null, DeadlineAlertLog.Lead, By, Now);

    [Fact]
    public void Nothing_is_due_before_the_widest_lead()
    {
        Spec().When(Review("2026-10-01")).Then();
    }

    [Fact]
    public void A_lead_is_recorded_once_on_its_day()
    {
        Spec().When(Review("2026-10-02")).Then(Approaching(180, 180, "moderate"));
        Spec().Given(Approaching(180, 180, "moderate")).When(Review("2026-10-03")).Then();
    }

    [Fact]
    public void A_late_review_records_only_the_tightest_lead_it_slept_through()
    {
        Spec().When(Review("2027-03-05", SlackBand.High)).Then(Approaching(30, 26, "high"));
        Spec().Given(Approaching(30, 26, "high")).When(Review("2027-03-06", SlackBand.High)).Then();
    }

    [Fact]
    public void A_worse_band_than_the_last_alert_carried_is_an_alert_of_its_own()
    {
        Spec().Given(Approaching(90, 90, "moderate")).When(Review("2027-01-01", SlackBand.High))
            .Then(new DeadlineApproaching(Landsberg, Procedure, "Gewerbeamt", DeadlineAlertLog.ProcurementStart, LatestStart, 89, 89, "high",
                "moderate", DeadlineAlertLog.BandWorsened, By, Now));
    }

    [Fact]
    public void A_passed_day_is_missed_once()
    {
        var missed = new DeadlineMissed(Landsberg, Procedure, "Gewerbeamt", DeadlineAlertLog.ProcurementStart, LatestStart, "late", By, Now);
        Spec().Given(Approaching(0, 0, "late")).When(Review("2027-04-01", SlackBand.Late)).Then(missed);
        Spec().Given(Approaching(0, 0, "late"), missed).When(Review("2027-05-01", SlackBand.Late)).Then();
    }

    [Fact]
    public void A_moved_date_is_a_new_deadline_with_its_own_leads()
    {
        var moved = new DateOnly(2027, 2, 28);
        Spec().Given(Approaching(180, 180, "moderate")).When(Review("2026-12-31", SlackBand.High, moved))
            .Then(Approaching(90, 59, "high", moved));
    }

    [Fact]
    public void Leads_must_be_days_from_0_to_3660()
    {
        Spec().When(Review("2026-10-02") with { Leads = [-1] }).ThenFails("deadline-leads-invalid");
        Spec().When(Review("2026-10-02") with { Leads = [] }).ThenFails("deadline-leads-invalid");
    }
}

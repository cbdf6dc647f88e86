using Roadmap.Domain.Catalogue;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Catalogue;

public sealed class ReleaseTests
{
    private static readonly Guid ReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000010");
    private static readonly Guid SuccessorId = Guid.Parse("0199a000-0000-7000-8000-000000000011");
    private static readonly Guid ProductId = Guid.Parse("0199a000-0000-7000-8000-000000000002");

    private static readonly ReleaseLifecycle Lifecycle = new(
        GeneralAvailability: Date(2021, 4, 1), EndOfSales: Date(2025, 12, 31), EndOfSecuritySupport: null, EndOfLife: null,
        EndOfSecuritySupportTba: true, EndOfLifeTba: true);

    private static readonly ReleaseRegistered Registered = new(ReleaseId, ProductId, "4.2", Lifecycle, By, Now);

    private static DeciderSpec<IReleaseCommand, IReleaseEvent, ReleaseState> Spec() => Tests.Spec.For(Release.Decider);

    private static AnnounceDeprecation Announcement(DateOnly? endOfSecuritySupport, DateOnly? endOfLife, string noticeId = "LS-2026-014") =>
        new(ReleaseId, noticeId, Date(2026, 2, 20), endOfSecuritySupport, endOfLife, false, false, "https://vendor.example/notices/2026-014", Now, By);

    [Fact]
    public void Registering_a_release_records_its_lifecycle()
    {
        Spec().When(new RegisterRelease(ReleaseId, ProductId, "4.2", Lifecycle, Now, By)).Then(Registered);
    }

    [Fact]
    public void Lifecycle_dates_out_of_order_are_rejected()
    {
        var violation = Spec()
            .When(new RegisterRelease(ReleaseId, ProductId, "4.2", new ReleaseLifecycle(Date(2021, 4, 1), Date(2020, 1, 1), null, null), Now, By))
            .ThenFails("lifecycle-dates-out-of-order");

        Assert.Equal("endOfSales", violation.Field);
    }

    [Fact]
    public void End_of_security_support_before_general_availability_is_rejected()
    {
        Spec().When(new RegisterRelease(ReleaseId, ProductId, "4.2", new ReleaseLifecycle(Date(2021, 4, 1), null, Date(2021, 3, 31), null), Now, By))
            .ThenFails("lifecycle-dates-out-of-order");
    }

    public static TheoryData<ReleaseLifecycle, string> DatesMarkedToBeAnnounced => new()
    {
        { new ReleaseLifecycle(Date(2021, 4, 1), null, null, null, GeneralAvailabilityTba: true), "generalAvailability" },
        { new ReleaseLifecycle(null, Date(2025, 12, 31), null, null, EndOfSalesTba: true), "endOfSales" },
        { new ReleaseLifecycle(null, null, Date(2028, 12, 31), null, EndOfSecuritySupportTba: true), "endOfSecuritySupport" },
        { new ReleaseLifecycle(null, null, null, Date(2029, 12, 31), EndOfLifeTba: true), "endOfLife" },
    };

    [Theory]
    [MemberData(nameof(DatesMarkedToBeAnnounced))]
    public void A_date_also_marked_to_be_announced_is_rejected(ReleaseLifecycle lifecycle, string field)
    {
        var violation = Spec().When(new RegisterRelease(ReleaseId, ProductId, "4.2", lifecycle, Now, By)).ThenFails("tba-with-date");

        Assert.Equal(field, violation.Field);
    }

    [Fact]
    public void A_release_announced_with_every_date_to_be_announced_is_registered()
    {
        var lifecycle = new ReleaseLifecycle(null, null, null, null, true, true, true, true);

        Spec().When(new RegisterRelease(ReleaseId, ProductId, "5.0", lifecycle, Now, By))
            .Then(new ReleaseRegistered(ReleaseId, ProductId, "5.0", lifecycle, By, Now));
    }

    [Fact]
    public void A_release_without_a_version_is_rejected()
    {
        Spec().When(new RegisterRelease(ReleaseId, ProductId, "", Lifecycle, Now, By)).ThenFails("version-required");
    }

    [Fact]
    public void Registering_a_release_twice_is_rejected()
    {
        Spec().Given(Registered).When(new RegisterRelease(ReleaseId, ProductId, "4.2", Lifecycle, Now, By)).ThenFails("release-already-registered");
    }

    [Fact]
    public void A_deprecation_notice_records_the_announced_end_dates()
    {
        Spec().Given(Registered)
            .When(Announcement(Date(2028, 12, 31), Date(2029, 6, 30)))
            .Then(new VendorDeprecationAnnounced(ReleaseId, ProductId, "LS-2026-014", Date(2026, 2, 20), Date(2028, 12, 31), Date(2029, 6, 30),
                false, false, "https://vendor.example/notices/2026-014", By, Now));
    }

    [Fact]
    public void A_late_announcement_may_name_an_end_of_support_already_past()
    {
        Spec().Given(Registered)
            .When(Announcement(Date(2026, 1, 31), null))
            .Then(new VendorDeprecationAnnounced(ReleaseId, ProductId, "LS-2026-014", Date(2026, 2, 20), Date(2026, 1, 31), null,
                false, false, "https://vendor.example/notices/2026-014", By, Now));
    }

    [Fact]
    public void A_deprecation_for_an_unregistered_release_is_not_found()
    {
        Spec().When(Announcement(Date(2028, 12, 31), null)).ThenFails("release-unknown");
    }

    [Fact]
    public void End_of_life_before_end_of_security_support_is_rejected()
    {
        Spec().Given(Registered).When(Announcement(Date(2028, 12, 31), Date(2028, 6, 30))).ThenFails("end-of-life-before-end-of-security-support");
    }

    [Fact]
    public void A_deprecation_notice_without_any_end_date_is_rejected()
    {
        Spec().Given(Registered).When(Announcement(null, null)).ThenFails("end-of-support-required");
    }

    [Fact]
    public void The_same_deprecation_notice_is_recorded_once()
    {
        Spec().Given(Registered, new VendorDeprecationAnnounced(ReleaseId, ProductId, "LS-2026-014", Date(2026, 2, 20), Date(2028, 12, 31), null,
                false, false, "https://vendor.example/notices/2026-014", By, Now))
            .When(Announcement(Date(2028, 12, 31), null))
            .ThenFails("notice-already-recorded");
    }

    [Fact]
    public void Changing_the_end_of_support_records_the_previous_dates_and_the_reason()
    {
        Spec().Given(Registered, new VendorDeprecationAnnounced(ReleaseId, ProductId, "LS-2026-014", Date(2026, 2, 20), Date(2028, 12, 31), null,
                false, true, "notice", By, Now))
            .When(new ChangeEndOfSupport(ReleaseId, Date(2029, 6, 30), Date(2029, 12, 31), false, false, "Vendor extended maintenance", Now, By))
            .Then(new EndOfSupportChanged(ReleaseId, ProductId, Date(2029, 6, 30), Date(2029, 12, 31), false, false, Date(2028, 12, 31), null,
                "Vendor extended maintenance", By, Now));
    }

    [Fact]
    public void Changing_the_end_of_support_without_a_reason_is_rejected()
    {
        Spec().Given(Registered)
            .When(new ChangeEndOfSupport(ReleaseId, Date(2029, 6, 30), null, false, true, " ", Now, By))
            .ThenFails("reason-required");
    }

    [Fact]
    public void Changing_the_end_of_support_to_the_same_dates_is_rejected()
    {
        Spec().Given(Registered)
            .When(new ChangeEndOfSupport(ReleaseId, null, null, true, true, "No news", Now, By))
            .ThenFails("end-of-support-unchanged");
    }

    [Fact]
    public void Changing_the_end_of_support_of_an_unregistered_release_is_not_found()
    {
        Spec().When(new ChangeEndOfSupport(ReleaseId, Date(2029, 6, 30), null, false, false, "Vendor", Now, By)).ThenFails("release-unknown");
    }

    [Fact]
    public void Designating_a_successor_records_it()
    {
        Spec().Given(Registered).When(new DesignateSuccessor(ReleaseId, SuccessorId, Now, By))
            .Then(new SuccessorDesignated(ReleaseId, ProductId, SuccessorId, By, Now));
    }

    [Fact]
    public void A_release_cannot_succeed_itself()
    {
        Spec().Given(Registered).When(new DesignateSuccessor(ReleaseId, ReleaseId, Now, By)).ThenFails("successor-is-same-release");
    }

    [Fact]
    public void Designating_the_same_successor_again_is_rejected()
    {
        Spec().Given(Registered, new SuccessorDesignated(ReleaseId, ProductId, SuccessorId, By, Now))
            .When(new DesignateSuccessor(ReleaseId, SuccessorId, Now, By))
            .ThenFails("successor-unchanged");
    }
}

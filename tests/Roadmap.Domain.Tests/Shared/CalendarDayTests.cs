using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Shared;

/// <summary>Rule 9: one calendar day for everything, the day in Europe/Berlin; around local midnight UTC is a day behind.</summary>
public sealed class CalendarDayTests
{
    private static readonly Guid ProcedureId = Guid.Parse("0199a000-0000-7000-8000-000000000100");
    private static readonly Guid ReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000010");
    private static readonly Guid NewReleaseId = Guid.Parse("0199a000-0000-7000-8000-000000000020");

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-29T22:59:59Z", "2026-11-29")] // 23:59:59 CET
    [InlineData("2026-11-29T23:00:00Z", "2026-11-30")] // midnight CET
    [InlineData("2026-11-29T23:30:00Z", "2026-11-30")] // 00:30 CET, a winter day
    [InlineData("2026-07-14T21:59:59Z", "2026-07-14")] // 23:59:59 CEST
    [InlineData("2026-07-14T22:30:00Z", "2026-07-15")] // 00:30 CEST, a summer day
    [InlineData("2026-03-28T23:30:00Z", "2026-03-29")] // 00:30 CET on the night the clocks go forward
    [InlineData("2026-10-24T22:30:00Z", "2026-10-25")] // 00:30 CEST on the night the clocks go back
    public void The_day_of_an_instant_is_its_day_in_Berlin(string instant, string day)
    {
        Assert.Equal(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), CalendarDay.Of(Utc(instant)));
    }

    [Fact]
    public void The_offset_an_instant_is_written_in_does_not_change_its_day()
    {
        var utc = Utc("2026-11-29T23:30:00Z");

        Assert.Equal(CalendarDay.Of(utc), CalendarDay.Of(utc.ToOffset(TimeSpan.FromHours(-5))));
        Assert.Equal(CalendarDay.Of(utc), CalendarDay.Of(utc.ToOffset(TimeSpan.FromHours(1))));
    }

    [Theory]
    [InlineData("2026-11-30", "2026-11-29T23:00:00Z")]
    [InlineData("2026-07-15", "2026-07-14T22:00:00Z")]
    [InlineData("2026-03-29", "2026-03-28T23:00:00Z")]
    [InlineData("2026-03-30", "2026-03-29T22:00:00Z")]
    public void A_day_starts_at_midnight_in_Berlin(string day, string start)
    {
        Assert.Equal(Utc(start), CalendarDay.StartOf(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Without_a_time_zone_database_the_EU_rule_gives_the_same_days_as_Europe_Berlin()
    {
        Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out var system), "The test machine has tzdata.");
        var rule = CalendarDay.EuCentralEuropeanTime();
        for (var instant = Utc("2020-01-01T00:30:00Z"); instant < Utc("2032-01-01T00:00:00Z"); instant = instant.AddHours(1))
        {
            Assert.Equal(system.GetUtcOffset(instant), rule.GetUtcOffset(instant));
        }
    }

    [Fact]
    public void The_decider_s_today_is_the_day_in_Berlin()
    {
        var command = new RetireProcedure(ProcedureId, Date(2026, 11, 30), "x", Utc("2026-11-29T23:30:00Z"), By);

        Assert.Equal(Date(2026, 11, 30), Deciding.Guard.Today(command));
    }

    /// <summary>A procedure whose replacement is scheduled to cut over on <paramref name="day"/>, all recorded at <paramref name="at"/>.</summary>
    private static DeciderSpec<IProcedureCommand, IProcedureEvent, ProcedureState> CutOverScheduled(DateOnly day, DateTimeOffset at) =>
        Spec.For(ProcedureInstance.Decider).Given(
            new ProcedureIntroduced(ProcedureId, Landsberg, ProcedureCategory.Gewerbe, ReleaseId, "Gewerbeamt", Date(2019, 1, 1), By, at),
            new ReplacementPlanned(ProcedureId, ReplacementStrategy.Replace, Date(2027, 9, 30), NewReleaseId, By, at),
            new ReplacementScheduled(ProcedureId, day, null, null, null, null, By, at));

    [Theory]
    [InlineData("2026-11-29T23:30:00Z", 2026, 11, 30)] // 00:30 CET
    [InlineData("2026-07-14T22:30:00Z", 2026, 7, 15)] // 00:30 CEST
    public void A_cut_over_completed_today_half_an_hour_after_midnight_in_Berlin_is_accepted(string now, int year, int month, int day)
    {
        var completedOn = Date(year, month, day);
        var at = Utc(now);
        CutOverScheduled(completedOn, at)
            .When(new CompleteCutOver(ProcedureId, completedOn, null, null, at, By))
            .Then(new CutOverCompleted(ProcedureId, completedOn, ReleaseId, NewReleaseId, By, at));
    }

    [Theory]
    [InlineData("2026-11-29T23:30:00Z", 2026, 12, 1)]
    [InlineData("2026-07-14T22:30:00Z", 2026, 7, 16)]
    public void A_cut_over_on_the_next_day_in_Berlin_is_still_in_the_future(string now, int year, int month, int day)
    {
        var completedOn = Date(year, month, day);
        var at = Utc(now);
        CutOverScheduled(completedOn, at)
            .When(new CompleteCutOver(ProcedureId, completedOn, null, null, at, By))
            .ThenFails("cut-over-in-future");
    }

    [Fact]
    public void An_award_dated_today_half_an_hour_after_midnight_in_Berlin_is_not_in_the_future()
    {
        var at = Utc("2026-11-29T23:30:00Z");

        var awarded = Spec.For(ProcurementCase.Decider)
            .Given(Procurements.ProcurementFixtures.NationalStarted)
            .When(new AwardProcurement(Procurements.ProcurementFixtures.CaseId, Date(2026, 11, 30), "Kommunalsoftware GmbH", null,
                Money.Euro(175_000), at, By))
            .ThenSingle<ProcurementAwarded>();

        Assert.Equal(Date(2026, 11, 30), awarded.AwardedOn);
    }
}

namespace Roadmap.Domain.Shared;

/// <summary>
/// The one calendar of Roadmap (rule 9, "one calendar day for everything"): a day is a day in Europe/Berlin, where the
/// municipalities count their days. "Today" of a decision, the default "today" of every read and the end of an as-of
/// day are all taken here, so an instant is on the same day for the deciders and for the views.
/// </summary>
public static class CalendarDay
{
    /// <summary>
    /// Europe/Berlin from the system's time zone database; where a container has none, the same zone built from the EU
    /// rule in force since 1996 (CET, CEST from the last Sunday of March to the last Sunday of October, switching at
    /// 01:00 UTC), so a missing tzdata package can never move "today" to UTC's.
    /// </summary>
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out var zone) ? zone : EuCentralEuropeanTime();

    /// <summary>The calendar day in Berlin at <paramref name="instant"/>, whatever offset it was given in.</summary>
    public static DateOnly Of(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>Today in Berlin by <paramref name="clock"/>; only the edge asks a clock (deciders get the instant in the command).</summary>
    public static DateOnly Today(TimeProvider clock) => Of(clock.GetUtcNow());

    /// <summary>Midnight at the start of <paramref name="day"/> in Berlin, as an instant.</summary>
    public static DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>Central European Time with the EU's summer time rule (Directive 2000/84/EC; the same dates since 1996).</summary>
    internal static TimeZoneInfo EuCentralEuropeanTime()
    {
        var summerTime = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            DateTime.MinValue.Date,
            DateTime.MaxValue.Date,
            TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 10, 5, DayOfWeek.Sunday));
        return TimeZoneInfo.CreateCustomTimeZone("Europe/Berlin", TimeSpan.FromHours(1), "Europe/Berlin (EU rule)", "CET", "CEST", [summerTime]);
    }
}

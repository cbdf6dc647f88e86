using System.Globalization;

namespace Roadmap.Domain.Shared;

/// <summary>Calendar arithmetic and date texts used by the rules and in messages.</summary>
public static class Dates
{
    /// <summary>
    /// Adds calendar months and keeps a month-end a month-end: 30.9.2028 + 3 months = 31.12.2028 and
    /// 30.9.2028 − 9 months = 31.12.2027. Planning figures ("EoS minus three months") are meant as whole months,
    /// and <see cref="DateOnly.AddMonths"/> alone would drift to the 30th after passing a short month.
    /// </summary>
    public static DateOnly AddCalendarMonths(this DateOnly date, int months)
    {
        var shifted = date.AddMonths(months);
        return date.IsLastDayOfMonth() ? shifted.LastDayOfMonth() : shifted;
    }

    public static bool IsLastDayOfMonth(this DateOnly date) => date.Day == DateTime.DaysInMonth(date.Year, date.Month);

    public static DateOnly LastDayOfMonth(this DateOnly date) => new(date.Year, date.Month, DateTime.DaysInMonth(date.Year, date.Month));

    /// <summary>"31 March 2027", for the English sentences of violations.</summary>
    public static string English(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>"1.1.2025", for the German texts mayors read.</summary>
    public static string German(DateOnly date) => date.ToString("d.M.yyyy", CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Roadmap.Api.Roadmaps;

/// <summary>The days the pages and the feed are asked for: today in the county's time zone, and ?stand=/?heute= overrides.</summary>
public static class PageDates
{
    private static readonly TimeZoneInfo County = FindCountyZone();

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), County).DateTime);

    /// <summary>Null and empty are "not given"; anything else must be YYYY-MM-DD.</summary>
    public static bool TryParse(string? value, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }

        date = parsed;
        return true;
    }

    private static TimeZoneInfo FindCountyZone()
    {
        // A container without tzdata has no Europe/Berlin; then the date is UTC's, at most one day off around midnight.
        return TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out var zone) ? zone : TimeZoneInfo.Utc;
    }
}

using System.Globalization;

namespace Roadmap.Api.Roadmaps;

/// <summary>The ?stand=/?heute= overrides of the pages and the feed; without them, today is <see cref="Roadmap.Domain.Shared.CalendarDay.Today"/>.</summary>
public static class PageDates
{
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
}

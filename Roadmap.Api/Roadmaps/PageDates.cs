using System.Globalization;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Roadmaps;

/// <summary>The ?stand=/?heute= overrides of the pages and the feed; without them, today is <see cref="Roadmap.Domain.Shared.CalendarDay.Today"/>.</summary>
public static class PageDates
{
    /// <summary>Null and empty are "not given"; anything else must be YYYY-MM-DD within <see cref="InputDates"/>' window.</summary>
    public static bool TryParse(string? value, out DateOnly? date) => TryParse(value, out date, out _);

    /// <inheritdoc cref="TryParse(string?, out DateOnly?)"/>
    public static bool TryParse(string? value, out DateOnly? date, out string? reason)
    {
        date = null;
        reason = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (!InputDates.TryParse(value, out var parsed, out reason))
        {
            return false;
        }

        date = parsed;
        return true;
    }

    /// <summary>?stand= and ?heute= together; the errors name each parameter that is wrong and why (English, for problem details).</summary>
    public static bool TryParse(string? stand, string? heute, out DateOnly? asOf, out DateOnly? today, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (!TryParse(stand, out asOf, out var standReason))
        {
            errors["stand"] = [standReason!];
        }

        if (!TryParse(heute, out today, out var heuteReason))
        {
            errors["heute"] = [heuteReason!];
        }

        return errors.Count == 0;
    }

    /// <summary>The German sentence of a page's 400: which of „stand“ and „heute“ is wrong, and why.</summary>
    /// <param name="standName">The name the value came under (the page also takes <c>asOf</c> and <c>today</c>).</param>
    public static string GermanRefusal(string? stand, string? heute, string standName = "stand", string heuteName = "heute") => string.Join(" ",
        new[] { (standName, stand), (heuteName, heute) }
            .Where(p => !TryParse(p.Item2, out _, out _))
            .Select(p => DateOnly.TryParseExact(p.Item2, InputDates.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? $"Die Angabe „{p.Item1}“ ({p.Item2}) liegt außerhalb des Zeitraums, mit dem die Roadmap rechnet: {InputDates.Earliest:yyyy-MM-dd} bis {InputDates.Latest:yyyy-MM-dd}."
                : $"Die Angabe „{p.Item1}“ wird als Datum im Format JJJJ-MM-TT erwartet, zum Beispiel 2026-05-12."));
}

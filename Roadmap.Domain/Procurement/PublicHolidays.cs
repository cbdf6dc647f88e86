using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurement;

/// <summary>
/// A statutory public holiday, valid from <see cref="ValidFrom"/> to <see cref="ValidTo"/> (null = until further notice).
/// <see cref="Land"/> null means nationwide: it applies in every Land, and it is all a Land without entries of its own gets.
/// The day is either a fixed day of the year (<see cref="Fixed"/>) or an offset in days from Easter Sunday
/// (<see cref="EasterOffset"/>: Good Friday -2, Ascension +39, Corpus Christi +60).
/// </summary>
public sealed record PublicHoliday(
    string Name,
    LandCode? Land,
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    string Source,
    MonthDay? Fixed = null,
    int? EasterOffset = null) : IValidityPeriod
{
    public bool IsNationwide => Land is null;

    /// <summary>The holiday's date in <paramref name="year"/>, or null when it is not in force that day.</summary>
    public DateOnly? DateIn(int year)
    {
        DateOnly? date = Fixed is { } day ? new DateOnly(year, day.Month, Math.Min(day.Day, DateTime.DaysInMonth(year, day.Month)))
            : EasterOffset is { } offset ? Easter.Sunday(year).AddDays(offset)
            : null;
        return date is { } d && this.Covers(d) ? d : null;
    }

    public bool AppliesIn(LandCode land) => Land is null || Land == land;
}

/// <summary>The date of Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and Butcher).</summary>
public static class Easter
{
    public static DateOnly Sunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}

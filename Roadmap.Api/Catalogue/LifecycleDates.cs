using System.Globalization;
using FluentValidation;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Catalogue;

/// <summary>
/// Lifecycle dates on the wire, as in the OASIS OpenEoX draft: a calendar date <c>yyyy-MM-dd</c>, or for the two
/// end dates the string <c>"tba"</c> (to be announced); absent or null means not known. The domain holds a nullable
/// date plus a Tba flag; these helpers translate both ways and give the validators their rules.
/// </summary>
internal static class LifecycleDates
{
    public const string Tba = "tba";
    private const string Format = InputDates.Format;

    /// <summary>A date in <see cref="InputDates"/>' window.</summary>
    public static bool TryParseDate(string? value, out DateOnly date) => InputDates.TryParse(value, out date, out _);

    /// <summary>A date that cannot be "tba" (general availability, end of sales, announced on).</summary>
    public static DateOnly? ParseDate(string? value) => value is null ? null : DateOnly.ParseExact(value, Format, CultureInfo.InvariantCulture);

    /// <summary>An end date: the date, or null with Tba set for "tba", or null without Tba when unknown.</summary>
    public static (DateOnly? Date, bool Tba) ParseEnd(string? value) => value == Tba ? (null, true) : (ParseDate(value), false);

    /// <summary>The wire form of a lifecycle date: "tba", "yyyy-MM-dd" or null.</summary>
    public static string? Write(DateOnly? date, bool tba = false) =>
        tba ? Tba : date?.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Null or a date; "tba" is refused with a sentence that says which dates may be tba.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeDate<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || TryParseDate(value, out _))
            .WithMessage((_, value) => value == Tba
                ? "Only the end of security support and the end of life can be \"tba\"; this one is a date (yyyy-MM-dd) or left out."
                : Reason(value));

    /// <summary>Null, a date or "tba".</summary>
    public static IRuleBuilderOptions<T, string?> MustBeDateOrTba<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || value == Tba || TryParseDate(value, out _))
            .WithMessage((_, value) => DateOnly.TryParseExact(value, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly _)
                ? Reason(value)
                : $"'{value}' is neither a date (yyyy-MM-dd, e.g. 2028-12-31) nor \"tba\" (to be announced).");

    private static string Reason(string? value) => InputDates.TryParse(value, out _, out var reason) ? "" : reason!;
}

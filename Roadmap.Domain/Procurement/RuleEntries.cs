using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurement;

/// <summary>An entry of the rule set that applies from <see cref="ValidFrom"/> to <see cref="ValidTo"/> (inclusive; null = open end).</summary>
public interface IValidityPeriod
{
    DateOnly ValidFrom { get; }

    DateOnly? ValidTo { get; }
}

internal static class ValidityPeriods
{
    public static bool Covers(this IValidityPeriod period, DateOnly date) =>
        period.ValidFrom <= date && (period.ValidTo is null || date <= period.ValidTo);

    public static bool Overlaps(this IValidityPeriod a, IValidityPeriod b) =>
        a.ValidFrom <= (b.ValidTo ?? DateOnly.MaxValue) && b.ValidFrom <= (a.ValidTo ?? DateOnly.MaxValue);

    /// <summary>The entry covering the date, else the latest that started before it, else the earliest.</summary>
    public static (T Entry, bool Covered) Nearest<T>(this IEnumerable<T> entries, DateOnly date) where T : IValidityPeriod
    {
        var list = entries.ToList();
        var covering = list.FirstOrDefault(e => e.Covers(date));
        if (covering is not null)
        {
            return (covering, true);
        }

        var latestBefore = list.Where(e => e.ValidFrom <= date).MaxBy(e => e.ValidFrom);
        return (latestBefore ?? list.MinBy(e => e.ValidFrom)!, false);
    }

    /// <summary>"2026–2027" for whole calendar years, else "1.1.2026–30.6.2027" or "seit 1.1.2025".</summary>
    public static string GermanLabel(DateOnly from, DateOnly? to) => to switch
    {
        null => $"seit {Dates.German(from)}",
        { } end when from is { Month: 1, Day: 1 } && end is { Month: 12, Day: 31 } =>
            from.Year == end.Year ? $"{from.Year}" : $"{from.Year}–{end.Year}",
        { } end => $"{Dates.German(from)}–{Dates.German(end)}",
    };
}

/// <summary>The EU thresholds of one two-year period, per kind of contracting authority.</summary>
public sealed record EuThresholdPeriod(
    DateOnly ValidFrom, DateOnly ValidTo, IReadOnlyDictionary<ContractingAuthorityKind, Money> Amounts, string Source) : IValidityPeriod
{
    DateOnly? IValidityPeriod.ValidTo => ValidTo;
}

/// <summary>
/// The threshold that applies on a date. <see cref="Provisional"/> is true when no published period covers the
/// date and the latest known values stand in (the next period's figures come out only in the autumn before it).
/// </summary>
public sealed record EuThreshold(ContractingAuthorityKind Kind, Money Amount, DateOnly ValidFrom, DateOnly ValidTo, bool Provisional)
{
    /// <summary>"2026–2027", or "2026–2027, vorläufig".</summary>
    public string GermanLabel => ValidityPeriods.GermanLabel(ValidFrom, ValidTo) + (Provisional ? ", vorläufig" : "");
}

/// <summary>
/// A Land's limits below the EU threshold (supplies and services). <see cref="Land"/> null marks the fallback
/// for Länder without their own entry.
/// </summary>
public sealed record LandProcurementLimits(
    LandCode? Land,
    string Name,
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    Money DirectAwardMaxNet,
    bool NegotiatedAwardUpToEuThreshold,
    Money? NegotiatedAwardMaxNet,
    Money? ExPostPublicationFromNet,
    string Source) : IValidityPeriod
{
    public bool IsFallback => Land is null;

    /// <summary>"Bayern, seit 1.1.2025".</summary>
    public string GermanLabel => $"{Name}, {ValidityPeriods.GermanLabel(ValidFrom, ValidTo)}";

    /// <summary>
    /// A Verhandlungsvergabe or Beschränkte Ausschreibung without participation competition is allowed for the value: up to
    /// the direct-award limit always, above it up to the EU threshold or the Land's fixed negotiated-award limit.
    /// </summary>
    public bool AllowsNegotiatedAward(Money value) =>
        value <= DirectAwardMaxNet || NegotiatedAwardUpToEuThreshold || (NegotiatedAwardMaxNet is { } max && value <= max);

    /// <summary>Negotiated awards (and restricted tenders without competition) above this value need ex-post publication.</summary>
    public bool RequiresExPostPublication(ProcurementProcedureType type, Money totalNetValue) =>
        type is ProcurementProcedureType.Verhandlungsvergabe or ProcurementProcedureType.BeschraenkteAusschreibung &&
        ExPostPublicationFromNet is { } from && totalNetValue >= from;
}

/// <summary>A minimum period in calendar days, with the shorter floors that electronic submission or urgency allow.</summary>
public sealed record PeriodDays(int Standard, int? Electronic = null, int? Urgent = null)
{
    /// <summary>The lowest floor the circumstances allow.</summary>
    public int For(bool electronic, bool urgent) => Math.Min(
        Standard,
        Math.Min(electronic && Electronic is { } e ? e : int.MaxValue, urgent && Urgent is { } u ? u : int.MaxValue));
}

/// <summary>Minimum periods of one EU procedure; null where the law sets none.</summary>
public sealed record MinimumPeriods(PeriodDays? Participation, PeriodDays? Offers);

/// <summary>
/// Minimum periods per EU procedure, the standstill before award, the review chamber's decision time and the period for
/// the immediate appeal against its decision (<see cref="AppealWeeks"/>, § 172 (1) GWB; the award waits for it, § 169 (1) GWB).
/// </summary>
public sealed record LegalPeriodRules(
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    IReadOnlyDictionary<ProcurementProcedureType, MinimumPeriods> MinimumDays,
    int StandstillDaysElectronic,
    int StandstillDaysOther,
    int ReviewDecisionWeeks,
    string Source,
    int AppealWeeks) : IValidityPeriod
{
    /// <summary>The minimum periods of an EU procedure; national procedures have none here.</summary>
    public MinimumPeriods? MinimumPeriodsFor(ProcurementProcedureType type) => MinimumDays.GetValueOrDefault(type);

    public int StandstillDays(bool sentElectronically) => sentElectronically ? StandstillDaysElectronic : StandstillDaysOther;
}

/// <summary>How late replacement work may start before it is late: the <see cref="SlackBand"/>s of the risk board.</summary>
public enum SlackBand
{
    Late,
    High,
    Moderate,
    Low,
}

/// <summary>Planning estimates: durations of procurement and migration, buffers and the slack bands.</summary>
public sealed record PlanningFigures(
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    IReadOnlyDictionary<ProcurementProcedureType, int> ProcurementMonths,
    ProcurementProcedureType ProcedureWhenValueUnknown,
    int DefaultMigrationMonths,
    IReadOnlyDictionary<ProcedureCategory, int> MigrationMonthsByCategory,
    int GoLiveBufferMonths,
    int ParallelRunMaxMonthsAfterCutOver,
    int HighRiskBelowDays,
    int ModerateRiskUpToDays,
    string Source = "") : IValidityPeriod
{
    public int ProcurementMonthsFor(ProcurementProcedureType type) => ProcurementMonths[type];

    public int MigrationMonthsFor(ProcedureCategory category) => MigrationMonthsByCategory.GetValueOrDefault(category, DefaultMigrationMonths);

    /// <summary>≤ 0 days late; under the high-risk limit high; up to the moderate limit moderate; else low.</summary>
    public SlackBand SlackBandFor(int slackDays) => slackDays switch
    {
        <= 0 => SlackBand.Late,
        _ when slackDays < HighRiskBelowDays => SlackBand.High,
        _ when slackDays <= ModerateRiskUpToDays => SlackBand.Moderate,
        _ => SlackBand.Low,
    };
}

/// <summary>A day of the year ("12-15") for windows that recur every year.</summary>
public readonly record struct MonthDay(int Month, int Day)
{
    public DateOnly In(int year) => new(year, Month, Math.Min(Day, DateTime.DaysInMonth(year, Month)));

    public bool IsBefore(MonthDay other) => Month < other.Month || (Month == other.Month && Day < other.Day);

    public override string ToString() => $"{Month:00}-{Day:00}";
}

/// <summary>
/// A period without cut-overs for some categories (elections, year-end close), optionally limited to one Land. Either
/// annual (<see cref="AnnualFrom"/>..<see cref="AnnualTo"/> each year, possibly across New Year, within the validity) or
/// a single window covering exactly <see cref="ValidFrom"/>..<see cref="ValidTo"/>.
/// </summary>
public sealed record FreezeWindow(
    string Name,
    IReadOnlyList<ProcedureCategory> Categories,
    LandCode? Land,
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    MonthDay? AnnualFrom = null,
    MonthDay? AnnualTo = null,
    string Source = "") : IValidityPeriod
{
    public bool AppliesTo(ProcedureCategory category, LandCode land) => Categories.Contains(category) && (Land is null || Land == land);

    /// <summary>The occurrence of this window that contains <paramref name="date"/>, if any.</summary>
    public FreezeOccurrence? OccurrenceContaining(DateOnly date)
    {
        if (AnnualFrom is not { } from || AnnualTo is not { } to)
        {
            return this.Covers(date) ? new FreezeOccurrence(Name, ValidFrom, ValidTo!.Value) : null;
        }

        // An occurrence that contains the date started this year or (across New Year) last year.
        foreach (var year in new[] { date.Year - 1, date.Year })
        {
            var start = from.In(year);
            var end = to.In(to.IsBefore(from) ? year + 1 : year);
            if (start <= date && date <= end && this.Covers(start))
            {
                return new FreezeOccurrence(Name, start, end);
            }
        }

        return null;
    }
}

/// <summary>One concrete occurrence of a freeze window.</summary>
public sealed record FreezeOccurrence(string Name, DateOnly From, DateOnly To);

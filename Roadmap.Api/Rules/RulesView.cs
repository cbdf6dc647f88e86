using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Rules;

/// <summary>
/// The procurement rules and planning figures as data: every entry with its validity, whether it is in force on
/// <see cref="Today"/>, and its source. Thresholds for days after <see cref="PublishedThresholdsUntil"/> are not yet
/// published; figures resting on them are provisional.
/// </summary>
public sealed record RulesView(
    DateOnly Today,
    DateOnly PublishedThresholdsUntil,
    IReadOnlyList<ThresholdRule> EuThresholds,
    IReadOnlyList<LandLimitRule> LandLimits,
    IReadOnlyList<LegalPeriodRule> LegalPeriods,
    IReadOnlyList<PlanningRule> Planning,
    IReadOnlyList<FreezeWindowRule> FreezeWindows,
    IReadOnlyList<PublicHolidayRule> PublicHolidays)
{
    public static RulesView From(ProcurementRuleSet rules, DateOnly today) => new(
        today,
        rules.EuThresholds.Max(t => t.ValidTo),
        [.. rules.EuThresholds.OrderBy(t => t.ValidFrom).Select(t => new ThresholdRule(
            Validity.Of(t.ValidFrom, t.ValidTo, today), t.Amounts.ToDictionary(a => a.Key, a => a.Value.Euros), t.Source))],
        [.. rules.LandLimits.OrderBy(l => l.Land is null).ThenBy(l => l.Land?.Value, StringComparer.Ordinal).ThenBy(l => l.ValidFrom).Select(l => new LandLimitRule(
            l.Land?.Value, l.Name, l.IsFallback, Validity.Of(l.ValidFrom, l.ValidTo, today), l.DirectAwardMaxNet.Euros, l.NegotiatedAwardUpToEuThreshold,
            l.NegotiatedAwardMaxNet?.Euros, l.ExPostPublicationFromNet?.Euros, l.Source))],
        [.. rules.LegalPeriods.OrderBy(p => p.ValidFrom).Select(p => new LegalPeriodRule(
            Validity.Of(p.ValidFrom, p.ValidTo, today),
            [.. p.MinimumDays.OrderBy(m => m.Key).Select(m => new MinimumPeriodRule(m.Key, m.Key.GermanName(), m.Value.Participation, m.Value.Offers))],
            p.StandstillDaysElectronic, p.StandstillDaysOther, p.ReviewDecisionWeeks, p.AppealWeeks, p.Source))],
        [.. rules.Planning.OrderBy(p => p.ValidFrom).Select(p => new PlanningRule(
            Validity.Of(p.ValidFrom, p.ValidTo, today), p.ProcurementMonths.OrderBy(m => m.Key).ToDictionary(m => m.Key, m => m.Value),
            p.ProcedureWhenValueUnknown, p.DefaultMigrationMonths, p.MigrationMonthsByCategory.OrderBy(m => m.Key).ToDictionary(m => m.Key, m => m.Value),
            p.GoLiveBufferMonths, p.ParallelRunMaxMonthsAfterCutOver, p.HighRiskBelowDays, p.ModerateRiskUpToDays, p.Source))],
        [.. rules.FreezeWindows.OrderBy(w => w.ValidFrom).ThenBy(w => w.Name, StringComparer.Ordinal).Select(w => new FreezeWindowRule(
            w.Name, [.. w.Categories], w.Land?.Value, Validity.Of(w.ValidFrom, w.ValidTo, today),
            w.AnnualFrom is { } from && w.AnnualTo is { } to ? new AnnualWindow(from.ToString(), to.ToString()) : null, w.Source))],
        [.. rules.PublicHolidays.OrderBy(h => h.Land is not null).ThenBy(h => h.Land?.Value, StringComparer.Ordinal)
            .ThenBy(h => h.DateIn(today.Year) ?? DateOnly.MaxValue).ThenBy(h => h.Name, StringComparer.Ordinal).Select(h => new PublicHolidayRule(
                h.Name, h.Land?.Value, Validity.Of(h.ValidFrom, h.ValidTo, today), h.Fixed?.ToString(), h.EasterOffset, h.DateIn(today.Year), h.Source))]);
}

/// <param name="ValidTo">Inclusive; null: until further notice.</param>
/// <param name="InForce">The entry applies on the day asked for.</param>
public sealed record Validity(DateOnly ValidFrom, DateOnly? ValidTo, bool InForce)
{
    public static Validity Of(DateOnly from, DateOnly? to, DateOnly today) => new(from, to, from <= today && (to is null || today <= to));
}

/// <param name="Amounts">Net of VAT, per kind of contracting authority (for Works: of contract).</param>
public sealed record ThresholdRule(Validity Validity, IReadOnlyDictionary<ContractingAuthorityKind, decimal> Amounts, string Source);

/// <param name="Land">Two-digit code; null for the fallback used where a Land has no entry of its own.</param>
public sealed record LandLimitRule(
    string? Land,
    string Name,
    bool Fallback,
    Validity Validity,
    decimal DirectAwardMaxNet,
    bool NegotiatedAwardUpToEuThreshold,
    decimal? NegotiatedAwardMaxNet,
    decimal? ExPostPublicationFromNet,
    string Source);

public sealed record LegalPeriodRule(
    Validity Validity,
    IReadOnlyList<MinimumPeriodRule> MinimumDays,
    int StandstillDaysElectronic,
    int StandstillDaysOther,
    int ReviewDecisionWeeks,
    int AppealWeeks,
    string Source);

/// <summary>Minimum periods in calendar days of one EU procedure; null where the law sets none.</summary>
public sealed record MinimumPeriodRule(ProcurementProcedureType Type, string GermanName, PeriodDays? Participation, PeriodDays? Offers);

/// <summary>Planning estimates, not law.</summary>
public sealed record PlanningRule(
    Validity Validity,
    IReadOnlyDictionary<ProcurementProcedureType, int> ProcurementMonths,
    ProcurementProcedureType ProcedureWhenValueUnknown,
    int DefaultMigrationMonths,
    IReadOnlyDictionary<ProcedureCategory, int> MigrationMonthsByCategory,
    int GoLiveBufferMonths,
    int ParallelRunMaxMonthsAfterCutOver,
    int HighRiskBelowDays,
    int ModerateRiskUpToDays,
    string Source);

/// <param name="Annual">Set for windows that recur every year within the validity (MM-DD to MM-DD, possibly across New Year).</param>
public sealed record FreezeWindowRule(
    string Name, IReadOnlyList<ProcedureCategory> Categories, string? Land, Validity Validity, AnnualWindow? Annual, string Source);

public sealed record AnnualWindow(string From, string To);

/// <summary>
/// A public holiday: a period whose last day is a Saturday, Sunday or one of these ends on the next working day
/// (Regulation 1182/71 Art. 3(4), § 82 VgV).
/// </summary>
/// <param name="Land">Two-digit code; null: nationwide, in force in every Land.</param>
/// <param name="Fixed">The day of the year (MM-DD) for holidays on a fixed date.</param>
/// <param name="EasterOffset">Days from Easter Sunday for movable holidays (Good Friday -2).</param>
/// <param name="DateInYear">The holiday's date in the year of the day asked for; null when it is not in force then.</param>
public sealed record PublicHolidayRule(
    string Name, string? Land, Validity Validity, string? Fixed, int? EasterOffset, DateOnly? DateInYear, string Source);

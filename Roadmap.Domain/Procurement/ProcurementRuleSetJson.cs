using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurement;

/// <summary>Reads procurement-rules.json into a <see cref="ProcurementRuleSet"/>, collecting every problem before failing.</summary>
internal static class ProcurementRuleSetJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt key would otherwise silently fall back to a default: refuse it.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static ProcurementRuleSet Read(Stream json)
    {
        RulesDocument document;
        try
        {
            document = JsonSerializer.Deserialize<RulesDocument>(json, Options)
                ?? throw new InvalidProcurementRulesException(["The rules document is empty."]);
        }
        catch (JsonException e)
        {
            throw new InvalidProcurementRulesException([$"The rules are not valid: {e.Message}"]);
        }

        var reader = new Mapper();
        try
        {
            var thresholds = (document.EuThresholds ?? []).Select(reader.Threshold).ToList();
            var limits = (document.LandLimits ?? []).Select(reader.LandLimits).ToList();
            var legal = (document.LegalPeriods ?? []).Select(reader.LegalPeriods).ToList();
            var planning = (document.Planning ?? []).Select(reader.Planning).ToList();
            var freezes = (document.FreezeWindows ?? []).Select(reader.FreezeWindow).ToList();
            var holidays = (document.PublicHolidays ?? []).Select(reader.PublicHoliday).ToList();
            if (reader.Problems.Count == 0)
            {
                return new ProcurementRuleSet(thresholds, limits, legal, planning, freezes, holidays);
            }
        }
        catch (ArgumentException) when (reader.Problems.Count > 0)
        {
            // Two unreadable keys of one map both became the default value; the problems already say why.
        }

        throw new InvalidProcurementRulesException(reader.Problems);
    }

    private sealed class Mapper
    {
        public List<string> Problems { get; } = [];

        public EuThresholdPeriod Threshold(ThresholdJson t, int index)
        {
            var where = $"euThresholds[{index}]";
            var amounts = (t.Amounts ?? []).ToDictionary(a => Enum<ContractingAuthorityKind>(a.Key, where), a => Amount(a.Value, where)!.Value);
            return new EuThresholdPeriod(Date(t.ValidFrom, where), Date(t.ValidTo, where), amounts, t.Source ?? "");
        }

        public LandProcurementLimits LandLimits(LandLimitsJson l, int index)
        {
            var where = $"landLimits[{index}]";
            LandCode? land = null;
            if (l.Land is not null && !LandCode.TryParse(l.Land, out land, out var reason))
            {
                Problems.Add($"{where}: {reason}");
            }

            return new LandProcurementLimits(land, Text(l.Name, where, "name"), Date(l.ValidFrom, where), l.ValidTo,
                Amount(l.DirectAwardMaxNet, where) ?? Money.Zero, l.NegotiatedAwardUpToEuThreshold ?? false,
                Amount(l.NegotiatedAwardMaxNet, where, optional: true), Amount(l.ExPostPublicationFromNet, where, optional: true), l.Source ?? "");
        }

        public LegalPeriodRules LegalPeriods(LegalPeriodsJson p, int index)
        {
            var where = $"legalPeriods[{index}]";
            var minimums = (p.MinimumDays ?? []).ToDictionary(
                m => Enum<ProcurementProcedureType>(m.Key, where),
                m => new MinimumPeriods(Days(m.Value.Participation), Days(m.Value.Offers)));
            return new LegalPeriodRules(Date(p.ValidFrom, where), p.ValidTo, minimums,
                Number(p.StandstillDays?.Electronic, where, "standstillDays.electronic"), Number(p.StandstillDays?.Other, where, "standstillDays.other"),
                Number(p.ReviewDecisionWeeks, where, "reviewDecisionWeeks"), p.Source ?? "", Number(p.AppealWeeks, where, "appealWeeks"));
        }

        public PlanningFigures Planning(PlanningJson p, int index)
        {
            var where = $"planning[{index}]";
            var procurement = (p.ProcurementMonths ?? []).ToDictionary(m => Enum<ProcurementProcedureType>(m.Key, where), m => m.Value);
            var migration = (p.MigrationMonths ?? []).Where(m => m.Key != "default")
                .ToDictionary(m => Enum<ProcedureCategory>(m.Key, where), m => m.Value);
            var defaultMigration = p.MigrationMonths?.GetValueOrDefault("default");
            return new PlanningFigures(Date(p.ValidFrom, where), p.ValidTo, procurement,
                Enum<ProcurementProcedureType>(p.ProcedureWhenValueUnknown, where),
                Number(defaultMigration, where, "migrationMonths.default"), migration,
                Number(p.GoLiveBufferMonths, where, "goLiveBufferMonths"), Number(p.ParallelRunMaxMonthsAfterCutOver, where, "parallelRunMaxMonthsAfterCutOver"),
                Number(p.SlackBands?.HighBelowDays, where, "slackBands.highBelowDays"), Number(p.SlackBands?.ModerateUpToDays, where, "slackBands.moderateUpToDays"),
                p.Source ?? "");
        }

        public FreezeWindow FreezeWindow(FreezeWindowJson w, int index)
        {
            var where = $"freezeWindows[{index}]";
            LandCode? land = null;
            if (w.Land is not null && !LandCode.TryParse(w.Land, out land, out var reason))
            {
                Problems.Add($"{where}: {reason}");
            }

            var categories = (w.Categories ?? []).Select(c => Enum<ProcedureCategory>(c, where)).ToList();
            return new FreezeWindow(Text(w.Name, where, "name"), categories, land, Date(w.ValidFrom, where), w.ValidTo,
                MonthDay(w.Annual?.From, where), MonthDay(w.Annual?.To, where), w.Source ?? "");
        }

        public PublicHoliday PublicHoliday(PublicHolidayJson h, int index)
        {
            var where = $"publicHolidays[{index}]";
            LandCode? land = null;
            if (h.Land is not null && !LandCode.TryParse(h.Land, out land, out var reason))
            {
                Problems.Add($"{where}: {reason}");
            }

            return new PublicHoliday(Text(h.Name, where, "name"), land, Date(h.ValidFrom, where), h.ValidTo, Text(h.Source, where, "source"),
                MonthDay(h.Fixed, where), h.EasterOffset);
        }

        private static PeriodDays? Days(PeriodDaysJson? d) => d is null ? null : new PeriodDays(d.Standard, d.Electronic, d.Urgent);

        private DateOnly Date(DateOnly? date, string where)
        {
            if (date is null)
            {
                Problems.Add($"{where}: validFrom/validTo is missing.");
            }

            return date ?? default;
        }

        private Money? Amount(decimal? value, string where, bool optional = false)
        {
            if (value is null && !optional || value < 0)
            {
                Problems.Add($"{where}: amounts must be given and not negative ({value?.ToString(CultureInfo.InvariantCulture) ?? "missing"}).");
                return Money.Zero;
            }

            if (value is null)
            {
                return null;
            }

            if (!Money.TryCreate(value.Value, out var money, out var reason))
            {
                Problems.Add($"{where}: {reason}");
                return Money.Zero;
            }

            return money;
        }

        private int Number(int? value, string where, string name)
        {
            if (value is null)
            {
                Problems.Add($"{where}: {name} is missing.");
            }

            return value ?? 0;
        }

        private string Text(string? value, string where, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Problems.Add($"{where}: {name} is missing.");
            }

            return value ?? "";
        }

        private TEnum Enum<TEnum>(string? name, string where) where TEnum : struct, Enum
        {
            // Names only: Enum.TryParse would also accept numbers, which say nothing in a rules file.
            if (name is not null && System.Enum.GetNames<TEnum>().Contains(name, StringComparer.Ordinal))
            {
                return System.Enum.Parse<TEnum>(name);
            }

            Problems.Add($"{where}: '{name}' is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
            return default;
        }

        private MonthDay? MonthDay(string? value, string where)
        {
            if (value is null)
            {
                return null;
            }

            if (DateOnly.TryParseExact("2000-" + value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return new MonthDay(day.Month, day.Day);
            }

            Problems.Add($"{where}: '{value}' is not a day of the year in the form MM-DD.");
            return null;
        }
    }

    private sealed record RulesDocument(
        List<ThresholdJson>? EuThresholds,
        List<LandLimitsJson>? LandLimits,
        List<LegalPeriodsJson>? LegalPeriods,
        List<PlanningJson>? Planning,
        List<FreezeWindowJson>? FreezeWindows,
        List<PublicHolidayJson>? PublicHolidays);

    private sealed record ThresholdJson(DateOnly? ValidFrom, DateOnly? ValidTo, Dictionary<string, decimal>? Amounts, string? Source);

    private sealed record LandLimitsJson(
        string? Land,
        string? Name,
        DateOnly? ValidFrom,
        DateOnly? ValidTo,
        decimal? DirectAwardMaxNet,
        bool? NegotiatedAwardUpToEuThreshold,
        decimal? NegotiatedAwardMaxNet,
        decimal? ExPostPublicationFromNet,
        string? Source);

    private sealed record PeriodDaysJson(int Standard, int? Electronic, int? Urgent);

    private sealed record MinimumPeriodsJson(PeriodDaysJson? Participation, PeriodDaysJson? Offers);

    private sealed record StandstillJson(int? Electronic, int? Other);

    private sealed record LegalPeriodsJson(
        DateOnly? ValidFrom,
        DateOnly? ValidTo,
        Dictionary<string, MinimumPeriodsJson>? MinimumDays,
        StandstillJson? StandstillDays,
        int? ReviewDecisionWeeks,
        int? AppealWeeks,
        string? Source);

    private sealed record SlackBandsJson(int? HighBelowDays, int? ModerateUpToDays);

    private sealed record PlanningJson(
        DateOnly? ValidFrom,
        DateOnly? ValidTo,
        Dictionary<string, int>? ProcurementMonths,
        string? ProcedureWhenValueUnknown,
        Dictionary<string, int>? MigrationMonths,
        int? GoLiveBufferMonths,
        int? ParallelRunMaxMonthsAfterCutOver,
        SlackBandsJson? SlackBands,
        string? Source = null);

    private sealed record AnnualJson(string? From, string? To);

    private sealed record PublicHolidayJson(
        string? Name, string? Land, string? Fixed, int? EasterOffset, DateOnly? ValidFrom, DateOnly? ValidTo, string? Source);

    private sealed record FreezeWindowJson(
        string? Name, List<string>? Categories, string? Land, AnnualJson? Annual, DateOnly? ValidFrom, DateOnly? ValidTo, string? Source = null);
}

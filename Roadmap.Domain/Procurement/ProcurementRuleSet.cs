using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurement;

/// <summary>
/// The procurement rules and planning figures as data, each entry with a validity period: EU thresholds, Land limits,
/// legal minimum periods, planning durations, freeze windows and public holidays. The defaults ship as the embedded resource
/// procurement-rules.json; <see cref="Load"/> reads another file of the same shape. The constructor validates, so a
/// rule set that exists is consistent (no overlapping periods, every procedure type has a duration, a fallback exists).
/// </summary>
public sealed record ProcurementRuleSet
{
    private const string DefaultResource = "Roadmap.Domain.Procurement.procurement-rules.json";

    public ProcurementRuleSet(
        IReadOnlyList<EuThresholdPeriod> euThresholds,
        IReadOnlyList<LandProcurementLimits> landLimits,
        IReadOnlyList<LegalPeriodRules> legalPeriods,
        IReadOnlyList<PlanningFigures> planning,
        IReadOnlyList<FreezeWindow> freezeWindows,
        IReadOnlyList<PublicHoliday>? publicHolidays = null)
    {
        EuThresholds = euThresholds;
        LandLimits = landLimits;
        LegalPeriods = legalPeriods;
        Planning = planning;
        FreezeWindows = freezeWindows;
        PublicHolidays = publicHolidays ?? [];
        var problems = ProcurementRuleSetValidation.Problems(this).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidProcurementRulesException(problems);
        }
    }

    public IReadOnlyList<EuThresholdPeriod> EuThresholds { get; }

    public IReadOnlyList<LandProcurementLimits> LandLimits { get; }

    public IReadOnlyList<LegalPeriodRules> LegalPeriods { get; }

    public IReadOnlyList<PlanningFigures> Planning { get; }

    public IReadOnlyList<FreezeWindow> FreezeWindows { get; }

    /// <summary>Statutory public holidays; nationwide entries (Land null) apply in every Land, a Land's entries add its own.</summary>
    public IReadOnlyList<PublicHoliday> PublicHolidays { get; }

    /// <summary>The rules shipped with the domain (embedded procurement-rules.json).</summary>
    public static ProcurementRuleSet LoadDefault()
    {
        using var stream = typeof(ProcurementRuleSet).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"The embedded resource {DefaultResource} is missing.");
        return Load(stream);
    }

    /// <summary>Reads rules in the shape of procurement-rules.json (comments allowed); throws <see cref="InvalidProcurementRulesException"/> when they are inconsistent.</summary>
    public static ProcurementRuleSet Load(Stream json) => ProcurementRuleSetJson.Read(json);

    /// <summary>The EU threshold on <paramref name="date"/>; provisional (latest known values) when no published period covers it.</summary>
    public EuThreshold ThresholdOn(DateOnly date, ContractingAuthorityKind kind = ContractingAuthorityKind.SubCentral)
    {
        var (period, covered) = EuThresholds.Nearest(date);
        return new EuThreshold(kind, period.Amounts[kind], period.ValidFrom, period.ValidTo, Provisional: !covered);
    }

    /// <summary>The Land's limits on <paramref name="date"/>, else the fallback's.</summary>
    public LandProcurementLimits LimitsOn(LandCode land, DateOnly date) =>
        LandLimits.FirstOrDefault(l => l.Land == land && l.Covers(date))
        ?? LandLimits.Where(l => l.IsFallback).Nearest(date).Entry;

    public LegalPeriodRules LegalPeriodsOn(DateOnly date) => LegalPeriods.Nearest(date).Entry;

    public PlanningFigures PlanningOn(DateOnly date) => Planning.Nearest(date).Entry;

    /// <summary>The freeze window occurrence containing <paramref name="date"/> for a category in a Land, if any.</summary>
    public FreezeOccurrence? FreezeOn(DateOnly date, ProcedureCategory category, LandCode land) =>
        FreezeWindows.Where(w => w.AppliesTo(category, land)).Select(w => w.OccurrenceContaining(date)).FirstOrDefault(o => o is not null);

    /// <summary>The public holiday on <paramref name="date"/> in <paramref name="land"/>, if any.</summary>
    public PublicHoliday? HolidayOn(DateOnly date, LandCode land) =>
        PublicHolidays.FirstOrDefault(h => h.AppliesIn(land) && h.DateIn(date.Year) == date);

    /// <summary>Neither a Saturday, a Sunday nor a public holiday in the Land.</summary>
    public bool IsWorkingDay(DateOnly date, LandCode land) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && HolidayOn(date, land) is null;

    /// <summary>
    /// The day a period whose last day is <paramref name="lastDay"/> ends: a period ending on a Saturday, Sunday or public
    /// holiday ends with the expiry of the next working day (Regulation (EEC, Euratom) No 1182/71 Art. 3(4), § 82 VgV).
    /// </summary>
    public DateOnly EndOfPeriod(DateOnly lastDay, LandCode land)
    {
        var day = lastDay;
        while (!IsWorkingDay(day, land))
        {
            day = day.AddDays(1);
        }

        return day;
    }

    /// <summary>
    /// Whether <paramref name="type"/> is lawful for <paramref name="value"/> under the threshold and Land limits in force on
    /// <paramref name="date"/>: at or above the EU threshold only EU procedures (§ 106 GWB); below it a Direktauftrag only up to
    /// the Land's direct-award limit, a Verhandlungsvergabe or Beschränkte Ausschreibung only where the Land allows one for
    /// the value; a public tender and (voluntarily) any EU procedure always.
    /// </summary>
    public ProcedureClassCheck CheckProcedureClass(
        ProcurementProcedureType type, Money value, LandCode land, DateOnly date, ContractingAuthorityKind kind = ContractingAuthorityKind.SubCentral)
    {
        var threshold = ThresholdOn(date, kind);
        var limits = LimitsOn(land, date);
        var breach = type switch
        {
            _ when type.IsEu() => ProcedureClassBreach.None,
            _ when value >= threshold.Amount => ProcedureClassBreach.EuThresholdReached,
            ProcurementProcedureType.Direktauftrag when value > limits.DirectAwardMaxNet => ProcedureClassBreach.AboveDirectAwardLimit,
            ProcurementProcedureType.Verhandlungsvergabe or ProcurementProcedureType.BeschraenkteAusschreibung
                when !limits.AllowsNegotiatedAward(value) => ProcedureClassBreach.NegotiatedAwardNotAllowed,
            _ => ProcedureClassBreach.None,
        };
        return new ProcedureClassCheck(type, value, date, threshold, limits, breach);
    }

    /// <summary>
    /// The procedure the rules suggest for <paramref name="totalNetValue"/> (all lots, options and extensions, all
    /// participants of a joint procurement) in <paramref name="land"/>, with the threshold valid on the planned
    /// publication date: at or above the EU threshold the EU open procedure; else a Direktauftrag up to the Land's
    /// direct-award limit; else a Verhandlungsvergabe where the Land allows one; else a public tender.
    /// </summary>
    public ProcedureSuggestion Suggest(
        Money totalNetValue, LandCode land, DateOnly plannedPublicationOn, ContractingAuthorityKind kind = ContractingAuthorityKind.SubCentral)
    {
        var threshold = ThresholdOn(plannedPublicationOn, kind);
        var limits = LimitsOn(land, plannedPublicationOn);
        var value = totalNetValue.ToGermanString();
        var thresholdText = $"EU-Schwellenwert von {threshold.Amount.ToGermanString()} ({threshold.GermanLabel})";
        var directText = $"Direktauftragsgrenze von {limits.DirectAwardMaxNet.ToGermanString()} ({limits.GermanLabel})";

        if (totalNetValue >= threshold.Amount)
        {
            return new(ProcurementProcedureType.EuOffenesVerfahren,
                $"{value} liegt nicht unter dem {thresholdText}: EU-weites Verfahren, offenes Verfahren als Regelverfahren.",
                totalNetValue, threshold, limits, "EU-Schwellenwert", threshold.Amount);
        }

        if (totalNetValue <= limits.DirectAwardMaxNet)
        {
            return new(ProcurementProcedureType.Direktauftrag, $"{value} liegt nicht über der {directText}.",
                totalNetValue, threshold, limits, "Direktauftragsgrenze", limits.DirectAwardMaxNet);
        }

        if (limits.NegotiatedAwardUpToEuThreshold)
        {
            return new(ProcurementProcedureType.Verhandlungsvergabe, $"{value} liegt unter dem {thresholdText} und über der {directText}.",
                totalNetValue, threshold, limits, "EU-Schwellenwert", threshold.Amount);
        }

        if (limits.NegotiatedAwardMaxNet is { } negotiatedMax && totalNetValue <= negotiatedMax)
        {
            return new(ProcurementProcedureType.Verhandlungsvergabe,
                $"{value} liegt über der {directText} und nicht über der Grenze für Verhandlungsvergaben von {negotiatedMax.ToGermanString()}.",
                totalNetValue, threshold, limits, "Grenze für Verhandlungsvergaben", negotiatedMax);
        }

        var ceiling = limits.NegotiatedAwardMaxNet ?? limits.DirectAwardMaxNet;
        return new(ProcurementProcedureType.OeffentlicheAusschreibung,
            $"{value} liegt unter dem {thresholdText}, aber über der {directText}" +
            (limits.NegotiatedAwardMaxNet is { } max ? $" und der Grenze für Verhandlungsvergaben von {max.ToGermanString()}" : "") +
            ": Öffentliche Ausschreibung.",
            totalNetValue, threshold, limits, limits.NegotiatedAwardMaxNet is null ? "Direktauftragsgrenze" : "Grenze für Verhandlungsvergaben", ceiling);
    }
}

/// <summary>The rule data are inconsistent; <see cref="Problems"/> lists every finding.</summary>
public sealed class InvalidProcurementRulesException : Exception
{
    public InvalidProcurementRulesException(IReadOnlyList<string> problems)
        : base("The procurement rules are invalid: " + string.Join(" ", problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}

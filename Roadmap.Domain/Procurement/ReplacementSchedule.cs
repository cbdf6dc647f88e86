using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurement;

/// <summary>
/// What the date rules need about one procedure instance. End dates come from its release (tba = null),
/// extended support from the instance, the value and chosen type from its procurement case (if any).
/// <paramref name="PlannedPublicationOn"/> selects the threshold period; without it, <paramref name="Today"/> does.
/// </summary>
public sealed record ReplacementScheduleInput(
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    DateOnly? ExtendedSupportUntil,
    ProcedureCategory Category,
    LandCode Land,
    DateOnly Today,
    Money? EstimatedTotalNetValue = null,
    ProcurementProcedureType? ChosenProcedureType = null,
    DateOnly? PlannedPublicationOn = null);

public enum EndOfSupportBasis
{
    EndOfSecuritySupport,
    EndOfLife,
    ExtendedSupport,
}

/// <summary>Where the procedure type of the timeline came from.</summary>
public enum ProcedureTypeBasis
{
    /// <summary>Determined in the procurement case.</summary>
    Chosen,

    /// <summary>Suggested by the rules from the estimated value.</summary>
    SuggestedFromValue,

    /// <summary>No value estimated yet: the rules' planning assumption.</summary>
    AssumedWithoutEstimate,
}

/// <summary>The computed milestones of one procedure's replacement, latest dates first to last.</summary>
public sealed record ReplacementTimeline(
    DateOnly EffectiveEndOfSupport,
    EndOfSupportBasis EndOfSupportBasis,
    DateOnly RequiredGoLive,
    IReadOnlyList<FreezeOccurrence> FreezeWindowsAvoided,
    int MigrationMonths,
    DateOnly LatestAward,
    ProcurementProcedureType ProcedureType,
    ProcedureTypeBasis ProcedureTypeBasis,
    ProcedureSuggestion? Suggestion,
    int ProcurementMonths,
    DateOnly LatestProcurementStart,
    int SlackDays,
    SlackBand SlackBand);

/// <summary>
/// The date rules of the read models, as one pure function:
/// 1. effective end of support = end of security support, else end of life, moved out by purchased extended support;
/// 2. required go-live = effective end of support − buffer, moved earlier out of freeze windows;
/// 3. latest award = required go-live − migration duration of the category;
/// 4. latest procurement start = latest award − duration of the procedure type (chosen, else suggested from the value,
///    the Land's limits and the threshold on the planned publication date, else the planning assumption);
/// 5. slack = latest procurement start − today, banded late / high / moderate / low.
/// Planning figures are those valid <see cref="ReplacementScheduleInput.Today"/>.
/// </summary>
public static class ReplacementSchedule
{
    // More chained windows than this means the data are wrong, not that the go-live should move further.
    private const int MaxFreezeMoves = 24;

    /// <summary>The timeline, or null while the release has no known end date (both "to be announced").</summary>
    public static ReplacementTimeline? Compute(ReplacementScheduleInput input, ProcurementRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        if (EffectiveEndOfSupport(input) is not { } effective)
        {
            return null;
        }

        var (endOfSupport, basis) = effective;

        var figures = rules.PlanningOn(input.Today);
        var (goLive, avoided) = MoveOutOfFreezeWindows(endOfSupport.AddCalendarMonths(-figures.GoLiveBufferMonths), input, rules);
        var migrationMonths = figures.MigrationMonthsFor(input.Category);
        var latestAward = goLive.AddCalendarMonths(-migrationMonths);

        var suggestion = input.EstimatedTotalNetValue is { } value
            ? rules.Suggest(value, input.Land, input.PlannedPublicationOn ?? input.Today)
            : null;
        var (type, typeBasis) = (input.ChosenProcedureType, suggestion) switch
        {
            ({ } chosen, _) => (chosen, ProcedureTypeBasis.Chosen),
            (null, { } suggested) => (suggested.Type, ProcedureTypeBasis.SuggestedFromValue),
            _ => (figures.ProcedureWhenValueUnknown, ProcedureTypeBasis.AssumedWithoutEstimate),
        };
        var procurementMonths = figures.ProcurementMonthsFor(type);
        var latestStart = latestAward.AddCalendarMonths(-procurementMonths);
        var slack = latestStart.DayNumber - input.Today.DayNumber;

        return new ReplacementTimeline(endOfSupport, basis, goLive, avoided, migrationMonths, latestAward, type, typeBasis, suggestion,
            procurementMonths, latestStart, slack, figures.SlackBandFor(slack));
    }

    private static (DateOnly Date, EndOfSupportBasis Basis)? EffectiveEndOfSupport(ReplacementScheduleInput input)
    {
        (DateOnly Date, EndOfSupportBasis Basis)? vendor = input switch
        {
            { EndOfSecuritySupport: { } security } => (security, EndOfSupportBasis.EndOfSecuritySupport),
            { EndOfLife: { } life } => (life, EndOfSupportBasis.EndOfLife),
            _ => null,
        };

        // Extended support moves the end out, never in: a contract ending before the vendor's date changes nothing.
        return vendor is { } v && input.ExtendedSupportUntil is { } extended && extended > v.Date
            ? (extended, EndOfSupportBasis.ExtendedSupport)
            : vendor;
    }

    private static (DateOnly GoLive, IReadOnlyList<FreezeOccurrence> Avoided) MoveOutOfFreezeWindows(
        DateOnly goLive, ReplacementScheduleInput input, ProcurementRuleSet rules)
    {
        var avoided = new List<FreezeOccurrence>();
        while (rules.FreezeOn(goLive, input.Category, input.Land) is { } freeze)
        {
            if (avoided.Count == MaxFreezeMoves)
            {
                throw new InvalidOperationException($"The freeze windows around {goLive} chain more than {MaxFreezeMoves} times.");
            }

            avoided.Add(freeze);
            goLive = freeze.From.AddDays(-1);
        }

        return (goLive, avoided);
    }
}

using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Catalogue;

/// <summary>
/// A release's lifecycle dates, close to the OASIS OpenEoX draft (general_availability, end_of_sales,
/// end_of_security_support, end_of_life). A missing date is unknown; a missing date with its Tba flag set is
/// "to be announced" by the vendor. Only the two end dates can be tba: they are the ones vendors hold back.
/// </summary>
public sealed record ReleaseLifecycle(
    DateOnly? GeneralAvailability,
    DateOnly? EndOfSales,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSecuritySupportTba = false,
    bool EndOfLifeTba = false)
{
    public static ReleaseLifecycle Unknown { get; } = new(null, null, null, null);

    /// <summary>The end of security support, else the end of life (date rule 1, before extended support).</summary>
    public DateOnly? EffectiveEndOfSupport => EndOfSecuritySupport ?? EndOfLife;

    public ReleaseLifecycle WithEnds(DateOnly? endOfSecuritySupport, DateOnly? endOfLife, bool endOfSecuritySupportTba, bool endOfLifeTba) =>
        this with
        {
            EndOfSecuritySupport = endOfSecuritySupport,
            EndOfLife = endOfLife,
            EndOfSecuritySupportTba = endOfSecuritySupportTba,
            EndOfLifeTba = endOfLifeTba,
        };

    public bool HasSameEnds(ReleaseLifecycle other) =>
        EndOfSecuritySupport == other.EndOfSecuritySupport && EndOfLife == other.EndOfLife &&
        EndOfSecuritySupportTba == other.EndOfSecuritySupportTba && EndOfLifeTba == other.EndOfLifeTba;

    /// <summary>Fails with a <see cref="DomainRuleViolation"/> unless the dates are consistent and in plausible order.</summary>
    internal void EnsurePlausible()
    {
        Guard.Require(!(EndOfSecuritySupportTba && EndOfSecuritySupport is not null), ViolationCodes.TbaWithDate,
            "The end of security support is either a date or to be announced, not both.", "endOfSecuritySupport");
        Guard.Require(!(EndOfLifeTba && EndOfLife is not null), ViolationCodes.TbaWithDate,
            "The end of life is either a date or to be announced, not both.", "endOfLife");
        Guard.Require(!(EndOfLife < EndOfSecuritySupport), ViolationCodes.EndOfLifeBeforeEndOfSecuritySupport,
            $"The end of life ({Dates.English(EndOfLife.GetValueOrDefault())}) cannot come before the end of security support " +
            $"({Dates.English(EndOfSecuritySupport.GetValueOrDefault())}).", "endOfLife");

        (DateOnly? Date, string Name, string Field)[] milestones =
        [
            (GeneralAvailability, "general availability", "generalAvailability"),
            (EndOfSales, "end of sales", "endOfSales"),
            (EndOfSecuritySupport, "end of security support", "endOfSecuritySupport"),
            (EndOfLife, "end of life", "endOfLife"),
        ];
        for (var later = 1; later < milestones.Length; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                var (laterDate, laterName, laterField) = milestones[later];
                var (earlierDate, earlierName, _) = milestones[earlier];
                Guard.Require(!(laterDate < earlierDate), ViolationCodes.LifecycleDatesOutOfOrder,
                    $"The {laterName} ({Dates.English(laterDate.GetValueOrDefault())}) cannot come before the {earlierName} " +
                    $"({Dates.English(earlierDate.GetValueOrDefault())}).", laterField);
            }
        }
    }
}

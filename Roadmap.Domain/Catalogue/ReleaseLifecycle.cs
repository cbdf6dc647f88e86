using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Catalogue;

/// <summary>
/// A release's lifecycle dates, close to the OASIS OpenEoX draft (general_availability, end_of_sales,
/// end_of_security_support, end_of_life). A missing date is unknown; a missing date with its Tba flag set is
/// "to be announced" by the vendor.
/// </summary>
public sealed record ReleaseLifecycle(
    DateOnly? GeneralAvailability,
    DateOnly? EndOfSales,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSecuritySupportTba = false,
    bool EndOfLifeTba = false,
    bool GeneralAvailabilityTba = false,
    bool EndOfSalesTba = false)
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
        (DateOnly? Date, bool Tba, string Name, string Field)[] milestones =
        [
            (GeneralAvailability, GeneralAvailabilityTba, "general availability", "generalAvailability"),
            (EndOfSales, EndOfSalesTba, "end of sales", "endOfSales"),
            (EndOfSecuritySupport, EndOfSecuritySupportTba, "end of security support", "endOfSecuritySupport"),
            (EndOfLife, EndOfLifeTba, "end of life", "endOfLife"),
        ];
        foreach (var (date, tba, name, field) in milestones)
        {
            Guard.Require(!(tba && date is not null), ViolationCodes.TbaWithDate,
                $"The {name} is either a date or to be announced, not both.", field);
        }

        Guard.Require(!(EndOfLife < EndOfSecuritySupport), ViolationCodes.EndOfLifeBeforeEndOfSecuritySupport,
            $"The end of life ({Dates.English(EndOfLife.GetValueOrDefault())}) cannot come before the end of security support " +
            $"({Dates.English(EndOfSecuritySupport.GetValueOrDefault())}).", "endOfLife");

        for (var later = 1; later < milestones.Length; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                var (laterDate, _, laterName, laterField) = milestones[later];
                var (earlierDate, _, earlierName, _) = milestones[earlier];
                Guard.Require(!(laterDate < earlierDate), ViolationCodes.LifecycleDatesOutOfOrder,
                    $"The {laterName} ({Dates.English(laterDate.GetValueOrDefault())}) cannot come before the {earlierName} " +
                    $"({Dates.English(earlierDate.GetValueOrDefault())}).", laterField);
            }
        }
    }
}

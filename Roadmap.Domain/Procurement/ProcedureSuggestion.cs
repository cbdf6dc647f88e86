using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurement;

/// <summary>
/// The procurement procedure the rules suggest for a total net value, with the German reason a mayor reads, the
/// threshold and Land limits it was based on, and the limit the suggestion turned on (<see cref="AppliedLimitName"/>).
/// </summary>
public sealed record ProcedureSuggestion(
    ProcurementProcedureType Type,
    string Reason,
    Money TotalNetValue,
    EuThreshold Threshold,
    LandProcurementLimits LandLimits,
    string AppliedLimitName,
    Money AppliedLimitAmount)
{
    public bool ExPostPublicationRequired => LandLimits.RequiresExPostPublication(Type, TotalNetValue);
}

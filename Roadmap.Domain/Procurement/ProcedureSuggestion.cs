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

/// <summary>Why a procedure type is not lawful for a value (<see cref="None"/>: it is).</summary>
public enum ProcedureClassBreach
{
    None,

    /// <summary>The value reaches the EU threshold, so only an EU procedure is lawful (§ 106 GWB).</summary>
    EuThresholdReached,

    /// <summary>A Direktauftrag above the Land's direct-award limit.</summary>
    AboveDirectAwardLimit,

    /// <summary>A Verhandlungsvergabe or Beschränkte Ausschreibung where the Land does not allow one for the value.</summary>
    NegotiatedAwardNotAllowed,
}

/// <summary>The answer of <see cref="ProcurementRuleSet.CheckProcedureClass"/>, with the threshold and Land limits it rests on.</summary>
public sealed record ProcedureClassCheck(
    ProcurementProcedureType Type, Money Value, DateOnly On, EuThreshold Threshold, LandProcurementLimits Limits, ProcedureClassBreach Breach)
{
    public bool Allowed => Breach == ProcedureClassBreach.None;
}

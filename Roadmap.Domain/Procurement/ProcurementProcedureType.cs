using System.Text.Json.Serialization;

namespace Roadmap.Domain.Procurement;

/// <summary>The procurement procedures a municipality can use, national (UVgO / Land rules) and EU-wide (VgV).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcurementProcedureType>))]
public enum ProcurementProcedureType
{
    Direktauftrag,
    Verhandlungsvergabe,
    BeschraenkteAusschreibung,
    OeffentlicheAusschreibung,
    EuOffenesVerfahren,
    EuNichtoffenesVerfahren,
    EuVerhandlungsverfahren,
    EuWettbewerblicherDialog,
}

/// <summary>The kind of contracting authority (and, for works, of contract) that selects the EU threshold.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContractingAuthorityKind>))]
public enum ContractingAuthorityKind
{
    /// <summary>Municipalities, counties and their companies: the usual case here.</summary>
    SubCentral,
    TopLevelFederal,
    Sector,
    Works,
}

public static class ProcurementProcedureTypes
{
    public static bool IsEu(this ProcurementProcedureType type) => type >= ProcurementProcedureType.EuOffenesVerfahren;

    /// <summary>Two-stage EU procedures: a participation competition comes before the offers.</summary>
    public static bool HasParticipationStage(this ProcurementProcedureType type) => type is
        ProcurementProcedureType.EuNichtoffenesVerfahren or ProcurementProcedureType.EuVerhandlungsverfahren or ProcurementProcedureType.EuWettbewerblicherDialog;

    /// <summary>
    /// How much competition and formality a procedure guarantees; choosing a procedure less strict than the suggested
    /// one needs a justification. EU open and restricted procedures are the standard procedures (§ 14 (2) VgV) and rank
    /// highest; the EU negotiated procedure and the competitive dialogue need grounds (§ 14 (3) VgV) and rank below
    /// them; every national procedure ranks below every EU procedure.
    /// </summary>
    public static int Strictness(this ProcurementProcedureType type) => type switch
    {
        ProcurementProcedureType.Direktauftrag => 0,
        ProcurementProcedureType.Verhandlungsvergabe => 1,
        ProcurementProcedureType.BeschraenkteAusschreibung => 2,
        ProcurementProcedureType.OeffentlicheAusschreibung => 3,
        ProcurementProcedureType.EuVerhandlungsverfahren or ProcurementProcedureType.EuWettbewerblicherDialog => 4,
        ProcurementProcedureType.EuOffenesVerfahren or ProcurementProcedureType.EuNichtoffenesVerfahren => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown procurement procedure type."),
    };

    public static bool IsLessStrictThan(this ProcurementProcedureType type, ProcurementProcedureType other) => type.Strictness() < other.Strictness();

    public static string GermanName(this ProcurementProcedureType type) => type switch
    {
        ProcurementProcedureType.Direktauftrag => "Direktauftrag",
        ProcurementProcedureType.Verhandlungsvergabe => "Verhandlungsvergabe",
        ProcurementProcedureType.BeschraenkteAusschreibung => "Beschränkte Ausschreibung",
        ProcurementProcedureType.OeffentlicheAusschreibung => "Öffentliche Ausschreibung",
        ProcurementProcedureType.EuOffenesVerfahren => "Offenes Verfahren (EU)",
        ProcurementProcedureType.EuNichtoffenesVerfahren => "Nicht offenes Verfahren (EU)",
        ProcurementProcedureType.EuVerhandlungsverfahren => "Verhandlungsverfahren (EU)",
        ProcurementProcedureType.EuWettbewerblicherDialog => "Wettbewerblicher Dialog (EU)",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown procurement procedure type."),
    };
}

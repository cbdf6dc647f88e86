using System.Text.Json.Serialization;

namespace Roadmap.Domain.Shared;

/// <summary>The kinds of Fachverfahren a municipality runs. Stored by name, so the order may change.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcedureCategory>))]
public enum ProcedureCategory
{
    Einwohnermeldewesen,
    Personenstandswesen,
    Finanzwesen,
    SteuernUndAbgaben,
    Gewerbe,
    BauverwaltungGis,
    Wahlen,
    KfzZulassung,
    SozialUndJugendhilfe,
    PersonalBesoldung,
    DokumentenmanagementEAkte,
    Sonstiges,
}

public static class ProcedureCategories
{
    /// <summary>The German name shown to mayors, e.g. "Sozial- und Jugendhilfe".</summary>
    public static string GermanName(this ProcedureCategory category) => category switch
    {
        ProcedureCategory.Einwohnermeldewesen => "Einwohnermeldewesen",
        ProcedureCategory.Personenstandswesen => "Personenstandswesen",
        ProcedureCategory.Finanzwesen => "Finanzwesen/Doppik",
        ProcedureCategory.SteuernUndAbgaben => "Steuern und Abgaben",
        ProcedureCategory.Gewerbe => "Gewerbe",
        ProcedureCategory.BauverwaltungGis => "Bauverwaltung/GIS",
        ProcedureCategory.Wahlen => "Wahlen",
        ProcedureCategory.KfzZulassung => "Kfz-Zulassung",
        ProcedureCategory.SozialUndJugendhilfe => "Sozial- und Jugendhilfe",
        ProcedureCategory.PersonalBesoldung => "Personal/Besoldung",
        ProcedureCategory.DokumentenmanagementEAkte => "Dokumentenmanagement/E-Akte",
        ProcedureCategory.Sonstiges => "Sonstiges",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown procedure category."),
    };
}

using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurements;

/// <summary>
/// Issue 10: the procedure class must be lawful for the value, judged again with the rules in force at the actual start
/// (§ 3 (3) VgV) and with the awarded value. The sentences cite the rule a refusal rests on.
/// </summary>
public static partial class ProcurementCase
{
    /// <summary>
    /// § 3 (3) VgV: the value is judged by the rules in force on the day the procedure actually begins (the notice is sent),
    /// not on the planned publication date the determination used. Refuses with <paramref name="whatToDo"/> when the
    /// determined type is not lawful under them.
    /// </summary>
    private static void RequireLawfulAtActualStart(
        ProcurementProcedureType type, OpenCase s, DateOnly actualStart, ProcurementRuleSet rules, string field, string whatToDo)
    {
        var check = rules.CheckProcedureClass(type, s.TotalNetValue.GetValueOrDefault(), s.LeadAgs.Land, actualStart, s.AuthorityKind);
        Guard.Require(check.Allowed, ViolationCodes.ProcedureDeterminationOutdated,
            $"The procedure actually begins on {Dates.English(actualStart)}, so the threshold and Land limits in force that day apply " +
            $"(§ 3 (3) VgV): {Unlawful(check)} {whatToDo}", field);
    }

    private static string CodeFor(ProcedureClassBreach breach) => breach switch
    {
        ProcedureClassBreach.EuThresholdReached => ViolationCodes.EuProcedureRequired,
        ProcedureClassBreach.AboveDirectAwardLimit => ViolationCodes.DirectAwardAboveLimit,
        ProcedureClassBreach.NegotiatedAwardNotAllowed => ViolationCodes.NegotiatedAwardAboveLandLimit,
        _ => throw new ArgumentOutOfRangeException(nameof(breach), breach, "A lawful procedure has no violation code."),
    };

    /// <summary>Why the checked type is not lawful for the value, citing the rule.</summary>
    private static string Unlawful(ProcedureClassCheck check)
    {
        var value = check.Value.ToGermanString();
        var limits = check.Limits;
        return check.Breach switch
        {
            ProcedureClassBreach.EuThresholdReached =>
                $"{value} reaches the EU threshold of {check.Threshold.Amount.ToGermanString()} ({check.Threshold.GermanLabel}) in force on " +
                $"{Dates.English(check.On)}, so only an EU procedure is lawful, whatever the justification (§ 106 GWB); a contract awarded in a " +
                $"{check.Type.GermanName()} would be void (§ 135 (1) no. 2 GWB).",
            ProcedureClassBreach.AboveDirectAwardLimit =>
                $"A Direktauftrag is only lawful up to the direct-award limit of {limits.DirectAwardMaxNet.ToGermanString()} " +
                $"({limits.GermanLabel}: {limits.Source}); {value} is above it.",
            ProcedureClassBreach.NegotiatedAwardNotAllowed =>
                $"The Land limits in force on {Dates.English(check.On)} ({limits.GermanLabel}: {limits.Source}) allow a {check.Type.GermanName()} " +
                (limits.NegotiatedAwardMaxNet is { } max ? $"only up to {max.ToGermanString()}" : "only up to the direct-award limit of " +
                    limits.DirectAwardMaxNet.ToGermanString()) +
                $"; {value} needs an Öffentliche Ausschreibung or an EU procedure.",
            _ => "The procedure is lawful for the value.",
        };
    }

    private static string AuthorityKindText(ContractingAuthorityKind kind) => kind switch
    {
        ContractingAuthorityKind.TopLevelFederal => "top-level federal authorities",
        ContractingAuthorityKind.Sector => "sector contracts (water, energy, transport)",
        ContractingAuthorityKind.Works => "works contracts",
        _ => "sub-central authorities",
    };

    /// <summary>
    /// The awarded value must be a value and fit the procedure: a Direktauftrag only up to the Land's direct-award limit, and
    /// no award whose value would have needed a stricter procedure under the rules in force at the actual start (§ 3 (3) VgV).
    /// The value and procedure are fixed once started, so the way out is a new case.
    /// </summary>
    private static void CheckAwardedValue(AwardProcurement c, OpenCase s, ProcurementProcedureType type, ProcurementRuleSet rules)
    {
        Guard.Require(c.NetValue > Money.Zero, ViolationCodes.AwardValueRequired,
            "An award needs the contract's net value in euros; zero is not a value.", "netValue");
        var actualStart = s.ActualStartOn.GetValueOrDefault();
        var check = rules.CheckProcedureClass(type, c.NetValue, s.LeadAgs.Land, actualStart, s.AuthorityKind);
        const string whatToDo = "A started procedure cannot be determined again: cancel this procurement and open a new case with a " +
            "procedure that fits the value.";
        Guard.Require(!(type == ProcurementProcedureType.Direktauftrag && c.NetValue > check.Limits.DirectAwardMaxNet),
            ViolationCodes.DirectAwardValueAboveLimit,
            $"A Direktauftrag cannot be awarded above the direct-award limit of {check.Limits.DirectAwardMaxNet.ToGermanString()} in force " +
            $"at the start on {Dates.English(actualStart)} ({check.Limits.GermanLabel}: {check.Limits.Source}); " +
            $"{c.NetValue.ToGermanString()} is above it. {whatToDo}", "netValue");
        Guard.Require(check.Allowed, ViolationCodes.AwardValueNeedsOtherProcedure,
            $"The awarded value does not fit the {type.GermanName()} that began on {Dates.English(actualStart)}: {Unlawful(check)} {whatToDo}",
            "netValue");
    }
}

namespace Roadmap.Domain.Procurement;

/// <summary>Consistency checks of a rule set; each finding is one English sentence.</summary>
internal static class ProcurementRuleSetValidation
{
    public static IEnumerable<string> Problems(ProcurementRuleSet rules) =>
    [
        .. Thresholds(rules.EuThresholds),
        .. LandLimits(rules.LandLimits),
        .. LegalPeriods(rules.LegalPeriods),
        .. Planning(rules.Planning),
        .. FreezeWindows(rules.FreezeWindows),
        .. PublicHolidays(rules.PublicHolidays),
    ];

    private static IEnumerable<string> Thresholds(IReadOnlyList<EuThresholdPeriod> periods)
    {
        if (periods.Count == 0)
        {
            yield return "No EU threshold period is defined.";
        }

        foreach (var problem in PeriodProblems("EU threshold period", periods))
        {
            yield return problem;
        }

        foreach (var period in periods)
        {
            foreach (var kind in Enum.GetValues<ContractingAuthorityKind>().Where(k => !period.Amounts.ContainsKey(k)))
            {
                yield return $"The EU threshold period from {period.ValidFrom:yyyy-MM-dd} has no amount for {kind}.";
            }
        }
    }

    private static IEnumerable<string> LandLimits(IReadOnlyList<LandProcurementLimits> limits)
    {
        if (!limits.Any(l => l.IsFallback))
        {
            yield return "No fallback Land limits (an entry without a Land) are defined.";
        }

        foreach (var group in limits.GroupBy(l => l.Land?.Value ?? "fallback"))
        {
            foreach (var problem in PeriodProblems($"Land limits {group.Key}", group.ToList()))
            {
                yield return problem;
            }
        }

        foreach (var l in limits.Where(l => l.NegotiatedAwardUpToEuThreshold && l.NegotiatedAwardMaxNet is not null))
        {
            yield return $"The Land limits {l.Name} from {l.ValidFrom:yyyy-MM-dd} allow negotiated awards both up to the EU threshold and up to a fixed amount.";
        }

        foreach (var l in limits.Where(l => l.NegotiatedAwardMaxNet < l.DirectAwardMaxNet))
        {
            yield return $"The Land limits {l.Name} from {l.ValidFrom:yyyy-MM-dd} set the negotiated-award limit below the direct-award limit.";
        }
    }

    private static IEnumerable<string> LegalPeriods(IReadOnlyList<LegalPeriodRules> periods)
    {
        if (periods.Count == 0)
        {
            yield return "No legal periods are defined.";
        }

        foreach (var problem in PeriodProblems("Legal periods", periods))
        {
            yield return problem;
        }

        foreach (var period in periods)
        {
            var euTypes = Enum.GetValues<ProcurementProcedureType>().Where(t => t.IsEu());
            foreach (var type in euTypes.Where(t => !period.MinimumDays.ContainsKey(t)))
            {
                yield return $"The legal periods from {period.ValidFrom:yyyy-MM-dd} have no minimum periods for {type}.";
            }

            if (period.StandstillDaysElectronic <= 0 || period.StandstillDaysOther <= 0 || period.ReviewDecisionWeeks <= 0 || period.AppealWeeks <= 0)
            {
                yield return $"The legal periods from {period.ValidFrom:yyyy-MM-dd} need positive standstill days, review weeks and appeal weeks.";
            }
        }
    }

    private static IEnumerable<string> Planning(IReadOnlyList<PlanningFigures> figures)
    {
        if (figures.Count == 0)
        {
            yield return "No planning figures are defined.";
        }

        foreach (var problem in PeriodProblems("Planning figures", figures))
        {
            yield return problem;
        }

        foreach (var f in figures)
        {
            var from = f.ValidFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var type in Enum.GetValues<ProcurementProcedureType>().Where(t => !f.ProcurementMonths.ContainsKey(t)))
            {
                yield return $"The planning figures from {from} have no procurement duration for {type}.";
            }

            if (f.ProcurementMonths.Values.Any(m => m <= 0) || f.MigrationMonthsByCategory.Values.Any(m => m <= 0) || f.DefaultMigrationMonths <= 0)
            {
                yield return $"The planning figures from {from} contain a duration that is not positive.";
            }

            if (f.GoLiveBufferMonths < 0 || f.ParallelRunMaxMonthsAfterCutOver < 0)
            {
                yield return $"The planning figures from {from} contain a negative buffer.";
            }

            if (f.HighRiskBelowDays <= 0 || f.ModerateRiskUpToDays < f.HighRiskBelowDays)
            {
                yield return $"The planning figures from {from} need 0 < high-risk days <= moderate-risk days.";
            }
        }
    }

    private static IEnumerable<string> FreezeWindows(IReadOnlyList<FreezeWindow> windows)
    {
        foreach (var w in windows)
        {
            if (string.IsNullOrWhiteSpace(w.Name) || w.Categories.Count == 0)
            {
                yield return $"The freeze window from {w.ValidFrom:yyyy-MM-dd} needs a name and at least one category.";
            }

            if ((w.AnnualFrom is null) != (w.AnnualTo is null))
            {
                yield return $"The freeze window {w.Name} needs both an annual start and an annual end.";
            }

            if (w.AnnualFrom is null && w.ValidTo is null)
            {
                yield return $"The freeze window {w.Name} is not annual and so needs an end date.";
            }

            if (w.ValidTo < w.ValidFrom)
            {
                yield return $"The freeze window {w.Name} ends before it starts.";
            }
        }
    }

    private static IEnumerable<string> PublicHolidays(IReadOnlyList<PublicHoliday> holidays)
    {
        foreach (var h in holidays)
        {
            if (string.IsNullOrWhiteSpace(h.Name) || string.IsNullOrWhiteSpace(h.Source))
            {
                yield return $"The public holiday from {h.ValidFrom:yyyy-MM-dd} needs a name and a source.";
            }

            if ((h.Fixed is null) == (h.EasterOffset is null))
            {
                yield return $"The public holiday {h.Name} needs either a fixed day (MM-DD) or an offset from Easter Sunday, not both.";
            }

            if (h.EasterOffset is < -100 or > 100)
            {
                yield return $"The public holiday {h.Name} lies more than 100 days from Easter Sunday.";
            }
        }

        foreach (var group in holidays.GroupBy(h => (h.Name, Land: h.Land?.Value ?? "nationwide")))
        {
            foreach (var problem in PeriodProblems($"The public holiday {group.Key.Name} ({group.Key.Land})", group.ToList()))
            {
                yield return problem;
            }
        }

        foreach (var h in holidays.Where(h => !h.IsNationwide && holidays.Any(n => n.IsNationwide && n.Name == h.Name && n.Overlaps(h))))
        {
            yield return $"The public holiday {h.Name} of Land {h.Land} is already nationwide.";
        }
    }

    private static IEnumerable<string> PeriodProblems<T>(string what, IReadOnlyList<T> entries) where T : IValidityPeriod
    {
        foreach (var e in entries.Where(e => e.ValidTo < e.ValidFrom))
        {
            yield return $"{what} from {e.ValidFrom:yyyy-MM-dd} ends before it starts.";
        }

        for (var i = 0; i < entries.Count; i++)
        {
            for (var j = i + 1; j < entries.Count; j++)
            {
                if (entries[i].Overlaps(entries[j]))
                {
                    yield return $"{what} from {entries[i].ValidFrom:yyyy-MM-dd} and from {entries[j].ValidFrom:yyyy-MM-dd} overlap.";
                }
            }
        }
    }
}

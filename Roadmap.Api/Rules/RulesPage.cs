using System.Globalization;
using System.Text;
using Roadmap.Api.Roadmaps;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using static Roadmap.Api.Roadmaps.GermanText;

namespace Roadmap.Api.Rules;

/// <summary>GET /regeln: the rules behind the roadmaps in German, in the style of the mayor's page; every text HTML-encoded.</summary>
public static class RulesPage
{
    public static string Render(RulesView rules)
    {
        var html = new StringBuilder();
        const string title = "Vergaberegeln und Planungsannahmen";
        MayorPage.Head(html, title);
        html.Append("<body>");
        html.Append("""<nav class="screen-only" aria-label="Navigation"><a href="/gemeinden">Alle Gemeinden des Landkreises</a><a href="/rules">Als JSON (/rules)</a></nav>""");
        html.Append(CultureInfo.InvariantCulture, $"<header><div><h1>{Encode(title)}</h1>");
        html.Append("""<div class="meta">Womit die Roadmaps rechnen: jede Angabe mit Gültigkeit und Quelle. Planungsannahmen sind Schätzungen, kein Recht.</div></div>""");
        html.Append(CultureInfo.InvariantCulture, $"""<div><div class="stand" id="stand">Stand: {Date(rules.Today)}</div>""");
        html.Append(CultureInfo.InvariantCulture,
            $"""<div class="meta" id="published-until">EU-Schwellenwerte veröffentlicht bis {Date(rules.PublishedThresholdsUntil)}; danach gerechnete Werte sind vorläufig.</div></div></header><main>""");

        Section(html, "thresholds", "EU-Schwellenwerte (Liefer- und Dienstleistungen, netto)",
            ["Gültig", "Subzentrale Auftraggeber", "Oberste Bundesbehörden", "Sektorenauftraggeber", "Bauaufträge", "Quelle"],
            rules.EuThresholds.Select(t => (t.Validity, new[]
            {
                Euro(t.Amounts.GetValueOrDefault(ContractingAuthorityKind.SubCentral)), Euro(t.Amounts.GetValueOrDefault(ContractingAuthorityKind.TopLevelFederal)),
                Euro(t.Amounts.GetValueOrDefault(ContractingAuthorityKind.Sector)), Euro(t.Amounts.GetValueOrDefault(ContractingAuthorityKind.Works)), t.Source,
            })));

        Section(html, "land-limits", "Wertgrenzen der Länder unterhalb der EU-Schwellenwerte",
            ["Gültig", "Land", "Direktauftrag bis", "Verhandlungsvergabe", "Ex-post-Veröffentlichung ab", "Quelle"],
            rules.LandLimits.Select(l => (l.Validity, new[]
            {
                l.Fallback ? $"{l.Name} (für Länder ohne eigene Angabe; Platzhalter)" : $"{l.Name} ({l.Land})",
                Euro(l.DirectAwardMaxNet),
                l.NegotiatedAwardUpToEuThreshold ? "bis zum EU-Schwellenwert" : l.NegotiatedAwardMaxNet is { } max ? $"bis {Euro(max)}" : "nicht vorgesehen",
                l.ExPostPublicationFromNet is { } from ? Euro(from) : "–",
                l.Source,
            })));

        foreach (var legal in rules.LegalPeriods)
        {
            Section(html, "legal-periods", "Gesetzliche Mindestfristen (Kalendertage, EU-Verfahren)",
                ["Gültig", "Verfahren", "Teilnahmefrist", "Angebotsfrist", "Quelle"],
                legal.MinimumDays.Select(m => (legal.Validity, new[] { m.GermanName, Days(m.Participation), Days(m.Offers), legal.Source })));
            html.Append(CultureInfo.InvariantCulture,
                $"""<p class="meta">Wartefrist vor dem Zuschlag (§ 134 GWB): {legal.StandstillDaysElectronic} Tage bei elektronischer Information, sonst {legal.StandstillDaysOther} Tage. Die Vergabekammer entscheidet binnen {legal.ReviewDecisionWeeks} Wochen; nach Zurückweisung eines Nachprüfungsantrags wartet der Zuschlag {legal.AppealWeeks} Wochen ab Zustellung der Entscheidung (§ 172 Abs. 1, § 169 Abs. 1 GWB). {Encode(ValidityText(legal.Validity))}</p>""");
        }

        foreach (var planning in rules.Planning)
        {
            var rows = planning.ProcurementMonths.Select(m => (planning.Validity, new[] { $"Vergabe: {m.Key.GermanName()}", Months(m.Value), planning.Source }))
                .Append((planning.Validity, new[] { "Vergabe ohne geschätzten Auftragswert", planning.ProcedureWhenValueUnknown.GermanName(), planning.Source }))
                .Append((planning.Validity, new[] { "Migration (üblich)", Months(planning.DefaultMigrationMonths), planning.Source }))
                .Concat(planning.MigrationMonthsByCategory.Select(m => (planning.Validity, new[] { $"Migration {m.Key.GermanName()}", Months(m.Value), planning.Source })))
                .Append((planning.Validity, new[] { "Puffer vor Supportende", Months(planning.GoLiveBufferMonths), planning.Source }))
                .Append((planning.Validity, new[] { "Parallelbetrieb nach Umstellung höchstens", Months(planning.ParallelRunMaxMonthsAfterCutOver), planning.Source }))
                .Append((planning.Validity, new[]
                {
                    "Risikostufen", $"hoch unter {planning.HighRiskBelowDays} Tagen, mittel bis {planning.ModerateRiskUpToDays} Tage Puffer", planning.Source,
                }));
            Section(html, "planning", "Planungsannahmen (Schätzungen)", ["Gültig", "Angabe", "Wert", "Quelle"], rows);
        }

        Section(html, "freeze-windows", "Sperrzeiten ohne Umstellung",
            ["Gültig", "Sperrzeit", "Zeitraum", "Verfahren", "Land", "Quelle"],
            rules.FreezeWindows.Select(w => (w.Validity, new[]
            {
                w.Name,
                w.Annual is { } annual ? $"jährlich {DayOfYear(annual.From)} bis {DayOfYear(annual.To)}" : $"{Date(w.Validity.ValidFrom)} bis {(w.Validity.ValidTo is { } to ? Date(to) : "auf Weiteres")}",
                string.Join(", ", w.Categories.Select(c => c.GermanName())),
                w.Land is null ? "alle" : w.Land,
                w.Source,
            })));

        Section(html, "public-holidays", $"Gesetzliche Feiertage (Fristende am nächsten Werktag), Daten {rules.Today.Year}",
            ["Gültig", "Feiertag", "Regel", $"Datum {rules.Today.Year}", "Land", "Quelle"],
            rules.PublicHolidays.Select(h => (h.Validity, new[]
            {
                h.Name,
                h.Fixed is { } fixedDay ? $"jährlich am {DayOfYear(fixedDay)}" : h.EasterOffset is { } offset ? EasterText(offset) : "–",
                h.DateInYear is { } date ? Date(date) : "–",
                h.Land is null ? "bundesweit" : h.Land,
                h.Source,
            })));
        html.Append("""<p class="meta">Endet eine Frist an einem Samstag, Sonntag oder gesetzlichen Feiertag, endet sie mit Ablauf des nächsten Werktags (Art. 3 Abs. 4 VO (EWG, Euratom) Nr. 1182/71, § 82 VgV).</p>""");

        html.Append("</main>");
        html.Append("""<footer>Grau: zum Stand nicht in Kraft. Planungsannahmen sind Schätzungen des IT-Verbunds, kein Recht; Termine, die auf noch nicht veröffentlichten Schwellenwerten beruhen, sind in den Roadmaps als vorläufig markiert.</footer>""");
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Section(StringBuilder html, string id, string heading, string[] columns, IEnumerable<(Validity Validity, string[] Cells)> rows)
    {
        html.Append(CultureInfo.InvariantCulture, $"""<section aria-labelledby="h-{id}"><h2 id="h-{id}">{Encode(heading)}</h2><table id="{id}"><thead><tr>""");
        foreach (var column in columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<th scope="col">{Encode(column)}</th>""");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var (validity, cells) in rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-in-force="{(validity.InForce ? "true" : "false")}"{(validity.InForce ? "" : " style=\"color:#757575\"")}><td>{Encode(ValidityText(validity))}</td>""");
            foreach (var cell in cells)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{Encode(cell)}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></section>");
    }

    private static string ValidityText(Validity v) =>
        (v.ValidTo is { } to ? $"{Date(v.ValidFrom)}–{Date(to)}" : $"seit {Date(v.ValidFrom)}") + (v.InForce ? " (in Kraft)" : "");

    private static string Euro(decimal amount) => new Money(amount).ToGermanString();

    private static string Months(int months) => months == 1 ? "1 Monat" : $"{months} Monate";

    private static string Days(PeriodDays? days)
    {
        if (days is null)
        {
            return "keine feste Frist";
        }

        var text = $"{days.Standard} Tage";
        if (days.Electronic is { } e)
        {
            text += $", elektronisch {e}";
        }

        if (days.Urgent is { } u)
        {
            text += $", dringlich {u}";
        }

        return text;
    }

    private static string EasterText(int offset) => offset switch
    {
        0 => "Ostersonntag",
        > 0 => $"Ostersonntag + {offset} Tage",
        _ => $"Ostersonntag − {-offset} Tage",
    };

    /// <summary>"12-15" as "15.12.".</summary>
    private static string DayOfYear(string monthDay) => $"{monthDay[3..]}.{monthDay[..2]}.";
}

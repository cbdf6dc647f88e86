using System.Globalization;
using System.Text;
using Roadmap.Domain.Procurement;
using Roadmap.Projections.Roadmaps;
using static Roadmap.Api.Roadmaps.GermanText;

namespace Roadmap.Api.Roadmaps;

/// <summary>
/// The mayor's page: one printable German page with the timeline, the decisions due now and the notes that a
/// council needs. Server-rendered without script, every text HTML-encoded.
/// </summary>
public static class MayorPage
{
    /// <param name="alerts">The deadline alerts of the last 30 days ("Fristen"), newest first; null leaves the section out.</param>
    public static string Render(MunicipalityRoadmap roadmap, IReadOnlyList<Roadmap.Api.Deadlines.RecordedAlert>? alerts = null)
    {
        var html = new StringBuilder();
        var title = $"Roadmap der Verfahrensablösungen – {roadmap.Name}";
        Head(html, title);
        html.Append("<body>");
        html.Append(CultureInfo.InvariantCulture,
            $"""<nav class="screen-only" aria-label="Navigation"><a href="/gemeinden">Alle Gemeinden des Landkreises</a><a href="/municipalities/{Encode(roadmap.Ags)}/roadmap.ics">Termine als Kalender abonnieren (iCalendar)</a><a href="/regeln">Vergaberegeln und Planungsannahmen</a></nav>""");
        html.Append("<header><div>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{Encode(title)}</h1>");
        html.Append(CultureInfo.InvariantCulture,
            $"""<div class="meta">Amtlicher Gemeindeschlüssel {Encode(roadmap.Ags)} · {roadmap.Entries.Count} Verfahren</div>""");
        html.Append("</div><div>");
        html.Append(CultureInfo.InvariantCulture, $"""<div class="stand" id="stand">Stand: {Date(roadmap.Stand)}</div>""");
        if (roadmap.AsOf is { } asOf)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="meta">Wissensstand vom {Date(asOf)}: spätere Meldungen sind nicht berücksichtigt.</div>""");
        }

        if (roadmap.Today != roadmap.Stand)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="meta">Puffer gerechnet ab {Date(roadmap.Today)}</div>""");
        }

        html.Append(CultureInfo.InvariantCulture, $"""<div class="meta">{Counts(roadmap.Counts)}</div>""");
        html.Append("</div></header><main>");

        html.Append("""<section aria-labelledby="h-timeline"><h2 id="h-timeline">Zeitplan je Verfahren</h2>""");
        html.Append(TimelineSvg.Render(roadmap));
        // Print: condensed lanes, up to TimelineSvg.LanesPerSheet per A4 sheet; a further sheet repeats the header.
        var sheets = roadmap.Entries.Chunk(TimelineSvg.LanesPerSheet).ToList();
        for (var i = 0; i < sheets.Count; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="print-only print-sheet{(i > 0 ? " next-sheet" : string.Empty)}">""");
            if (i > 0)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"""<div class="sheet-header"><strong>{Encode(title)}</strong><span>Stand: {Date(roadmap.Stand)} · Blatt {i + 1} von {sheets.Count}</span></div>""");
            }

            html.Append(TimelineSvg.RenderCompact(roadmap, sheets[i]));
            html.Append("</div>");
        }

        Legend(html);
        html.Append("</section>");

        html.Append("""<div class="columns">""");
        Decisions(html, roadmap);
        if (alerts is not null)
        {
            Deadlines(html, alerts);
        }

        Notes(html, roadmap);
        html.Append("</div></main>");
        html.Append(
            """<footer>Alle Termine sind späteste Termine: Supportende des Herstellers abzüglich Puffer, Migrations- und Vergabedauer nach den Planungsannahmen des IT-Verbunds. Farben, Symbole und Wörter nennen dieselbe Risikostufe. Akzeptiertes Risiko und erweiterter Support sind vermerkt, gelten aber nicht als Entwarnung.</footer>""");
        html.Append("</body></html>");
        return html.ToString();
    }

    internal static void Head(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>");
        // No favicon request: the page loads nothing but itself.
        html.Append("<link rel=\"icon\" href=\"data:,\">");
        html.Append(CultureInfo.InvariantCulture, $"<style>{PageStyles.Css}</style></head>");
    }

    /// <summary>"2 verspätet, 1 hohes Risiko, …", leaving out empty bands.</summary>
    internal static string Counts(BandCounts counts)
    {
        (int Count, SlackBand? Band)[] all =
            [(counts.Late, SlackBand.Late), (counts.High, SlackBand.High), (counts.Moderate, SlackBand.Moderate), (counts.Low, SlackBand.Low), (counts.Unknown, null)];
        var parts = all.Where(c => c.Count > 0).Select(c => $"""<span class="pill pill-band band-{BandKey(c.Band)}">{BandSymbol(c.Band)} {c.Count} {Encode(BandName(c.Band))}</span>""").ToList();
        return parts.Count == 0 ? "Keine Verfahren" : string.Join(" ", parts);
    }

    private static void Legend(StringBuilder html)
    {
        html.Append("""<ul class="legend" aria-label="Legende">""");
        foreach (var band in GermanText.AllBands)
        {
            var fill = band == SlackBand.Late ? "url(#legend-hatch)" : BandColour(band);
            html.Append(CultureInfo.InvariantCulture,
                $"""<li class="band-{BandKey(band)}"><svg width="18" height="14" aria-hidden="true"><rect x="1" y="1" width="16" height="12" rx="2" fill="{fill}" stroke="#424242" stroke-width="0.5"/></svg><span><strong>{BandSymbol(band)} {Encode(BandName(band))}</strong>: {Encode(BandMeaning(band))}</span></li>""");
        }

        html.Append("""<li><svg width="30" height="14" aria-hidden="true"><rect x="1" y="2" width="28" height="10" rx="2" fill="#757575" stroke="#212121"/></svg><span>Vergabe: spätester Beginn bis späteste Zuschlagserteilung</span></li>""");
        html.Append("""<li><svg width="30" height="14" aria-hidden="true"><rect x="1" y="2" width="28" height="10" rx="2" fill="#757575" fill-opacity="0.3" stroke="#757575" stroke-width="1.5" stroke-dasharray="5 3"/></svg><span>Migration bis zum spätesten Produktivstart</span></li>""");
        html.Append("""<li><svg width="16" height="16" aria-hidden="true"><path d="M 8 1 L 15 8 L 8 15 L 1 8 Z" fill="#212121"/></svg><span>Supportende</span></li>""");
        html.Append("""<li><svg width="12" height="16" aria-hidden="true"><line x1="6" y1="0" x2="6" y2="16" stroke="#1565c0" stroke-width="2" stroke-dasharray="4 2"/></svg><span>Heute</span></li>""");
        html.Append("""<li><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="4" fill="#ffffff" stroke="#212121" stroke-width="1.5"/></svg><span>Erledigt oder geplant (Vergabe begonnen, Zuschlag, Umstellung)</span></li>""");
        // The hatch of the late band, for the legend's own small SVGs (ids are document-wide).
        html.Append("""<li hidden><svg width="0" height="0"><defs><pattern id="legend-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#c62828"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs></svg></li>""");
        html.Append("</ul>");
    }

    private static void Decisions(StringBuilder html, MunicipalityRoadmap roadmap)
    {
        html.Append("""<section aria-labelledby="h-decisions"><h2 id="h-decisions">Entscheidungen, die jetzt anstehen</h2>""");
        if (roadmap.DecisionsDue.Count == 0)
        {
            html.Append("""<p id="decisions" class="decisions-none">Derzeit steht keine Entscheidung an.</p></section>""");
            return;
        }

        html.Append("""<ol class="decisions" id="decisions">""");
        foreach (var decision in roadmap.DecisionsDue.OrderBy(d => d.Due).ThenBy(d => d.Procedure, StringComparer.Ordinal))
        {
            var due = decision.Due < roadmap.Today ? $"überfällig seit {Date(decision.Due)}" : $"bis {Date(decision.Due)}";
            if (roadmap.Entries.Any(e => e.ProcedureId == decision.ProcedureId && e.Milestones is { Provisional: true }))
            {
                due += " (vorläufig)";
            }

            html.Append(CultureInfo.InvariantCulture,
                $"""<li data-procedure-id="{decision.ProcedureId}" class="band-{BandKey(decision.Band)}"><span class="due">{Encode(due)}</span> – <strong>{Encode(decision.Procedure)}</strong>: {Encode(decision.What)} <span class="pill pill-band band-{BandKey(decision.Band)}">{BandSymbol(decision.Band)} {Encode(BandName(decision.Band))}</span></li>""");
        }

        html.Append("</ol></section>");
    }

    /// <summary>"Fristen": the deadline alerts Roadmap recorded in the last 30 days, newest first, in words.</summary>
    private static void Deadlines(StringBuilder html, IReadOnlyList<Roadmap.Api.Deadlines.RecordedAlert> alerts)
    {
        // Without alerts the section says so on screen and takes no room on the printed sheet.
        html.Append(alerts.Count == 0 ? """<section class="screen-only" aria-labelledby="h-deadlines">""" : """<section aria-labelledby="h-deadlines">""");
        html.Append("""<h2 id="h-deadlines">Fristen der letzten 30 Tage</h2>""");
        if (alerts.Count == 0)
        {
            html.Append("""<p id="deadlines" class="deadlines-none">In den letzten 30 Tagen wurde keine Frist gemeldet.</p></section>""");
            return;
        }

        html.Append("""<ul class="decisions deadlines" id="deadlines">""");
        foreach (var alert in alerts)
        {
            var band = BandOf(alert.Data.Band);
            var day = Date(Roadmap.Domain.Shared.CalendarDay.Of(alert.RecordedAt));
            html.Append(CultureInfo.InvariantCulture,
                $"""<li data-procedure-id="{alert.Data.ProcedureId}" class="band-{BandKey(band)}"><span class="due">{day}</span> – <strong>{Encode(alert.Data.Procedure)}</strong>: {Encode(AlertText(alert.Data))}</li>""");
        }

        html.Append("</ul></section>");
    }

    /// <summary>One alert as a German sentence.</summary>
    public static string AlertText(Roadmap.Api.Deadlines.DeadlineAlertData alert)
    {
        var milestone = alert.Milestone == Roadmap.Domain.Municipalities.DeadlineAlertLog.Award ? "Zuschlag" : "Beginn des Vergabeverfahrens";
        var due = Date(DateOnly.ParseExact(alert.DueOn, "yyyy-MM-dd", CultureInfo.InvariantCulture));
        return alert.Reason switch
        {
            "missed" => $"Frist versäumt – spätester {milestone} war am {due}.",
            Roadmap.Domain.Municipalities.DeadlineAlertLog.BandWorsened =>
                $"Risiko gestiegen von „{BandName(BandOf(alert.PreviousBand))}“ auf „{BandName(BandOf(alert.Band))}“ – spätester {milestone} am {due}, noch {Days(alert.DaysLeft)}.",
            _ when alert.DaysLeft == 0 => $"Heute ist der späteste {milestone} ({due}).",
            _ => $"Spätester {milestone} am {due} – noch {Days(alert.DaysLeft)} (Erinnerung {alert.LeadDays} Tage vorher).",
        };
    }

    private static SlackBand? BandOf(string? band) => band switch
    {
        "late" => SlackBand.Late,
        "high" => SlackBand.High,
        "moderate" => SlackBand.Moderate,
        "low" => SlackBand.Low,
        _ => null,
    };

    /// <summary>Badges in full and provisional thresholds: what a council should know beside the dates.</summary>
    private static void Notes(StringBuilder html, MunicipalityRoadmap roadmap)
    {
        html.Append("""<section aria-labelledby="h-notes"><h2 id="h-notes">Hinweise</h2>""");
        var notes = new List<string>();
        foreach (var warning in roadmap.SplittingWarnings)
        {
            notes.Add($"""<li class="warning" data-warning="splitting"><strong>Warnung:</strong> {Encode(warning.Message)}{(warning.Provisional ? " (Schwellenwert vorläufig)" : "")}</li>""");
        }

        foreach (var entry in roadmap.Entries)
        {
            var badges = BadgeTexts(entry.Badges, compact: false).Select(b => $"""<span class="pill pill-badge">{Encode(b)}</span>""");
            var texts = badges.ToList();
            if (entry.ProcedureType is { Provisional: true } type)
            {
                texts.Add(Encode($"Vergabeart und Termine vorläufig, der Schwellenwert ({type.ThresholdPeriod}) ist noch nicht veröffentlicht: {type.Reason}"));
            }

            if (entry.ProcedureType is { AuthorityKind: not ContractingAuthorityKind.SubCentral } kind)
            {
                texts.Add($"""<span data-note="authority-kind">{Encode($"Auftraggeberart {RoadmapCalculator.AuthorityKindName(kind.AuthorityKind)}, Begründung: {kind.AuthorityKindJustification ?? "keine erfasst"}")}</span>""");
            }

            if (entry.EndOfSupportToBeAnnounced)
            {
                texts.Add("Supportende noch nicht angekündigt");
            }

            if (texts.Count > 0)
            {
                notes.Add($"""<li data-procedure-id="{entry.ProcedureId}"><strong>{Encode(entry.Name)}</strong>: {string.Join(" ", texts)}</li>""");
            }
        }

        html.Append(notes.Count == 0 ? "<p>Keine besonderen Hinweise.</p>" : $"""<ul class="notes">{string.Concat(notes)}</ul>""");
        html.Append("</section>");
    }

    /// <summary>The badges as German words; <paramref name="compact"/> for the timeline's label column.</summary>
    public static IEnumerable<string> BadgeTexts(Badges badges, bool compact)
    {
        if (badges.AcceptedRisk is { } risk)
        {
            yield return compact ? "Risiko akzeptiert" : $"Risiko akzeptiert bis {Date(risk.Until)} ({risk.AcceptedBy}: {risk.Reason})";
        }

        if (badges.ExtendedSupportUntil is { } until)
        {
            yield return compact ? "Erweiterter Support" : $"Erweiterter Support bis {Date(until)}";
        }

        if (badges.JointProcurement is { } joint)
        {
            yield return compact ? "Gemeinsame Vergabe" : $"Gemeinsame Vergabe „{joint.Title}“ mit {joint.ParticipantAgs.Count} Gemeinden";
        }
    }
}

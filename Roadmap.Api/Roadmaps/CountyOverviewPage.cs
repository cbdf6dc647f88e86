using System.Globalization;
using System.Text;
using Roadmap.Domain.Procurement;
using Roadmap.Projections.Roadmaps;
using static Roadmap.Api.Roadmaps.GermanText;

namespace Roadmap.Api.Roadmaps;

/// <summary>A registered municipality of the county, for the overview's list.</summary>
public sealed record CountyMunicipality(string Ags, string Name);

/// <summary>
/// The county overview: every registered municipality with its procedures per band (from the risk board) and a
/// link to its roadmap. Municipalities without procedures are listed too, so none is missing from the list.
/// </summary>
public static class CountyOverviewPage
{
    /// <param name="municipalities">The county's registered municipalities; the county's own entry (its AGS ends in 000, e.g.
    /// "Landkreis Landsberg am Lech") names the county in the title.</param>
    public static string Render(IReadOnlyList<CountyMunicipality> municipalities, RiskBoard board)
    {
        var html = new StringBuilder();
        var county = municipalities.FirstOrDefault(m => m.Ags == board.CountyAgs)?.Name is { Length: > 0 } name
            ? name.StartsWith("Landkreis ", StringComparison.Ordinal) || name.StartsWith("Kreis", StringComparison.Ordinal) ? name : $"Landkreis {name}"
            : $"Landkreis {board.CountyAgs}";
        var title = $"Roadmaps der Gemeinden im {county}";
        MayorPage.Head(html, title);
        html.Append("<body><header><div>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{Encode(title)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"""<div class="meta">{municipalities.Count} Gemeinden · {MayorPage.Counts(board.Counts)}</div>""");
        html.Append(CultureInfo.InvariantCulture, $"""</div><div class="stand" id="stand">Stand: {Date(board.Stand)}</div></header><main>""");
        html.Append("""<table id="municipalities"><caption class="meta">Verfahren je Gemeinde nach Risikostufe</caption><thead><tr><th scope="col">Gemeinde</th><th scope="col">AGS</th>""");
        foreach (var band in AllBands)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<th scope="col" class="count">{BandSymbol(band)} {Encode(BandName(band))}</th>""");
        }

        html.Append("""<th scope="col" class="count">Verfahren</th><th scope="col">Kalender</th></tr></thead><tbody>""");
        var cells = board.Rows.SelectMany(r => r.Cells).DistinctBy(c => c.ProcedureId).ToLookup(c => c.Ags);
        foreach (var municipality in municipalities.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Ags, StringComparer.Ordinal))
        {
            var own = cells[municipality.Ags].ToList();
            html.Append(CultureInfo.InvariantCulture,
                $"""<tr data-ags="{Encode(municipality.Ags)}"><th scope="row"><a href="/gemeinden/{Encode(municipality.Ags)}/roadmap">{Encode(municipality.Name)}</a></th><td>{Encode(municipality.Ags)}</td>""");
            foreach (var band in AllBands)
            {
                var count = own.Count(c => c.Band == band);
                html.Append(CultureInfo.InvariantCulture, $"""<td class="count">{(count == 0 ? "–" : count.ToString(CultureInfo.InvariantCulture))}</td>""");
            }

            html.Append(CultureInfo.InvariantCulture,
                $"""<td class="count">{own.Count}</td><td><a href="/municipalities/{Encode(municipality.Ags)}/roadmap.ics">.ics<span class="visually-hidden"> – Kalender von {Encode(municipality.Name)}</span></a></td></tr>""");
        }

        if (municipalities.Count == 0)
        {
            html.Append("""<tr><td colspan="9">Im Landkreis ist noch keine Gemeinde registriert.</td></tr>""");
        }

        html.Append("</tbody></table></main>");
        html.Append("<footer>Risikostufen nach dem Puffer bis zum spätesten Vergabebeginn; Symbol und Wort nennen die Stufe auch ohne Farbe.</footer>");
        html.Append("</body></html>");
        return html.ToString();
    }
}

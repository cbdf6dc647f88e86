using System.Text.RegularExpressions;
using System.Xml.Linq;
using Roadmap.Api.Roadmaps;
using Roadmap.Domain.Procurement;

namespace Roadmap.Api.Tests.Pages;

public sealed partial class MayorPageTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument TimelineOf(string html)
    {
        var start = html.IndexOf("<svg xmlns=", StringComparison.Ordinal);
        var end = html.IndexOf("</svg>", start, StringComparison.Ordinal) + "</svg>".Length;
        return XDocument.Parse(html[start..end]);
    }

    [Fact]
    public void Every_procedure_has_a_lane_in_the_timeline()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var svg = TimelineOf(MayorPage.Render(roadmap));

        var lanes = svg.Descendants(Svg + "g").Where(g => g.Attribute("data-procedure-id") is not null).ToList();
        Assert.Equal(roadmap.Entries.Select(e => e.ProcedureId.ToString()), lanes.Select(l => l.Attribute("data-procedure-id")!.Value));
        Assert.All(lanes, lane => Assert.False(string.IsNullOrWhiteSpace(lane.Attribute("aria-label")?.Value)));
        Assert.All(lanes, lane => Assert.NotNull(lane.Element(Svg + "title")));
    }

    [Fact]
    public void Lanes_with_milestones_have_procurement_and_migration_bars_and_an_end_of_support_marker()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var svg = TimelineOf(MayorPage.Render(roadmap));

        var lanes = svg.Descendants(Svg + "g").Where(g => g.Attribute("data-procedure-id") is not null).ToList();
        foreach (var (entry, lane) in roadmap.Entries.Zip(lanes))
        {
            var classes = lane.Descendants().Select(e => e.Attribute("class")?.Value).ToList();
            Assert.Equal(entry.Milestones is not null, classes.Contains("bar procurement"));
            Assert.Equal(entry.Milestones is not null, classes.Contains("bar migration"));
            Assert.Equal(entry.Milestones is not null, classes.Contains("end-of-support"));
        }

        Assert.Contains("Supportende noch nicht angekündigt", svg.ToString(), StringComparison.Ordinal);
        Assert.Contains(svg.Descendants(Svg + "g"), g => g.Attribute("class")?.Value == "today");
        Assert.Contains("Heute 12.05.2026", svg.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_decisions_due_are_listed_with_german_dates()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var html = MayorPage.Render(roadmap);

        Assert.Contains("<h2 id=\"h-decisions\">Entscheidungen, die jetzt anstehen</h2>", html, StringComparison.Ordinal);
        Assert.Contains("überfällig seit 31.03.2026", html, StringComparison.Ordinal);
        Assert.Contains("bis 30.06.2026", html, StringComparison.Ordinal);
        Assert.Contains("Vergabeverfahren (EU-Verhandlungsverfahren) starten", html, StringComparison.Ordinal);
        Assert.Contains("Stand: 12.05.2026", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(IsoDate(), html.Replace("data:,", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void No_decisions_due_says_so()
    {
        var roadmap = SampleRoadmaps.Kaufering() with { DecisionsDue = [] };

        Assert.Contains("Derzeit steht keine Entscheidung an.", MayorPage.Render(roadmap), StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_html_encoded_in_the_page_and_the_svg()
    {
        const string Hostile = "<script>alert('x')</script> & \"Co\"";
        var roadmap = SampleRoadmaps.Kaufering(SampleRoadmaps.Entry(Hostile, SlackBand.Low, new DateOnly(2031, 1, 1))) with { Name = "Kaufering <b>" };

        var html = MayorPage.Render(roadmap);

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains(TimelineOf(html).Descendants(Svg + "text"), t => t.Value.StartsWith("<script>alert", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_band_is_named_in_words_and_symbols_not_only_in_colour()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var html = MayorPage.Render(roadmap);
        var svg = TimelineOf(html);

        foreach (var entry in roadmap.Entries)
        {
            var lane = svg.Descendants(Svg + "g").Single(g => g.Attribute("data-procedure-id")?.Value == entry.ProcedureId.ToString());
            var words = GermanText.BandName(entry.Band);
            Assert.Contains(words, lane.Attribute("aria-label")!.Value, StringComparison.Ordinal);
            Assert.Contains(lane.Descendants(Svg + "text"), t => t.Value.Contains($"{GermanText.BandSymbol(entry.Band)} {words}", StringComparison.Ordinal));
        }

        foreach (var band in GermanText.AllBands)
        {
            Assert.Contains($"{GermanText.BandSymbol(band)} {GermanText.BandName(band)}</strong>", html, StringComparison.Ordinal);
        }

        Assert.Contains("url(#hatch-late)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Badges_are_shown_as_notes_and_in_the_lanes()
    {
        var html = MayorPage.Render(SampleRoadmaps.Kaufering());

        Assert.Contains("Risiko akzeptiert bis 31.12.2026 (bgm.huber: Haushaltssperre)", html, StringComparison.Ordinal);
        Assert.Contains("Erweiterter Support bis 30.06.2028", html, StringComparison.Ordinal);
        Assert.Contains("Gemeinsame Vergabe „Wahlsoftware 2029“ mit 2 Gemeinden", html, StringComparison.Ordinal);
        Assert.Contains("im Betrieb · Risiko akzeptiert</text>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_is_german_printable_on_a4_landscape_and_loads_nothing_else()
    {
        var html = MayorPage.Render(SampleRoadmaps.Kaufering());

        Assert.StartsWith("<!DOCTYPE html><html lang=\"de\">", html, StringComparison.Ordinal);
        Assert.Contains("@page { size: A4 landscape; margin: 12mm; }", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("login", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_empty_roadmap_renders_a_well_formed_timeline_with_a_note()
    {
        var roadmap = SampleRoadmaps.Kaufering() with { Entries = [], DecisionsDue = [] };

        var svg = TimelineOf(MayorPage.Render(roadmap));

        Assert.Contains("keine Verfahren erfasst", svg.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_axis_starts_at_today_or_the_earliest_date_and_ends_a_quarter_after_the_last()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var (from, to) = TimelineSvg.Range(roadmap);

        Assert.Equal(new DateOnly(2026, 1, 1), from); // the first lane's latest procurement start, 31.03.2026, is before today
        Assert.Equal(new DateOnly(2030, 10, 1), to);
    }

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDate();
}

public sealed class MayorPageRuleNotesTests
{
    [Fact]
    public void The_page_links_the_rules_page()
    {
        Assert.Contains("<a href=\"/regeln\">", MayorPage.Render(SampleRoadmaps.Kaufering()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_splitting_warning_a_provisional_figure_and_an_authority_kind_are_shown_as_notes()
    {
        var split = SampleRoadmaps.Entry("Gewerbe Teil 1", SlackBand.Low, new DateOnly(2029, 12, 31), category: Roadmap.Domain.Shared.ProcedureCategory.Gewerbe);
        var sector = SampleRoadmaps.Entry("Wasser", SlackBand.Low, new DateOnly(2029, 12, 31), category: Roadmap.Domain.Shared.ProcedureCategory.Sonstiges);
        sector = sector with
        {
            ProcedureType = sector.ProcedureType! with
            {
                Provisional = true, ThresholdPeriod = "2026–2027, vorläufig",
                AuthorityKind = ContractingAuthorityKind.Sector, AuthorityKindJustification = "Wasserversorgung",
            },
            Milestones = sector.Milestones! with { Provisional = true },
        };
        var warning = new Roadmap.Projections.Roadmaps.SplittingWarning("09181118", Roadmap.Domain.Shared.ProcedureCategory.Gewerbe, "Gewerbe",
            new DateOnly(2026, 4, 1), new DateOnly(2026, 9, 1), 230_000m, 216_000m, "2026–2027", false, [],
            "Mögliche unzulässige Aufteilung (§ 3 Abs. 2 VgV): 2 Vergabefälle der Kategorie Gewerbe");
        var roadmap = SampleRoadmaps.Kaufering(split with { SplittingWarning = warning }, sector) with { SplittingWarnings = [warning] };

        var html = MayorPage.Render(roadmap);

        Assert.Contains("data-warning=\"splitting\"><strong>Warnung:</strong> Mögliche unzulässige Aufteilung (§ 3 Abs. 2 VgV)", html, StringComparison.Ordinal);
        Assert.Contains("Vergabeart und Termine vorläufig, der Schwellenwert (2026–2027, vorläufig) ist noch nicht veröffentlicht", html, StringComparison.Ordinal);
        Assert.Contains("Auftraggeberart Sektorenauftraggeber, Begründung: Wasserversorgung", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Auftraggeberart subzentraler", html, StringComparison.Ordinal);
    }
}

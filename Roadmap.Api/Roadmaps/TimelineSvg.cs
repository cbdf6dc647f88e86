using System.Globalization;
using System.Text;
using Roadmap.Domain.Procurement;
using Roadmap.Projections.Roadmaps;
using static Roadmap.Api.Roadmaps.GermanText;

namespace Roadmap.Api.Roadmaps;

/// <summary>
/// The inline SVG timeline of the mayor's page: one lane per procedure, the procurement and migration phases as
/// bars, end of support as a diamond, a "Heute" line. Bands are told by colour, by a symbol and by their name, so
/// a black-and-white print and a colour-blind reader lose nothing. Pure: the same roadmap gives the same markup.
/// </summary>
public static class TimelineSvg
{
    private const double Width = 1200;
    private const double ChartLeft = 380;
    private const double ChartRight = Width - 16;
    private const double AxisHeight = 58;
    private const double LaneHeight = 66;
    private const double BarTop = 20;
    private const double BarHeight = 22;

    public static string Render(MunicipalityRoadmap roadmap)
    {
        var (from, to) = Range(roadmap);
        var scale = new Scale(from, to);
        var lanes = Math.Max(1, roadmap.Entries.Count);
        var height = AxisHeight + (lanes * LaneHeight) + 8;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {N(Width)} {N(height)}" role="group" aria-labelledby="timeline-title timeline-desc" preserveAspectRatio="xMinYMin meet">""");
        svg.Append("<title id=\"timeline-title\">Zeitplan der Verfahrensablösungen</title>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<desc id=\"timeline-desc\">{Encode($"{roadmap.Entries.Count} Verfahren von {Date(from)} bis {Date(to)}; je Verfahren eine Zeile mit Vergabe (spätester Beginn bis späteste Zuschlagserteilung), Migration (bis zum spätesten Produktivstart) und Supportende.")}</desc>");
        Defs(svg);
        Axis(svg, scale, height);
        if (roadmap.Entries.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{N(ChartLeft)}" y="{N(AxisHeight + 36)}" class="note">Für diese Gemeinde sind keine Verfahren erfasst.</text>""");
        }

        for (var i = 0; i < roadmap.Entries.Count; i++)
        {
            Lane(svg, scale, roadmap.Entries[i], AxisHeight + (i * LaneHeight), i);
        }

        TodayLine(svg, scale, roadmap.Today, height);
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Procedures per printed sheet: up to this many fit one A4 landscape sheet with the decisions below.</summary>
    public const int LanesPerSheet = 20;

    private const double CompactLaneHeight = 20;
    private const double CompactBarTop = 4;
    private const double CompactBarHeight = 12;

    /// <summary>
    /// The timeline for print (issue 14): condensed lanes (name; band, slack and state on one line; the bars; the end of
    /// support) on the whole roadmap's time scale, for the entries of one sheet. The screen's timeline keeps its lanes.
    /// </summary>
    public static string RenderCompact(MunicipalityRoadmap roadmap, IReadOnlyList<RoadmapEntry> entries)
    {
        var (from, to) = Range(roadmap);
        var scale = new Scale(from, to);
        var height = AxisHeight + (Math.Max(1, entries.Count) * CompactLaneHeight) + 8;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" class="timeline-print" viewBox="0 0 {N(Width)} {N(height)}" aria-hidden="true" preserveAspectRatio="xMinYMin meet">""");
        Defs(svg, PrintHatch);
        Axis(svg, scale, height);
        for (var i = 0; i < entries.Count; i++)
        {
            CompactLane(svg, scale, entries[i], AxisHeight + (i * CompactLaneHeight), i);
        }

        TodayLine(svg, scale, roadmap.Today, height);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void CompactLane(StringBuilder svg, Scale scale, RoadmapEntry entry, double top, int index)
    {
        var band = entry.Band;
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="lane band-{BandKey(band)}" data-procedure-id="{entry.ProcedureId}">""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="0" y="{N(top)}" width="{N(Width)}" height="{N(CompactLaneHeight)}" class="{(index % 2 == 0 ? "lane-even" : "lane-odd")}"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="6" y="{N(top + 9.5)}" class="name">{Encode(Shorten(entry.Name, 50))}</text>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="6" y="{N(top + 11.5)}" width="7.5" height="7.5" rx="1.5" fill="{(band == SlackBand.Late ? $"url(#{PrintHatch})" : BandColour(band))}" stroke="#424242" stroke-width="0.5"/>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="18" y="{N(top + 18.5)}" class="detail">{Encode(Shorten($"{BandLine(entry)} · {StateLine(entry)}", 70))}</text>""");
        if (entry.Milestones is not { } milestones)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{N(ChartLeft + 6)}" y="{N(top + 16)}" class="detail">Supportende noch nicht angekündigt</text></g>""");
            return;
        }

        var colour = BandColour(band);
        var procurementFrom = scale.X(milestones.LatestProcurementStart);
        var award = scale.X(milestones.LatestAward);
        var goLive = scale.X(milestones.RequiredGoLive);
        var endOfSupport = scale.X(milestones.EffectiveEndOfSupport);
        var barY = top + CompactBarTop;
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="{N(procurementFrom)}" y="{N(barY)}" width="{N(Math.Max(2, award - procurementFrom))}" height="{N(CompactBarHeight)}" rx="2" fill="{(band == SlackBand.Late ? $"url(#{PrintHatch})" : colour)}" stroke="#212121" stroke-width="0.8"/>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="{N(award)}" y="{N(barY)}" width="{N(Math.Max(2, goLive - award))}" height="{N(CompactBarHeight)}" rx="2" fill="{colour}" fill-opacity="0.3" stroke="{colour}" stroke-width="1.2" stroke-dasharray="4 2"/>""");
        var middle = barY + (CompactBarHeight / 2);
        svg.Append(CultureInfo.InvariantCulture,
            $"""<path d="M {N(endOfSupport)} {N(middle - 6)} L {N(endOfSupport + 6)} {N(middle)} L {N(endOfSupport)} {N(middle + 6)} L {N(endOfSupport - 6)} {N(middle)} Z" fill="#212121"/>""");
        // The latest procurement start before its bar when there is room, else with the end of support; the end of
        // support after its marker, or before it near the right edge.
        var start = $"Vergabe ab {Date(milestones.LatestProcurementStart)}";
        var before = procurementFrom - ChartLeft >= 110;
        var end = $"Supportende {Date(milestones.EffectiveEndOfSupport)}{(before ? string.Empty : $" · {start}")}";
        var endRight = endOfSupport + 10 + (end.Length * 4.6) <= Width;
        if (before)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{N(procurementFrom - 4)}" y="{N(top + 13)}" class="date" text-anchor="end">{Encode(start)}</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{N(endRight ? endOfSupport + 9 : goLive - 4)}" y="{N(top + (endRight ? 13 : 19))}" class="date" text-anchor="{(endRight ? "start" : "end")}">{Encode(end)}</text></g>""");
    }

    /// <summary>From the earlier of today and the first relevant date to the last date plus a quarter, on quarter boundaries.</summary>
    public static (DateOnly From, DateOnly To) Range(MunicipalityRoadmap roadmap)
    {
        var dates = roadmap.Entries.SelectMany(RelevantDates).Append(roadmap.Today).ToList();
        var first = dates.Min();
        var last = dates.Max().AddMonths(3);
        var from = QuarterStart(first);
        var to = QuarterStart(last).AddMonths(3);
        if (to < from.AddYears(2))
        {
            to = from.AddYears(2);
        }

        return (from, to);
    }

    private static IEnumerable<DateOnly> RelevantDates(RoadmapEntry entry)
    {
        DateOnly?[] dates =
        [
            entry.Milestones?.LatestProcurementStart, entry.Milestones?.LatestAward, entry.Milestones?.RequiredGoLive,
            entry.Milestones?.EffectiveEndOfSupport, entry.EndOfSecuritySupport, entry.EndOfLife, entry.Planned.TargetGoLive,
            entry.Planned.CutOverOn, entry.Actual.ProcurementStartedOn, entry.Actual.AwardedOn, entry.Actual.CutOverCompletedOn,
            entry.Actual.RetiredOn, entry.Badges.ExtendedSupportUntil,
        ];
        return dates.Where(d => d is not null).Select(d => d!.Value);
    }

    private static DateOnly QuarterStart(DateOnly date) => new(date.Year, (((date.Month - 1) / 3) * 3) + 1, 1);

    /// <summary>The print timeline's own pattern: the screen's sits in an SVG that print hides, and a hidden pattern paints nothing.</summary>
    private const string PrintHatch = "hatch-late-print";

    private static void Defs(StringBuilder svg, string hatch = "hatch-late")
    {
        svg.Append("<defs>");
        // Late bars are hatched as well as red: the pattern survives a black-and-white print.
        svg.Append($"""<pattern id="{hatch}" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="8" height="8" fill="#c62828"/><line x1="0" y1="0" x2="0" y2="8" stroke="#ffffff" stroke-width="3"/></pattern>""");
        svg.Append("</defs>");
    }

    private static void Axis(StringBuilder svg, Scale scale, double height)
    {
        svg.Append("<g class=\"axis\" aria-hidden=\"true\">");
        for (var quarter = scale.From; quarter < scale.To; quarter = quarter.AddMonths(3))
        {
            var x = scale.X(quarter);
            var next = scale.X(quarter.AddMonths(3));
            var yearStart = quarter.Month == 1;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line x1="{N(x)}" y1="{N(AxisHeight - (yearStart ? 26 : 12))}" x2="{N(x)}" y2="{N(height - 8)}" class="{(yearStart ? "grid-year" : "grid-quarter")}"/>""");
            if (next - x >= 24)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<text x="{N((x + next) / 2)}" y="{N(AxisHeight - 4)}" class="quarter" text-anchor="middle">Q{((quarter.Month - 1) / 3) + 1}</text>""");
            }
        }

        for (var year = scale.From.Year; year < scale.To.Year || (year == scale.To.Year && scale.To.Month > 1); year++)
        {
            var start = scale.X(Max(new DateOnly(year, 1, 1), scale.From));
            var end = scale.X(Min(new DateOnly(year + 1, 1, 1), scale.To));
            if (end - start >= 30)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<text x="{N((start + end) / 2)}" y="{N(AxisHeight - 20)}" class="year" text-anchor="middle">{year}</text>""");
            }
        }

        svg.Append("</g>");
    }

    private static void Lane(StringBuilder svg, Scale scale, RoadmapEntry entry, double top, int index)
    {
        var band = entry.Band;
        var label = LaneLabel(entry);
        svg.Append(CultureInfo.InvariantCulture,
            $"""<g class="lane band-{BandKey(band)}" data-procedure-id="{entry.ProcedureId}" data-band="{BandKey(band)}" role="img" aria-label="{Encode(label)}">""");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(label)}</title>");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="0" y="{N(top)}" width="{N(Width)}" height="{N(LaneHeight)}" class="{(index % 2 == 0 ? "lane-even" : "lane-odd")}"/>""");

        // The label column: name; category and release; band (swatch, symbol, word, slack); state and badges.
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="8" y="{N(top + 16)}" class="name">{Encode(Shorten(entry.Name, 44))}</text>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="8" y="{N(top + 31)}" class="detail">{Encode(Shorten($"{entry.CategoryName} · {entry.Release.Product} {entry.Release.Version}", 62))}</text>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="8" y="{N(top + 37)}" width="12" height="12" rx="2" fill="{(band == SlackBand.Late ? "url(#hatch-late)" : BandColour(band))}" stroke="#424242" stroke-width="0.5"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="26" y="{N(top + 47)}" class="band">{Encode(BandLine(entry))}</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="8" y="{N(top + 61)}" class="state">{Encode(Shorten(StateLine(entry), 66))}</text>""");

        if (entry.Milestones is { } milestones)
        {
            Bars(svg, scale, entry, milestones, top);
        }
        else
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{N(ChartLeft + 8)}" y="{N(top + BarTop + 15)}" class="note">Supportende noch nicht angekündigt – Termine folgen, sobald der Hersteller es nennt.</text>""");
        }

        Actuals(svg, scale, entry, top);
        svg.Append("</g>");
    }

    private static void Bars(StringBuilder svg, Scale scale, RoadmapEntry entry, Milestones milestones, double top)
    {
        var band = entry.Band;
        var colour = BandColour(band);
        var procurementFrom = scale.X(milestones.LatestProcurementStart);
        var award = scale.X(milestones.LatestAward);
        var goLive = scale.X(milestones.RequiredGoLive);
        var endOfSupport = scale.X(milestones.EffectiveEndOfSupport);
        var barY = top + BarTop;
        var procedureType = entry.ProcedureType is { } type ? $" ({type.GermanName})" : string.Empty;

        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect class="bar procurement" x="{N(procurementFrom)}" y="{N(barY)}" width="{N(Math.Max(2, award - procurementFrom))}" height="{N(BarHeight)}" rx="3" fill="{(band == SlackBand.Late ? "url(#hatch-late)" : colour)}" stroke="#212121" stroke-width="0.8">""");
        svg.Append(CultureInfo.InvariantCulture,
            $"<title>{Encode($"Vergabe{procedureType}: spätester Beginn {Date(milestones.LatestProcurementStart)}, späteste Zuschlagserteilung {Date(milestones.LatestAward)}")}</title></rect>");
        if (award - procurementFrom >= 64)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{N(procurementFrom + 6)}" y="{N(barY + 15)}" class="bar-text{(band is SlackBand.Moderate or null ? " dark" : string.Empty)}">{BandSymbol(band)} Vergabe</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect class="bar migration" x="{N(award)}" y="{N(barY)}" width="{N(Math.Max(2, goLive - award))}" height="{N(BarHeight)}" rx="3" fill="{colour}" fill-opacity="0.3" stroke="{colour}" stroke-width="1.5" stroke-dasharray="5 3">""");
        svg.Append(CultureInfo.InvariantCulture,
            $"<title>{Encode($"Migration ({milestones.MigrationMonths} Monate): Zuschlag bis {Date(milestones.LatestAward)}, Produktivstart spätestens {Date(milestones.RequiredGoLive)}")}</title></rect>");
        if (goLive - award >= 70)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{N(award + 6)}" y="{N(barY + 15)}" class="bar-text dark">Migration</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{N(procurementFrom)}" y="{N(top + LaneHeight - 8)}" class="date">Vergabestart bis {Date(milestones.LatestProcurementStart)}</text>""");

        // End of support: a diamond and a thin line, labelled above, right-aligned to the marker.
        var middle = barY + (BarHeight / 2);
        var basis = milestones.EndOfSupportBasis == EndOfSupportBasis.ExtendedSupport ? " (erweitert)" : string.Empty;
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="end-of-support"><title>{Encode($"Supportende{basis}: {Date(milestones.EffectiveEndOfSupport)}")}</title>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<line x1="{N(endOfSupport)}" y1="{N(top + 4)}" x2="{N(endOfSupport)}" y2="{N(top + LaneHeight - 4)}" stroke="#212121" stroke-width="1"/>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<path d="M {N(endOfSupport)} {N(middle - 8)} L {N(endOfSupport + 8)} {N(middle)} L {N(endOfSupport)} {N(middle + 8)} L {N(endOfSupport - 8)} {N(middle)} Z" fill="#212121"/>""");
        // Right-aligned to the marker, unless that would run into the label column.
        var leftOfMarker = endOfSupport - ChartLeft >= 150;
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{N(leftOfMarker ? endOfSupport - 4 : endOfSupport + 10)}" y="{N(top + 14)}" class="date" text-anchor="{(leftOfMarker ? "end" : "start")}">Supportende{basis} {Date(milestones.EffectiveEndOfSupport)}</text></g>""");
    }

    /// <summary>What has already happened, as small open circles on the lane's bottom line.</summary>
    private static void Actuals(StringBuilder svg, Scale scale, RoadmapEntry entry, double top)
    {
        (DateOnly? Date, string Text)[] actuals =
        [
            (entry.Actual.ProcurementStartedOn, "Vergabe begonnen"), (entry.Actual.AwardedOn, "Zuschlag erteilt"),
            (entry.Actual.CutOverCompletedOn, "Umstellung abgeschlossen"), (entry.Actual.RetiredOn, "außer Betrieb genommen"),
            (entry.Planned.TargetGoLive, "geplanter Produktivstart"),
        ];
        foreach (var (date, text) in actuals)
        {
            if (date is { } day && day >= scale.From && day <= scale.To)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<circle class="actual" cx="{N(scale.X(day))}" cy="{N(top + BarTop + BarHeight + 6)}" r="4" fill="#ffffff" stroke="#212121" stroke-width="1.5"><title>{Encode($"{text}: {Date(day)}")}</title></circle>""");
            }
        }
    }

    private static void TodayLine(StringBuilder svg, Scale scale, DateOnly today, double height)
    {
        var x = scale.X(today);
        var anchor = x > ChartRight - 60 ? "end" : x < ChartLeft + 60 ? "start" : "middle";
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="today"><title>{Encode($"Heute: {Date(today)}")}</title>""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<line x1="{N(x)}" y1="14" x2="{N(x)}" y2="{N(height - 4)}" stroke="#1565c0" stroke-width="2" stroke-dasharray="6 3"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{N(x)}" y="11" class="today-label" text-anchor="{anchor}">Heute {Date(today)}</text></g>""");
    }

    private static string LaneLabel(RoadmapEntry entry)
    {
        var parts = new List<string> { entry.Name, entry.CategoryName, $"{entry.Release.Product} {entry.Release.Version} ({entry.Release.Vendor})", BandLine(entry) };
        if (entry.Milestones is { } m)
        {
            parts.Add($"Vergabe spätestens ab {Date(m.LatestProcurementStart)}, Zuschlag bis {Date(m.LatestAward)}, Produktivstart bis {Date(m.RequiredGoLive)}, Supportende {Date(m.EffectiveEndOfSupport)}");
        }

        parts.Add(StateLine(entry));
        return string.Join("; ", parts);
    }

    private static string BandLine(RoadmapEntry entry) =>
        entry.SlackDays is { } slack
            ? $"{BandSymbol(entry.Band)} {BandName(entry.Band)} · Puffer {Days(slack)}"
            : $"{BandSymbol(entry.Band)} {BandName(entry.Band)}";

    /// <summary>The lifecycle state and the badges: accepted risk and extended support are marked, never shown as safe.</summary>
    public static string StateLine(RoadmapEntry entry)
    {
        var parts = new List<string> { LifecycleName(entry.LifecycleState) };
        parts.AddRange(MayorPage.BadgeTexts(entry.Badges, compact: true));
        return string.Join(" · ", parts);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private readonly record struct Scale(DateOnly From, DateOnly To)
    {
        public double X(DateOnly date)
        {
            var clamped = Math.Clamp(date.DayNumber, From.DayNumber, To.DayNumber);
            return ChartLeft + ((ChartRight - ChartLeft) * (clamped - From.DayNumber) / (To.DayNumber - From.DayNumber));
        }
    }
}

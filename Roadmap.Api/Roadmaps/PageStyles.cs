namespace Roadmap.Api.Roadmaps;

/// <summary>The inline stylesheet of the German pages: screen, and one A4 landscape sheet in print.</summary>
public static class PageStyles
{
    public const string Css =
        """
        :root { --late: #c62828; --high: #ef6c00; --moderate: #f9a825; --low: #2e7d32; --unknown: #9e9e9e; }
        * { box-sizing: border-box; }
        body { font-family: "Segoe UI", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; margin: 1.5rem auto; max-width: 1240px; padding: 0 1rem; color: #212121; line-height: 1.4; }
        header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; gap: .5rem 2rem; border-bottom: 2px solid #212121; margin-bottom: .75rem; }
        h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
        h2 { font-size: 1.1rem; margin: 1rem 0 .4rem; }
        .stand { font-weight: 600; }
        .meta { color: #424242; font-size: .9rem; }
        nav { font-size: .9rem; margin-bottom: .5rem; }
        nav a { margin-right: 1.25rem; }
        .timeline { width: 100%; height: auto; display: block; font-size: 12px; }
        .timeline .name { font-weight: 700; font-size: 13px; }
        .timeline .detail, .timeline .state { fill: #424242; font-size: 11px; }
        .timeline .band { font-size: 11px; font-weight: 600; }
        .timeline .date { font-size: 10.5px; fill: #212121; }
        .timeline .note { font-style: italic; fill: #616161; font-size: 11.5px; }
        .timeline .year { font-weight: 700; font-size: 13px; }
        .timeline .quarter { fill: #616161; font-size: 10px; }
        .timeline .grid-year { stroke: #9e9e9e; stroke-width: 1; }
        .timeline .grid-quarter { stroke: #e0e0e0; stroke-width: 1; }
        .timeline .lane-even { fill: #f5f5f5; }
        .timeline .lane-odd { fill: #ffffff; }
        .timeline .bar-text { fill: #ffffff; font-size: 11px; font-weight: 700; }
        .timeline .bar-text.dark { fill: #212121; }
        .timeline .today-label { fill: #1565c0; font-weight: 700; font-size: 11px; }
        .legend { display: flex; flex-wrap: wrap; gap: .3rem 1.25rem; list-style: none; padding: 0; margin: .5rem 0; font-size: .85rem; }
        .legend li { display: flex; align-items: center; gap: .35rem; }
        .legend svg { flex: none; }
        .pill { display: inline-block; padding: 0 .45em; border-radius: .6em; border: 1px solid #424242; font-size: .8rem; white-space: nowrap; }
        .band-late .pill-band, .pill-band.band-late { background: var(--late); color: #fff; }
        .pill-band.band-high { background: var(--high); color: #000; }
        .pill-band.band-moderate { background: var(--moderate); color: #000; }
        .pill-band.band-low { background: var(--low); color: #fff; }
        .pill-band.band-unknown { background: var(--unknown); color: #000; }
        .pill-badge { background: #eceff1; white-space: normal; overflow-wrap: anywhere; }
        .decisions { margin: 0; padding-left: 1.25rem; }
        .notes .warning { border-left: 4px solid var(--late); padding-left: .4rem; list-style: none; margin-left: -1rem; }
        .decisions li { margin: .15rem 0; }
        .decisions .due { font-weight: 700; white-space: nowrap; }
        .columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 2rem; }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e0e0e0; }
        th { background: #eceff1; }
        td.count { text-align: right; font-variant-numeric: tabular-nums; }
        footer { margin-top: .75rem; font-size: .8rem; color: #616161; }
        @page { size: A4 landscape; margin: 12mm; }
        .print-only { display: none; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
        .timeline-print { width: 100%; height: auto; display: block; }
        .timeline-print .name { font-weight: 700; font-size: 10px; }
        .timeline-print .detail { fill: #424242; font-size: 8.5px; }
        .timeline-print .date { font-size: 8.5px; fill: #212121; }
        .timeline-print .year { font-weight: 700; font-size: 12px; }
        .timeline-print .quarter { fill: #616161; font-size: 9px; }
        .timeline-print .grid-year { stroke: #9e9e9e; stroke-width: 1; }
        .timeline-print .grid-quarter { stroke: #e0e0e0; stroke-width: 1; }
        .timeline-print .lane-even { fill: #f5f5f5; }
        .timeline-print .lane-odd { fill: #ffffff; }
        .timeline-print .today-label { fill: #1565c0; font-weight: 700; font-size: 10px; }
        .sheet-header { display: flex; justify-content: space-between; border-bottom: 1px solid #212121; margin-bottom: 1mm; }
        @media print {
          html { font-size: 6.8pt; line-height: 1.25; }
          .timeline { display: none; }
          .print-only { display: block; }
          #h-timeline { display: none; }
          .next-sheet { break-before: page; page-break-before: always; }
          .columns { display: block; columns: 3; column-gap: 5mm; }
          .columns section { break-inside: auto; page-break-inside: auto; }
          .columns h2 { break-after: avoid; margin-top: 0; }
          .decisions li { margin: 0; }
          .legend { font-size: .9em; }
          body { margin: 0; max-width: none; padding: 0; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          nav, .screen-only { display: none; }
          header { flex-wrap: nowrap; margin-bottom: 2mm; }
          h1 { font-size: 12pt; margin: 0; }
          h2 { font-size: 8.5pt; margin: 1mm 0 .5mm; }
          .print-sheet { break-inside: avoid; page-break-inside: avoid; }
          .legend { margin: .5mm 0; gap: 0 .8rem; }
          .legend, table { break-inside: avoid; page-break-inside: avoid; }
          footer { margin-top: 1mm; font-size: .85em; }
          a { color: inherit; text-decoration: none; }
        }
        """;
}

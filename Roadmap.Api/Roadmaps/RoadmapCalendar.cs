using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Roadmap.Projections.Roadmaps;
using static Roadmap.Api.Roadmaps.GermanText;

namespace Roadmap.Api.Roadmaps;

/// <summary>
/// The iCalendar (RFC 5545) feed of a municipality's milestones. The UID names the procedure and the milestone, so
/// a subscribed calendar updates an event when its date moves instead of adding a second one. SEQUENCE counts the
/// moves of the date and DTSTAMP and LAST-MODIFIED are the time of the last one (<see cref="MilestoneVersion"/>,
/// kept by the feed); without them (a view of the past) SEQUENCE is 0 and DTSTAMP the roadmap's Stand. Never the
/// clock: two requests for the same knowledge answer the same bytes.
/// </summary>
public static class RoadmapCalendar
{
    public const string ContentType = "text/calendar; charset=utf-8";

    /// <summary>The milestone kinds, as they appear in the UIDs.</summary>
    public static IReadOnlyList<string> MilestoneKinds { get; } = ["latest-procurement-start", "latest-award", "go-live", "end-of-support"];

    public static string Uid(Guid procedureId, string milestoneKind) => $"{procedureId}-{milestoneKind}@roadmap";

    /// <summary>How often a milestone's date moved since it was first published, and when it last did (whole seconds).</summary>
    public sealed record MilestoneVersion(int Sequence, DateTimeOffset ChangedAt);

    /// <summary>Every milestone the calendar shows: its UID and its date.</summary>
    public static IEnumerable<(string Uid, DateOnly Date)> Milestones(MunicipalityRoadmap roadmap) =>
        roadmap.Entries.Where(e => e.Milestones is not null).SelectMany(e => new[]
        {
            (Uid(e.ProcedureId, "latest-procurement-start"), e.Milestones!.LatestProcurementStart),
            (Uid(e.ProcedureId, "latest-award"), e.Milestones.LatestAward),
            (Uid(e.ProcedureId, "go-live"), e.Milestones.RequiredGoLive),
            (Uid(e.ProcedureId, "end-of-support"), e.Milestones.EffectiveEndOfSupport),
        });

    public static string Render(MunicipalityRoadmap roadmap, IReadOnlyDictionary<string, MilestoneVersion>? versions = null)
    {
        var calendar = new Calendar { ProductId = "-//Roadmap//Verfahrensablösungen//DE" };
        calendar.AddProperty("X-WR-CALNAME", $"Roadmap {roadmap.Name}");
        calendar.AddProperty("X-WR-CALDESC", $"Späteste Termine der Verfahrensablösungen von {roadmap.Name} (AGS {roadmap.Ags}), Stand {Date(roadmap.Stand)}");
        calendar.AddProperty("X-WR-TIMEZONE", "Europe/Berlin");
        var stamp = new CalDateTime(roadmap.Stand.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        foreach (var entry in roadmap.Entries.OrderBy(e => e.ProcedureId))
        {
            if (entry.Milestones is not { } milestones)
            {
                continue;
            }

            var procedureType = entry.ProcedureType is { } type ? $" ({type.GermanName})" : string.Empty;
            (string Kind, DateOnly Date, string Summary)[] events =
            [
                ("latest-procurement-start", milestones.LatestProcurementStart, $"Spätester Vergabebeginn{procedureType}: {entry.Name}"),
                ("latest-award", milestones.LatestAward, $"Späteste Zuschlagserteilung: {entry.Name}"),
                ("go-live", milestones.RequiredGoLive, $"Spätester Produktivstart: {entry.Name}"),
                ("end-of-support", milestones.EffectiveEndOfSupport, $"Supportende {entry.Release.Product} {entry.Release.Version}: {entry.Name}"),
            ];
            foreach (var (kind, date, summary) in events)
            {
                var uid = Uid(entry.ProcedureId, kind);
                var version = versions?.GetValueOrDefault(uid);
                var changed = version is null ? stamp : new CalDateTime(version.ChangedAt.UtcDateTime, "UTC");
                calendar.Events.Add(new CalendarEvent
                {
                    Uid = uid,
                    Sequence = version?.Sequence ?? 0,
                    DtStamp = changed,
                    LastModified = version is null ? null : changed,
                    DtStart = new CalDateTime(date),
                    DtEnd = new CalDateTime(date.AddDays(1)),
                    Summary = summary,
                    Description = Description(entry),
                    Categories = [entry.CategoryName],
                    Transparency = TransparencyType.Transparent,
                });
            }
        }

        return new CalendarSerializer().SerializeToString(calendar) ?? string.Empty;
    }

    private static string Description(RoadmapEntry entry)
    {
        var lines = new List<string>
        {
            $"{entry.Name} ({entry.CategoryName}), {entry.Release.Product} {entry.Release.Version} von {entry.Release.Vendor}",
            entry.SlackDays is { } slack ? $"Risikostufe: {BandName(entry.Band)}, Puffer {Days(slack)}" : $"Risikostufe: {BandName(entry.Band)}",
        };
        if (entry.ProcedureType is { } type)
        {
            lines.Add($"Vergabeart: {type.GermanName}{(type.Provisional ? " (vorläufig)" : string.Empty)}");
        }

        lines.AddRange(MayorPage.BadgeTexts(entry.Badges, compact: false));
        return string.Join("\n", lines);
    }
}

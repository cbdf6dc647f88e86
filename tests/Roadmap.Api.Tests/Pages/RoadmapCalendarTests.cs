using Ical.Net;
using Roadmap.Api.Roadmaps;

namespace Roadmap.Api.Tests.Pages;

public sealed class RoadmapCalendarTests
{
    [Fact]
    public void Every_milestone_of_every_procedure_with_an_end_of_support_is_an_all_day_event()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var calendar = Calendar.Load(RoadmapCalendar.Render(roadmap))!;

        var withMilestones = roadmap.Entries.Where(e => e.Milestones is not null).ToList();
        Assert.Equal(withMilestones.Count * 4, calendar.Events.Count);
        Assert.All(calendar.Events, e => Assert.False(e.DtStart!.HasTime));
        var first = withMilestones[0];
        var start = calendar.Events.Single(e => e.Uid == $"{first.ProcedureId}-latest-procurement-start@roadmap");
        Assert.Equal(first.Milestones!.LatestProcurementStart, DateOnly.FromDateTime(start.DtStart!.Value));
        Assert.StartsWith("Spätester Vergabebeginn", start.Summary, StringComparison.Ordinal);
        var endOfSupport = calendar.Events.Single(e => e.Uid == $"{first.ProcedureId}-end-of-support@roadmap");
        Assert.Equal(first.Milestones.EffectiveEndOfSupport, DateOnly.FromDateTime(endOfSupport.DtStart!.Value));
        Assert.Equal("Roadmap Kaufering", calendar.Properties["X-WR-CALNAME"]?.Value);
    }

    [Fact]
    public void Uids_are_unique_and_two_renders_are_byte_identical()
    {
        var roadmap = SampleRoadmaps.Kaufering();

        var first = RoadmapCalendar.Render(roadmap);
        var second = RoadmapCalendar.Render(roadmap);

        Assert.Equal(first, second);
        var uids = Calendar.Load(first)!.Events.Select(e => e.Uid).ToList();
        Assert.Equal(uids.Count, uids.Distinct().Count());
        Assert.All(uids, uid => Assert.Matches("^[0-9a-f-]{36}-(latest-procurement-start|latest-award|go-live|end-of-support)@roadmap$", uid));
    }

    [Fact]
    public void The_stamp_is_the_stand_not_the_clock()
    {
        var ics = RoadmapCalendar.Render(SampleRoadmaps.Kaufering());

        Assert.All(Calendar.Load(ics)!.Events, e => Assert.Equal(new DateTime(2026, 5, 12), e.DtStamp!.Value));
        Assert.Contains("DTSTAMP:20260512T000000Z", ics, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_in_names_stays_text_in_the_calendar()
    {
        var roadmap = SampleRoadmaps.Kaufering(SampleRoadmaps.Entry("<b>Kasse</b>; Teil 1, neu", Domain.Procurement.SlackBand.Low, new DateOnly(2031, 1, 1)));

        var calendar = Calendar.Load(RoadmapCalendar.Render(roadmap))!;

        Assert.Contains(calendar.Events, e => e.Summary == "Spätester Produktivstart: <b>Kasse</b>; Teil 1, neu");
    }
}

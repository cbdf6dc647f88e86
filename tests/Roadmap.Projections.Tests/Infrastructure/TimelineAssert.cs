using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Projections.Tests.Infrastructure;

/// <summary>The guarantees every procurement timeline gives, whatever the case's state.</summary>
public static class TimelineAssert
{
    /// <summary>
    /// Phases in order without overlap (so no offers before the preparation), every planned phase at least one day,
    /// the cut-over never after the required go-live and never in a freeze window of the participants.
    /// </summary>
    public static void KeepsTheRules(ProcurementTimeline timeline, ProcurementRuleSet rules, ProcedureCategory category, string context)
    {
        var planned = timeline.Phases.Where(p => p.PlannedStart is not null).ToList();
        foreach (var phase in timeline.Phases)
        {
            Assert.True((phase.PlannedStart is null) == (phase.PlannedEnd is null), $"{context}: {phase.Key} has only one of start and end");
            Assert.True(phase.PlannedStart is null || phase.PlannedStart <= phase.PlannedEnd, $"{context}: {phase.Key} ends before it starts");
        }

        for (var i = 1; i < planned.Count; i++)
        {
            Assert.True(planned[i].PlannedStart > planned[i - 1].PlannedEnd,
                $"{context}: {planned[i].Key} starts {planned[i].PlannedStart} before {planned[i - 1].Key} ends {planned[i - 1].PlannedEnd}");
        }

        var preparation = timeline.Phases.Single(p => p.Key == "preparation");
        var offers = timeline.Phases.Single(p => p.Key == "offers");
        Assert.False(offers.PlannedStart is { } o && preparation.PlannedStart is { } s && o <= s, $"{context}: offers before the preparation");

        var cutOver = timeline.Phases.Single(p => p.Key == "cut-over");
        if (cutOver is { PlannedStart: { } day, ActualStart: null })
        {
            Assert.True(timeline.RequiredGoLive is null || day <= timeline.RequiredGoLive,
                $"{context}: cut-over {day} after the required go-live {timeline.RequiredGoLive}");
            Assert.True(rules.FreezeOn(day, category, LandCode.Bayern) is null, $"{context}: cut-over {day} in a freeze window");
            Assert.True(day >= timeline.Today, $"{context}: cut-over {day} planned in the past");
        }
        else if (cutOver.ActualStart is null)
        {
            Assert.Contains(timeline.Notes, n => n.Code is "go-live-unreachable" or "cancelled");
        }
    }
}

using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Demo;

/// <summary>
/// The procurement cases of Demo/demo-roadmap.json, in several states, decided through the procurement case decider.
/// Each case also tells the participating procedures what to decide: their replacement plan, the assignment to the
/// case and, once awarded, the scheduled (or completed) cut-over.
/// </summary>
internal static class DemoProcurements
{
    public sealed record ParticipantEntry(string Ags, decimal Share);

    public sealed record PlanEntry(ReplacementStrategy Strategy, DateOnly TargetGoLive, string? TargetRelease);

    public sealed record DeterminationEntry(DateOnly PlannedPublicationOn, ProcurementProcedureType? ChosenType, string? Justification);

    public sealed record StartEntry(DateOnly StartedOn, DateOnly? PublishedOn, DateOnly? NoticeSentOn = null);

    public sealed record DeadlinesEntry(DateOnly? ParticipationDeadline, DateOnly OfferDeadline, bool ElectronicSubmission);

    public sealed record AwardIntentionEntry(DateOnly NotifiedOn, bool SentElectronically, string IntendedBidder);

    public sealed record AwardEntry(DateOnly AwardedOn, string VendorName, string? Release, decimal NetValue);

    public sealed record CancellationEntry(DateOnly CancelledOn, string Reason);

    public sealed record CutOverEntry(DateOnly CutOverOn, DateOnly? ParallelRunFrom, DateOnly? ParallelRunUntil, bool Completed);

    public sealed record CaseEntry(
        string Key,
        string Title,
        ProcedureCategory Category,
        string LeadAgs,
        string CurrentRelease,
        IReadOnlyList<ParticipantEntry> Participants,
        bool IncludesOptions,
        string? Justification,
        PlanEntry Plan,
        DeterminationEntry? Determination,
        StartEntry? Start,
        DeadlinesEntry? Deadlines,
        AwardIntentionEntry? AwardIntention,
        AwardEntry? Award,
        CancellationEntry? Cancellation,
        CutOverEntry? CutOver);

    /// <summary>What a case decides for one participating procedure.</summary>
    public sealed record Participation(Guid CaseId, string CurrentRelease, PlanEntry Plan, DateOnly? AwardedOn, CutOverEntry? CutOver);

    public sealed record Built(IReadOnlyList<DemoStream> Streams, IReadOnlyDictionary<(string Ags, ProcedureCategory Category), Participation> Participations);

    public static Built Build(IReadOnlyList<CaseEntry> cases, IReadOnlyDictionary<string, DemoCatalogue.DemoRelease> releases, DateTimeOffset now, string by)
    {
        var streams = new List<DemoStream>();
        var participations = new Dictionary<(string, ProcedureCategory), Participation>();
        foreach (var entry in cases)
        {
            Require(releases.ContainsKey(entry.CurrentRelease), entry, $"the unknown release {entry.CurrentRelease}");
            Require(entry.Plan.TargetRelease is null || releases.ContainsKey(entry.Plan.TargetRelease), entry, $"the unknown release {entry.Plan.TargetRelease}");
            Require(entry.Award?.Release is null || releases.ContainsKey(entry.Award.Release), entry, $"the unknown release {entry.Award?.Release}");
            var caseId = DemoIds.For("procurement", entry.Key);
            var events = DemoDecisions.DecideAll(ProcurementCase.Decider, Commands(entry, caseId, now, by));
            streams.Add(DemoDecisions.Stream(ProcurementCase.StreamId(caseId), events));
            DateOnly? awardedOn = ProcurementCase.Decider.Fold(events) is AwardedCase awarded ? awarded.AwardedOn : null;
            foreach (var participant in entry.Participants)
            {
                Require(participations.TryAdd((participant.Ags, entry.Category), new Participation(caseId, entry.CurrentRelease, entry.Plan, awardedOn, entry.CutOver)),
                    entry, $"a procedure of {participant.Ags} that another case includes already");
            }
        }

        return new Built(streams, participations);
    }

    private static IEnumerable<IProcurementCommand> Commands(CaseEntry c, Guid caseId, DateTimeOffset now, string by)
    {
        var participants = c.Participants.Select(p => new ProcurementParticipant(Ags.Parse(p.Ags), DemoProcedures.ProcedureId(p.Ags, c.Category))).ToList();
        yield return new OpenProcurementCase(caseId, c.Title, c.Category, Ags.Parse(c.LeadAgs), participants, now, by);
        yield return new EstimateProcurementValue(caseId, [.. c.Participants.Select(p => new ValueShare(Ags.Parse(p.Ags), Money.Euro(p.Share)))],
            c.IncludesOptions, c.Justification, now, by);
        if (c.Determination is { } d)
        {
            yield return new DetermineProcurementProcedure(caseId, d.PlannedPublicationOn, d.ChosenType, d.Justification, now, by);
        }

        if (c.Start is { } s)
        {
            yield return new StartProcurement(caseId, s.StartedOn, s.PublishedOn, now, by, s.NoticeSentOn);
        }

        if (c.Deadlines is { } dl)
        {
            yield return new SetProcurementDeadlines(caseId, dl.ParticipationDeadline, dl.OfferDeadline, dl.ElectronicSubmission, false, null, now, by);
        }

        if (c.AwardIntention is { } ai)
        {
            yield return new NotifyAwardIntention(caseId, ai.NotifiedOn, ai.SentElectronically, ai.IntendedBidder, now, by);
        }

        if (c.Award is { } a)
        {
            var releaseId = a.Release is null ? (Guid?)null : DemoCatalogue.ReleaseId(a.Release);
            yield return new AwardProcurement(caseId, a.AwardedOn, a.VendorName, releaseId, Money.Euro(a.NetValue), now, by);
        }

        if (c.Cancellation is { } x)
        {
            yield return new CancelProcurement(caseId, x.CancelledOn, x.Reason, now, by);
        }
    }

    private static void Require(bool condition, CaseEntry entry, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Demo/demo-roadmap.json: the procurement case {entry.Key} names {problem}.");
        }
    }
}

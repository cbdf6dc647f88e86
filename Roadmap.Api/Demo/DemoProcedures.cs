using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Demo;

/// <summary>
/// The procedure instances of the demo county: which categories each municipality runs, which release, since when,
/// and what was decided (extended support, accepted risk, planned, scheduled or completed replacement). Every pick is
/// a hash of the AGS and the category, and every date is a calendar date derived from the data and the story's
/// reference day (<see cref="ProfileEntry.AsOf"/>), never from the clock: each load decides the same.
/// </summary>
internal static class DemoProcedures
{
    /// <param name="AsOf">The day the demo's story is told: decisions before it are history (a cut-over completed), after it plans.</param>
    public sealed record ProfileEntry(
        DateOnly AsOf,
        DateOnly IntroducedFrom,
        DateOnly IntroducedTo,
        IReadOnlyList<ProcedureCategory> MunicipalityAlways,
        IReadOnlyList<ProcedureCategory> MunicipalityOptional,
        int MunicipalityOptionalMax,
        IReadOnlyList<ProcedureCategory> County);

    public sealed record DemoMunicipality(string Ags, string Name, bool IsCounty);

    private static readonly ProcurementRuleSet Rules = ProcurementRuleSet.LoadDefault();

    public static Guid ProcedureId(string ags, ProcedureCategory category) => DemoIds.For("procedure", $"{ags}/{category}");

    public static IReadOnlyList<DemoStream> Build(
        ProfileEntry profile,
        IReadOnlyList<DemoMunicipality> municipalities,
        IReadOnlyDictionary<string, DemoCatalogue.DemoRelease> releases,
        IReadOnlyDictionary<(string Ags, ProcedureCategory Category), DemoProcurements.Participation> participations,
        DateTimeOffset now,
        string by)
    {
        var streams = new List<DemoStream>();
        foreach (var municipality in municipalities)
        {
            foreach (var category in CategoriesOf(municipality, profile, participations))
            {
                participations.TryGetValue((municipality.Ags, category), out var participation);
                var release = participation is not null ? releases[participation.CurrentRelease] : PickRelease(municipality.Ags, category, releases);
                var procedure = new Procedure(ProcedureId(municipality.Ags, category), municipality, category, release,
                    IntroducedOn(municipality.Ags, category, release, profile), now, by);
                var commands = participation is not null ? ForCase(procedure, participation) : Scenario(procedure, releases, profile);
                streams.Add(DemoDecisions.Stream(ProcedureInstance.StreamId(procedure.Id),
                    DemoDecisions.DecideAll(ProcedureInstance.Decider, commands)));
            }
        }

        return streams;
    }

    private sealed record Procedure(
        Guid Id, DemoMunicipality Municipality, ProcedureCategory Category, DemoCatalogue.DemoRelease Release, DateOnly IntroducedOn, DateTimeOffset Now, string By)
    {
        public string Key => $"{Municipality.Ags}/{Category}";

        public IProcedureCommand Introduce() =>
            new IntroduceProcedure(Id, Ags.Parse(Municipality.Ags), Category, Release.ReleaseId, Release.ProductName, IntroducedOn, Now, By);
    }

    /// <summary>The county's list; for a municipality the fixed categories and up to the maximum of optional ones; and every category a case includes.</summary>
    private static IEnumerable<ProcedureCategory> CategoriesOf(
        DemoMunicipality municipality, ProfileEntry profile, IReadOnlyDictionary<(string Ags, ProcedureCategory Category), DemoProcurements.Participation> participations)
    {
        IEnumerable<ProcedureCategory> chosen = municipality.IsCounty
            ? profile.County
            : profile.MunicipalityAlways.Concat(profile.MunicipalityOptional
                .OrderBy(c => DemoIds.Pick($"{municipality.Ags}/{c}/optional", 1000)).ThenBy(c => c)
                .Take(DemoIds.Pick($"{municipality.Ags}/optional-count", profile.MunicipalityOptionalMax + 1)));
        var fromCases = participations.Keys.Where(k => k.Ags == municipality.Ags).Select(k => k.Category);
        return chosen.Concat(fromCases).Distinct().Order();
    }

    private static DemoCatalogue.DemoRelease PickRelease(string ags, ProcedureCategory category, IReadOnlyDictionary<string, DemoCatalogue.DemoRelease> releases)
    {
        var candidates = releases.Values.Where(r => r.Category == category && r.InUse).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"Demo/demo-catalogue.json has no release in use for the category {category}.");
        }

        return candidates[DemoIds.Pick($"{ags}/{category}/release", candidates.Count)];
    }

    /// <summary>A day in the introduction period, but not before the release was available.</summary>
    private static DateOnly IntroducedOn(string ags, ProcedureCategory category, DemoCatalogue.DemoRelease release, ProfileEntry profile)
    {
        var span = profile.IntroducedTo.DayNumber - profile.IntroducedFrom.DayNumber + 1;
        var day = profile.IntroducedFrom.AddDays(DemoIds.Pick($"{ags}/{category}/introduced", span));
        return release.GeneralAvailability is { } available && available > day
            ? available.AddDays(DemoIds.Pick($"{ags}/{category}/after-availability", 120))
            : day;
    }

    /// <summary>A procedure a procurement case includes: planned as the case says, assigned to it, and after the award scheduled (or switched).</summary>
    private static IEnumerable<IProcedureCommand> ForCase(Procedure p, DemoProcurements.Participation participation)
    {
        yield return p.Introduce();
        var target = participation.Plan.TargetRelease is null ? (Guid?)null : DemoCatalogue.ReleaseId(participation.Plan.TargetRelease);
        yield return new PlanReplacement(p.Id, participation.Plan.Strategy, participation.Plan.TargetGoLive, target, p.Now, p.By);
        yield return new AssignToProcurement(p.Id, participation.CaseId, p.Now, p.By);
        if (participation is { CutOver: { } cutOver, AwardedOn: { } awardedOn })
        {
            yield return new ScheduleReplacement(p.Id, cutOver.CutOverOn, cutOver.ParallelRunFrom, cutOver.ParallelRunUntil, awardedOn, p.Now, p.By);
            if (cutOver.Completed)
            {
                yield return new CompleteCutOver(p.Id, cutOver.CutOverOn, null, awardedOn, p.Now, p.By);
            }
        }
    }

    /// <summary>
    /// What was decided for a procedure outside the procurement cases, picked by a hash. Releases whose support ended
    /// before the story's day were switched, extended or run at accepted risk; the others are extended, accepted,
    /// planned, scheduled or still undecided. Releases without a known end stay as introduced.
    /// </summary>
    private static IEnumerable<IProcedureCommand> Scenario(Procedure p, IReadOnlyDictionary<string, DemoCatalogue.DemoRelease> releases, ProfileEntry profile)
    {
        yield return p.Introduce();
        if (p.Release.EffectiveEndOfSupport is not { } end)
        {
            yield break;
        }

        var successor = p.Release.Successor is { } key ? releases[key] : null;
        var strategy = successor?.ProductName == p.Release.ProductName ? ReplacementStrategy.Upgrade : ReplacementStrategy.Replace;
        var pick = DemoIds.Pick($"{p.Key}/scenario", 10);
        var ended = end < profile.AsOf;
        if (ended && pick % 3 == 0 && successor is not null)
        {
            var cutOver = OutOfFreeze(end.AddCalendarMonths(-2), p);
            yield return new PlanReplacement(p.Id, strategy, cutOver, successor.ReleaseId, p.Now, p.By);
            yield return new ScheduleReplacement(p.Id, cutOver, null, null, null, p.Now, p.By);
            yield return new CompleteCutOver(p.Id, cutOver, null, null, p.Now, p.By);
            yield break;
        }

        if (ended ? pick % 3 == 1 : pick is 0 or 1 or 7)
        {
            yield return new PurchaseExtendedSupport(p.Id, end.AddCalendarMonths(12), Money.Euro(2400 + 1200 * DemoIds.Pick($"{p.Key}/cost", 5)),
                $"EV-DEMO-{p.Municipality.Ags}-{(int)p.Category:00}", p.Now, p.By);
            if (ended || pick == 7)
            {
                yield return new PlanReplacement(p.Id, strategy, OutOfFreeze(end.AddCalendarMonths(9), p), successor?.ReleaseId, p.Now, p.By);
            }

            yield break;
        }

        if (ended || pick == 2)
        {
            // Accepted for at least two years past the story's day, so the demo still loads for a while.
            var until = Max(end.AddCalendarMonths(6), profile.AsOf.AddCalendarMonths(24));
            var acceptedBy = p.Municipality.IsCounty ? "Landrat des Landkreises Landsberg am Lech" : $"Erste Bürgermeisterin / Erster Bürgermeister {p.Municipality.Name}";
            yield return new AcceptRisk(p.Id, acceptedBy, until,
                "Ablösung erst mit der nächsten gemeinsamen Beschaffung; bis dahin wird das Risiko getragen (Demo).", p.Now, p.By);
            yield break;
        }

        if (pick is 3 or 4 or 5 or 6)
        {
            var goLive = end.AddCalendarMonths(-3);
            goLive = OutOfFreeze(goLive > p.IntroducedOn ? goLive : end, p);
            yield return new PlanReplacement(p.Id, strategy, goLive, successor?.ReleaseId, p.Now, p.By);
            if (pick == 6 && goLive > profile.AsOf)
            {
                yield return new ScheduleReplacement(p.Id, goLive, goLive.AddDays(-14), goLive.AddCalendarMonths(1), null, p.Now, p.By);
            }
        }
    }

    /// <summary>The day itself, or the day after the freeze window it falls into (elections, year-end close).</summary>
    private static DateOnly OutOfFreeze(DateOnly day, Procedure p)
    {
        while (Rules.FreezeOn(day, p.Category, Ags.Parse(p.Municipality.Ags).Land) is { } freeze)
        {
            day = freeze.To.AddDays(1);
        }

        return day;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}

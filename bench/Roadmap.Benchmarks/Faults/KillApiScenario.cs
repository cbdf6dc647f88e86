using System.Diagnostics;

namespace Roadmap.Benchmarks.Faults;

/// <summary>
/// <c>kill-api</c> (issue 13 point 12): C writers introduce procedures on a node; after 4 s the node is killed with
/// SIGKILL; a new node starts on the same schema and the writers go on against it for 4 s more. Then every
/// acknowledged (2xx) write must be in the log, and the read models must catch up and show every acknowledged
/// procedure exactly once.
/// </summary>
internal static class KillApiScenario
{
    public static async Task<FaultResult> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var report = new FaultReport("kill-api");
        await using var world = await FaultWorld.CreateAsync(context, cancellationToken);
        var first = await world.StartNodeAsync("api-a", cancellationToken);
        HttpClient? current = world.Client(first);
        await world.SetUpAsync(current, cancellationToken);

        var load = new WriteLoad(() => Volatile.Read(ref current), world.ReleaseId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = load.RunAsync(context.Concurrency, stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken);
        var beforeKill = load.Acknowledged.Count;
        Volatile.Write(ref current, null);
        await first.KillAsync();
        var killedAt = Stopwatch.GetTimestamp();
        var second = await world.StartNodeAsync("api-b", cancellationToken);
        var restartSeconds = Stopwatch.GetElapsedTime(killedAt).TotalSeconds;
        using var secondClient = world.Client(second);
        Volatile.Write(ref current, secondClient);
        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken);
        await stop.CancelAsync();
        await writing;

        var acknowledged = load.Acknowledged.ToList();
        var eventIds = acknowledged.SelectMany(a => a.EventIds).ToList();
        var stored = await world.CountStoredAsync(eventIds, cancellationToken);
        report.Check(stored == eventIds.Count, $"{eventIds.Count - stored} of {eventIds.Count} acknowledged events are not in the log");
        report.Check(beforeKill > 0 && acknowledged.Count > beforeKill, $"the load did not write on both nodes ({beforeKill} before the kill, {acknowledged.Count} in all)");

        var caughtUp = await FaultWorld.WaitForCatchUpAsync(secondClient, TimeSpan.FromSeconds(60), cancellationToken);
        report.Check(caughtUp, "the projections did not catch up within 60 s after the restart");
        var shown = await FaultWorld.RoadmapProceduresAsync(secondClient, cancellationToken);
        var missing = acknowledged.Select(a => a.ProcedureId).Except(shown).Count();
        report.Check(missing == 0, $"{missing} acknowledged procedures are missing from the roadmaps");
        report.Check(shown.Count == shown.Distinct().Count(), $"{shown.Count - shown.Distinct().Count()} procedures are shown twice");
        var procedures = await world.ScalarAsync("select count(*) from {schema}.mt_events where type = 'procedure.introduced'", cancellationToken);

        report.Figures["acknowledged"] = acknowledged.Count;
        report.Figures["acknowledgedBeforeKill"] = beforeKill;
        report.Figures["storedOfAcknowledgedEvents"] = $"{stored}/{eventIds.Count}";
        report.Figures["proceduresInLog"] = procedures;
        report.Figures["shownInRoadmaps"] = shown.Count;
        report.Figures["restartSeconds"] = Math.Round(restartSeconds, 1);
        report.Figures["outcomes"] = load.Outcomes.OrderBy(o => o.Key).ToDictionary(o => o.Key, o => o.Value);
        return report.Result();
    }
}

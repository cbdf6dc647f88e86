using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Roadmap.Benchmarks.Faults;

/// <summary>
/// <c>pg-restart</c> (issue 13 point 13): writers and readers run against a node with a webhook subscription while
/// PostgreSQL is stopped (fast shutdown) for 6 s and started again. Meanwhile every answer must be a 2xx or a 503
/// with Retry-After (never another 5xx, never a request longer than 10 s) and readiness must go down; afterwards
/// readiness comes back, and the projections, deadline alerts and the webhook sender go on by themselves: writes
/// after the restart reach the roadmaps, raise alerts and are delivered. The node's log is JSON lines, and those
/// written for a request carry its trace and correlation ids.
/// </summary>
internal static class PostgresRestartScenario
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    public static async Task<FaultResult> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var report = new FaultReport("pg-restart");
        if (context.ClusterControl is null)
        {
            report.Figures["skipped"] = "the database is not ours to restart (ConnectionStrings__Roadmap from the environment; run ./roadmap faults)";
            return report.Result();
        }

        await using var world = await FaultWorld.CreateAsync(context, cancellationToken);
        var node = await world.StartNodeAsync("api", cancellationToken, new Dictionary<string, string>
        {
            // The request-scoped warnings of the outage (503s) are the log lines checked for trace and correlation ids.
            ["Logging__LogLevel__Roadmap"] = "Warning",
        });
        using var client = world.Client(node, TimeSpan.FromSeconds(30));
        await world.SetUpAsync(client, cancellationToken);
        await using var receiver = FaultReceiver.Start();
        await FaultWorld.CreatedAsync(client, "/subscriptions", new { targetUrl = receiver.Url }, cancellationToken);

        var load = new WriteLoad(() => client, world.ReleaseId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = load.RunAsync(Math.Max(2, context.Concurrency / 2), stop.Token);
        var reads = new ConcurrentDictionary<string, int>();
        var readerMax = 0L;
        var reading = Task.Run(() => ReadAsync(client, reads, v => Interlocked.Exchange(ref readerMax, Math.Max(Interlocked.Read(ref readerMax), v)), stop.Token), CancellationToken.None);
        var readiness = new ConcurrentQueue<(long At, int Status)>();
        var probing = Task.Run(() => ProbeAsync(world.Client(node, TimeSpan.FromSeconds(30)), readiness, stop.Token), CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await ClusterAsync(context.ClusterControl, "stop", cancellationToken);
        var stoppedAt = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(6), cancellationToken);
        var startingAt = Stopwatch.GetTimestamp(); // readiness may be back before the start command returns
        await ClusterAsync(context.ClusterControl, "start", cancellationToken);
        var startedAt = Stopwatch.GetTimestamp();

        // Readiness comes back by itself.
        var deadline = Stopwatch.StartNew();
        while (!readiness.Any(r => r.At > startedAt && r.Status == 200) && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200, cancellationToken);
        }

        var readyAgainSeconds = readiness.Where(r => r.At > startedAt && r.Status == 200).Select(r => (double?)Stopwatch.GetElapsedTime(startedAt, r.At).TotalSeconds).FirstOrDefault();
        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken); // writes after the restart
        await stop.CancelAsync();
        await Task.WhenAll(writing, reading, probing);

        // An answer computed just before the stop may arrive just after it: a second's grace.
        var during = readiness.Where(r => r.At > stoppedAt + Stopwatch.Frequency && r.At < startingAt).Select(r => r.Status).ToList();
        report.Check(during.Count > 0 && during.All(s => s == 503), $"readiness during the outage: {string.Join(",", during.Distinct())} (503 expected)");
        report.Check(readyAgainSeconds is not null, "readiness did not come back within 60 s of the start");
        var outcomes = load.Outcomes.Concat(reads).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value));
        var bad = outcomes.Where(o => !(o.Key.StartsWith('2') || o.Key is "503")).ToList();
        report.Check(bad.Count == 0, $"answers other than 2xx and 503: {string.Join(", ", bad.Select(b => $"{b.Key} × {b.Value}"))}");
        report.Check(outcomes.GetValueOrDefault("503") > 0, "no 503 while the database was down");
        var slowest = Math.Max(load.MaxLatencyMs, TimeSpan.FromTicks(Interlocked.Read(ref readerMax)).TotalMilliseconds);
        report.Check(slowest < Hang.TotalMilliseconds, $"a request took {slowest:F0} ms (a hang: more than {Hang.TotalSeconds} s)");

        var acknowledged = load.Acknowledged.ToList();
        var eventIds = acknowledged.SelectMany(a => a.EventIds).ToList();
        var stored = await world.CountStoredAsync(eventIds, cancellationToken);
        report.Check(stored == eventIds.Count, $"{eventIds.Count - stored} of {eventIds.Count} acknowledged events are not in the log");
        var after = load.AcknowledgedAfter(startedAt);
        report.Check(after > 0, "no write was acknowledged after the restart");

        // Projections, alerts and the sender go on by themselves.
        report.Check(await FaultWorld.WaitForCatchUpAsync(client, TimeSpan.FromSeconds(60), cancellationToken), "the projections did not catch up within 60 s");
        var shown = await FaultWorld.RoadmapProceduresAsync(client, cancellationToken);
        var missing = acknowledged.Select(a => a.ProcedureId).Except(shown).Count();
        report.Check(missing == 0, $"{missing} acknowledged procedures are missing from the roadmaps");
        var restartedAtUtc = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(startedAt);
        var alertsAfter = 0L;
        deadline.Restart();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && (alertsAfter = await AlertsSinceAsync(world, restartedAtUtc, cancellationToken)) == 0)
        {
            await Task.Delay(500, cancellationToken);
        }

        report.Check(alertsAfter > 0, "no deadline alert was recorded after the restart within 60 s");
        deadline.Restart();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !receiver.Received.Any(r => r.At > startedAt))
        {
            await Task.Delay(200, cancellationToken);
        }

        report.Check(receiver.Received.Any(r => r.At > startedAt), "no webhook was delivered after the restart within 60 s");

        var logChecks = CheckLog(node.Lines);
        report.Check(logChecks.NotJson == 0, $"{logChecks.NotJson} log lines are not JSON (first: {logChecks.FirstNotJson})");
        report.Check(logChecks.WithIds > 0, "no log line of a request carries both TraceId and CorrelationId");

        report.Figures["outageSeconds"] = Math.Round(Stopwatch.GetElapsedTime(stoppedAt, startedAt).TotalSeconds, 1);
        report.Figures["readyAgainAfterSeconds"] = readyAgainSeconds is { } s ? Math.Round(s, 1) : "never";
        report.Figures["outcomes"] = outcomes.OrderBy(o => o.Key).ToDictionary(o => o.Key, o => o.Value);
        report.Figures["slowestRequestMs"] = Math.Round(slowest);
        report.Figures["acknowledged"] = acknowledged.Count;
        report.Figures["acknowledgedAfterRestart"] = after;
        report.Figures["alertsAfterRestart"] = alertsAfter;
        report.Figures["deliveries"] = receiver.Received.Count;
        report.Figures["jsonLogLines"] = logChecks.Json;
        return report.Result();
    }

    private static async Task<long> AlertsSinceAsync(FaultWorld world, DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            return await world.ScalarAsync(
                $"select count(*) from {{schema}}.mt_events where type = 'municipality.deadline-missed' and timestamp > '{since:O}'::timestamptz",
                cancellationToken);
        }
        catch (Npgsql.NpgsqlException)
        {
            return 0; // our own pool may still hold a connection from before the restart
        }
    }

    /// <summary>Roadmap reads in a loop: 2xx, or 503 while the database is away.</summary>
    private static async Task ReadAsync(HttpClient client, ConcurrentDictionary<string, int> outcomes, Action<long> latency, CancellationToken stop)
    {
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            var ags = FaultWorld.Municipalities[i++ % FaultWorld.Municipalities.Length];
            var started = Stopwatch.GetTimestamp();
            string outcome;
            try
            {
                using var response = await client.GetAsync($"/municipalities/{ags}/roadmap", CancellationToken.None);
                outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
                {
                    outcome = "503 without Retry-After";
                }
            }
            catch (HttpRequestException e)
            {
                outcome = $"read: http error {e.HttpRequestError}";
            }
            catch (TaskCanceledException)
            {
                outcome = "read: timed out";
            }

            latency(Stopwatch.GetElapsedTime(started).Ticks);
            outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static async Task ProbeAsync(HttpClient client, ConcurrentQueue<(long, int)> readiness, CancellationToken stop)
    {
        using (client)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/health/ready", CancellationToken.None);
                    readiness.Enqueue((Stopwatch.GetTimestamp(), (int)response.StatusCode));
                }
                catch (HttpRequestException)
                {
                    readiness.Enqueue((Stopwatch.GetTimestamp(), 0));
                }

                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    private static async Task ClusterAsync(string control, string verb, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{control} {verb}");
        using var process = Process.Start(start) ?? throw new BenchmarkFailedException("could not run the cluster control");
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await Console.Error.WriteLineAsync($"faults: PostgreSQL {verb}: exit {process.ExitCode} {errors.Trim()}");
        if (process.ExitCode != 0)
        {
            throw new BenchmarkFailedException($"'{control} {verb}' failed with {process.ExitCode}: {errors.Trim()}");
        }
    }

    private static (int Json, int NotJson, string? FirstNotJson, int WithIds) CheckLog(IReadOnlyList<string> lines)
    {
        int json = 0, notJson = 0, withIds = 0;
        string? first = null;
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                json++;
                if (document.RootElement.TryGetProperty("Scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array
                    && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _))
                    && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("CorrelationId", out _)))
                {
                    withIds++;
                }
            }
            catch (JsonException)
            {
                notJson++;
                first ??= line.Length > 120 ? line[..120] : line;
            }
        }

        return (json, notJson, first, withIds);
    }
}

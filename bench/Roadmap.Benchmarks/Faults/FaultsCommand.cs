using System.Diagnostics;
using System.Text.Json;

namespace Roadmap.Benchmarks.Faults;

/// <summary>What a fault scenario found: passed or not, why not, and its figures (for README's report).</summary>
internal sealed record FaultResult(string Scenario, bool Passed, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, object> Figures, double Seconds);

/// <summary>What every scenario gets: the database, the cluster's stop and start, and the options.</summary>
/// <param name="ClusterControl">A shell command that takes <c>stop</c> or <c>start</c> (set by <c>./roadmap faults</c>); null: the
/// database is not ours to restart, and the scenario that needs it is skipped.</param>
internal sealed record FaultContext(string ConnectionString, string? ClusterControl, int HostileRequests, int Concurrency);

/// <summary>
/// <c>faults</c>: real API processes on loopback against a schema of their own, hurt as production hurts them
/// (issue 13, points 12 to 15): <c>kill-api</c> (kill -9 under write load), <c>pg-restart</c> (PostgreSQL stopped and
/// started under load), <c>failover</c> (two nodes, the one running the projections killed), <c>hostile</c> (at least
/// 10,000 generated hostile requests). Each checks what must hold and prints its figures; the exit code is 1 when one
/// failed. Bounded in time: every wait has a deadline.
/// </summary>
internal static class FaultsCommand
{
    public static readonly string[] Scenarios = ["kill-api", "pg-restart", "failover", "hostile"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string connectionString, string[] args, CancellationToken cancellationToken)
    {
        var chosen = new List<string>();
        var hostile = 10_000;
        var concurrency = 8;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--hostile-requests" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    hostile = n;
                    i++;
                    break;
                case "--concurrency" when i + 1 < args.Length && int.TryParse(args[i + 1], out var c) && c > 0:
                    concurrency = c;
                    i++;
                    break;
                case var name when Scenarios.Contains(name):
                    chosen.Add(name);
                    break;
                default:
                    await Console.Error.WriteLineAsync(
                        $"error: unknown argument '{args[i]}'. Usage: faults [{string.Join("|", Scenarios)} ...] [--hostile-requests N] [--concurrency C]");
                    return 2;
            }
        }

        if (chosen.Count == 0)
        {
            chosen.AddRange(Scenarios);
        }

        var control = Environment.GetEnvironmentVariable("ROADMAP_FAULTS_CLUSTER");
        var context = new FaultContext(connectionString, string.IsNullOrWhiteSpace(control) ? null : control, hostile, concurrency);
        var results = new List<FaultResult>();
        foreach (var scenario in chosen)
        {
            await Console.Error.WriteLineAsync($"faults: {scenario}: starting");
            var started = Stopwatch.GetTimestamp();
            FaultResult result;
            try
            {
                result = scenario switch
                {
                    "kill-api" => await KillApiScenario.RunAsync(context, cancellationToken),
                    "pg-restart" => await PostgresRestartScenario.RunAsync(context, cancellationToken),
                    "failover" => await FailoverScenario.RunAsync(context, cancellationToken),
                    _ => await HostileRequests.RunAsync(context, cancellationToken),
                };
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = new FaultResult(scenario, false, [$"{e.GetType().Name}: {e.Message}"], new Dictionary<string, object>(),
                    Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            results.Add(result);
            var figures = string.Join(", ", result.Figures.Select(f => $"{f.Key} {JsonSerializer.Serialize(f.Value, Json)}"));
            await Console.Out.WriteLineAsync(
                $"faults: {scenario}: {(result.Passed ? "PASSED" : "FAILED")} in {result.Seconds:F0} s; {figures}");
            foreach (var failure in result.Failures)
            {
                await Console.Out.WriteLineAsync($"faults: {scenario}:   {failure}");
            }
        }

        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(results, Json));
        return results.All(r => r.Passed) ? 0 : 1;
    }
}

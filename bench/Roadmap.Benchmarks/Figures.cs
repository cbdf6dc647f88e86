using System.Diagnostics;

namespace Roadmap.Benchmarks;

/// <summary>The final JSON of <c>append</c> (camelCase on output).</summary>
internal sealed record AppendFigures(
    string Benchmark,
    long Events,
    double Seconds,
    double EventsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    int Streams,
    int EventsPerStream,
    int Concurrency,
    int Warmup,
    string Order,
    string Schema,
    string ServerVersion);

/// <summary>The final JSON of <c>append-ceiling</c>.</summary>
internal sealed record CeilingFigures(
    string Benchmark,
    double EventsPerSecond,
    long Transactions,
    long Events,
    int Clients,
    int Threads,
    double Seconds,
    double WallSeconds,
    double? LatencyAverageMs,
    int Streams,
    int EventsPerStream,
    string QueryMode,
    string Pgbench,
    string Schema,
    string ServerVersion);

/// <summary>The final JSON of <c>append-vs-ceiling</c>.</summary>
/// <summary>Medians over the rounds; each round runs the ceiling and then the append on fresh schemas.</summary>
internal sealed record VersusFigures(
    string Benchmark,
    double Ratio,
    double AppendEventsPerSecond,
    double CeilingEventsPerSecond,
    int Rounds,
    IReadOnlyList<double> RoundRatios,
    AppendFigures Append,
    CeilingFigures Ceiling);

internal static class Figures
{
    public static double Round(double value, int digits = 3) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    public static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Nearest-rank percentile of sorted latencies, in milliseconds.</summary>
    public static double PercentileMs(long[] sortedTicks, double percentile)
    {
        if (sortedTicks.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sortedTicks.Length);
        return TicksToMs(sortedTicks[Math.Clamp(rank - 1, 0, sortedTicks.Length - 1)]);
    }
}

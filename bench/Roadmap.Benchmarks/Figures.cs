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

/// <summary>
/// The final JSON of <c>http-append</c>. RequestsPerSecond counts the 2xx answers completed in the timed window;
/// latencies (p50 ... mean) are over every request completed in it. Errors: other statuses than 2xx/409/412 by
/// status ("exception": no HTTP answer). CPU seconds and DatabaseWaits (see <see cref="WaitSampler"/>) are over the timed window.
/// </summary>
internal sealed record HttpAppendFigures(
    string Benchmark,
    long Requests,
    double Seconds,
    double RequestsPerSecond,
    double AllRequestsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    long Ok,
    long Conflicts409,
    long Stale412,
    IReadOnlyDictionary<string, long> Errors,
    string? FirstProblem,
    double ApiCpuSeconds,
    double LoadGeneratorCpuSeconds,
    double? ServerCpuSeconds,
    double CpuWallSeconds,
    IReadOnlyDictionary<string, double> DatabaseWaits,
    int Cores,
    int Concurrency,
    int Procedures,
    int WarmupSeconds,
    string Decisions,
    string Note,
    bool AsyncProjectionsInApi,
    string Schema,
    string ServerVersion);

/// <summary>The final JSON of <c>http-append-vs-append</c>: ratio = http-append requests/s over append events/s, same C.</summary>
internal sealed record HttpVersusAppendFigures(
    string Benchmark,
    double Ratio,
    double HttpRequestsPerSecond,
    double AppendEventsPerSecond,
    int Concurrency,
    string Note,
    HttpAppendFigures HttpAppend,
    AppendFigures Append);

/// <summary>The final JSON of <c>projection-lag</c>.</summary>
internal sealed record ProjectionLagFigures(
    string Benchmark,
    long Events,
    double Seconds,
    int TargetRate,
    double EventsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    double ScheduleP50Ms,
    double ScheduleP99Ms,
    double ScheduleMaxMs,
    double AppendP50Ms,
    double AppendP99Ms,
    double StartLatenessP99Ms,
    long Batches,
    double MeanBatchEvents,
    LagCycle Cycle,
    double ClientCpuSeconds,
    double? ServerCpuSeconds,
    double CpuWallSeconds,
    int Concurrency,
    int WarmupSeconds,
    int Streams,
    int DaemonBatchSize,
    double DaemonFastPollingMs,
    double DaemonSlowPollingMs,
    string DaemonOptions,
    string Method,
    string Schema,
    string ServerVersion);

/// <summary>
/// Marten's daemon cycle during <c>projection-lag</c>, per batch: its period and the mean time of its traced statements
/// (Npgsql command tracing, see <see cref="DaemonStatements"/>): the event page read, the batch of writes with the progress
/// update, the high water mark's statements (and how many per batch), other progress bookkeeping; commits and waits are the rest.
/// </summary>
internal sealed record LagCycle(double CycleMs, double ReadMs, double ApplyMs, double HighWaterMs, double HighWaterStatements, double OtherProgressMs);

/// <summary>The final JSON of <c>rebuild</c>.</summary>
internal sealed record RebuildFigures(
    string Benchmark,
    long Events,
    int Streams,
    double EventsPerSecond,
    double Seconds,
    long PeakWorkingSetBytes,
    bool PeakWorkingSetSinceRebuildStart,
    long PeakSampledWorkingSetBytes,
    long PeakManagedHeapBytes,
    long ManagedHeapBeforeBytes,
    long WorkingSetBeforeBytes,
    long AllocatedBytes,
    double AllocatedBytesPerEvent,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    int RebuildBatchSize,
    long Batches,
    RebuildSplit Split,
    ReadSplit? Read,
    double ClientCpuSeconds,
    double? ServerCpuSeconds,
    string Load,
    double LoadSeconds,
    double LoadEventsPerSecond,
    long LoadBytes,
    int LoadConcurrency,
    double StatusPollMeanMs,
    double StatusPollMaxMs,
    double StatusFullLagMs,
    double StatusCallMs,
    string Gc,
    string Schema,
    string ServerVersion);

/// <summary>
/// Where a rebuild's time went (docs/0012): Marten's event page reads, the live daemon's high water mark statements and
/// the page writes into the side table, from Npgsql's command tracing; the projection's own work (fold and queue) from
/// its timing; progress bookkeeping. The next page is read while one is written, so the parts overlap and
/// <see cref="OtherSeconds"/> (the rest: the side tables' DDL, commits, the swap, waits) can be small or negative.
/// </summary>
internal sealed record RebuildSplit(
    double ReadSeconds,
    double ReadFirstResponseSeconds,
    long Reads,
    double HighWaterSeconds,
    long HighWaterStatements,
    double ApplySeconds,
    double ApplySqlSeconds,
    long Writes,
    double SetupSeconds,
    double OtherSeconds);

/// <summary>
/// A read-only replay of the first events after the rebuild: Marten's raw event query (SQL + deserialization) versus
/// the same columns fetched as text and not deserialized; and the deserialization of the data alone, in memory.
/// </summary>
internal sealed record ReadSplit(
    long Events,
    int BatchSize,
    double EngineEventsPerSecond,
    double RawEventsPerSecond,
    double EngineCpuMicrosecondsPerEvent,
    double RawCpuMicrosecondsPerEvent,
    double DeserializeMicrosecondsPerEvent,
    double DeserializeShareOfRebuild);

/// <summary>
/// The final JSON of <c>read</c>. RequestsPerSecond counts the 200 answers over the timed (warm) window (its wall time,
/// the last requests drained); P50Ms..MeanMs are over every request completed in it, from sending to the body's last
/// byte. Cold*: the cold pass, each municipality's first live read with the cache empty (C clients, every municipality
/// once). CacheHitRatio/Hits/Misses: the API's roadmap cache over the warm window (GET /admin/roadmap-cache), ColdCacheHitRatio
/// over the cold pass; CacheEntries..CacheCapacityEvictions after the warm window. ColdPath: where a cold read's time
/// goes (<see cref="ColdPathFigures"/>). Serial*: one client alone, before the timed window. CPU and DatabaseWaits are
/// over the timed window.
/// </summary>
internal sealed record ReadFigures(
    string Benchmark,
    int Municipalities,
    int ProceduresPerMunicipality,
    long Procedures,
    int Counties,
    long Cases,
    long Events,
    int Streams,
    long Requests,
    double Seconds,
    double RequestsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    IReadOnlyDictionary<string, long> Statuses,
    double? CacheHitRatio,
    long CacheHits,
    long CacheMisses,
    int ColdRequests,
    double ColdSeconds,
    double ColdP50Ms,
    double ColdP95Ms,
    double ColdP99Ms,
    double ColdMaxMs,
    double ColdApiCpuMsPerRequest,
    double? ColdCacheHitRatio,
    long CacheEntries,
    long CacheBytes,
    long CacheSizeLimitBytes,
    long CacheCapacityEvictions,
    ColdPathFigures ColdPath,
    int SerialRequests,
    double SerialP50Ms,
    double SerialP99Ms,
    int AsOfRequests,
    double AsOfP50Ms,
    double AsOfP99Ms,
    int EntriesPerRoadmap,
    double MeanResponseBytes,
    double ApiCpuMsPerRequest,
    double? ServerCpuMsPerRequest,
    double ApiCpuSeconds,
    double LoadGeneratorCpuSeconds,
    double? ServerCpuSeconds,
    double CpuWallSeconds,
    IReadOnlyDictionary<string, double> DatabaseWaits,
    double LoadSeconds,
    double LoadEventsPerSecond,
    long LoadBytes,
    double ProjectionSeconds,
    double ProjectionEventsPerSecond,
    double DeadlineReviewSeconds,
    int ProjectionBatchSize,
    double VacuumSeconds,
    long ReadModelBytes,
    int Concurrency,
    int WarmupSeconds,
    string Today,
    int Cores,
    string LoadAverageBefore,
    string LoadAverageAfter,
    string Note,
    string Schema,
    string ServerVersion);

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

using System.Diagnostics;
using System.Globalization;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Serialization;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>projection-lag</c>: how long after an append commits the async read model shows the event. Marten's async daemon,
/// configured as the API configures it (<see cref="RoadmapMarten.Configure"/> with <see cref="DaemonTuning"/>, and the
/// <see cref="AppendWakeup"/> that each append of this process signals after its commit), runs <see cref="LagProjection"/>
/// while C writers append single events at a steady R events/s for W + T seconds.
/// The schedule is open-loop: event i is due at start + i/R and the next free writer takes the next due slot, so a
/// slow append or a stalled writer does not lower the offered load (no coordinated omission); a late start is
/// recorded and reported. Each event's lag runs from its append's commit (AppendAsync returning) to the moment its
/// read-model row is visible (see <see cref="VisibilityObserver"/> for how that moment is taken). The first W
/// seconds are warm-up and not counted. The same lag measured from the due time instead is reported as "schedule".
/// </summary>
internal static class ProjectionLagBenchmark
{
    public const string Method =
        "lag = receipt of the NOTIFY sent inside the projection batch transaction (Marten's daemon) that covers the event (delivered after commit) " +
        "minus the return of its AppendAsync; open-loop schedule, event i due at start + i/R";

    private const int StreamCount = 1000;
    private const string StreamPrefix = "lag-";

    private static readonly EventMetadata Metadata = new(Actor: BenchEvent.Actor);

    /// <summary>One scheduled append: Stopwatch ticks (due, started, committed) and where the event landed.</summary>
    private struct Slot
    {
        public long Due;
        public long Started;
        public long Committed;
        public GlobalCheckpoint Checkpoint;
    }

    public static async Task<ProjectionLagFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        var serverVersion = await AppendBenchmark.ServerVersionAsync(dataSource, cancellationToken);
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        var registry = new EventTypeRegistry().Register<BenchEvent>(BenchEvent.TypeName);

        var defaults = new DaemonTuning();
        var tuning = new DaemonTuning
        {
            BatchSize = options.Batch ?? defaults.BatchSize,
            FastPolling = options.FastPollMs is { } fast ? TimeSpan.FromMilliseconds(fast) : defaults.FastPolling,
            SlowPolling = options.SlowPollMs is { } slow ? TimeSpan.FromMilliseconds(slow) : defaults.SlowPolling,
        };
        var daemonSettings = string.Create(
            CultureInfo.InvariantCulture,
            $"BatchSize={tuning.BatchSize}{(options.Batch is null ? " (default)" : "")}, " +
            $"FastPolling={tuning.FastPolling.TotalMilliseconds}ms{(options.FastPollMs is null ? " (default)" : "")}, " +
            $"SlowPolling={tuning.SlowPolling.TotalMilliseconds}ms{(options.SlowPollMs is null ? " (default)" : "")}, " +
            $"AppendWakeup on, others as RoadmapMarten configures them");

        await using var observer = await VisibilityObserver.StartAsync(connectionString, $"{schema.Name}_seen", cancellationToken);
        await using var marten = await BenchStore.CreateAsync(
            dataSource, schema.Name, registry, [new ProjectionRegistration(new LagProjection($"{schema.Name}_seen"), ProjectionLifecycle.Async)], tuning,
            withApiTables: false, cancellationToken);
        var store = marten.Store;
        await marten.StartDaemonAsync(cancellationToken);
        await Console.Error.WriteLineAsync($"projection-lag: Marten's daemon started ({daemonSettings})");

        // One event through the whole path first: the daemon holds the projection and the observer hears it.
        var priming = await store.AppendAsync(
            $"{StreamPrefix}priming", ExpectedVersion.Any,
            [new NewEvent(Guid.CreateVersion7(), new BenchEvent($"{StreamPrefix}priming", 0, BenchEvent.FillerPayload), Metadata)], cancellationToken);
        if (!await observer.WaitUntilSeenAsync(priming.Events[0].Checkpoint, TimeSpan.FromSeconds(30), cancellationToken))
        {
            throw new BenchmarkFailedException("the projection did not show a first event within 30 s; is the daemon running?");
        }

        var warmupSlots = (long)options.Rate * options.Warmup;
        var total = (long)options.Rate * (options.Warmup + options.Seconds);
        var slots = new Slot[total];
        await Console.Error.WriteLineAsync(
            $"projection-lag: {options.Rate} events/s for {options.Warmup} s warm-up + {options.Seconds} s measured = {total} appends, " +
            $"{options.Concurrency} writers, {StreamCount} streams");

        // The daemon's statements while the schedule runs, to see where a batch cycle goes (commits are not traced).
        using var statements = new StatementTimings(sql => DaemonStatements.Classify(sql, schema.Name, LagProjection.Table));
        var cpu = await CpuMeter.StartAsync(dataSource, cancellationToken);

        // Start a little in the future so that every writer is waiting when the first slot is due.
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var nextSlot = -1L;
        using (var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await using var progress = new Progress("projection-lag (appends)", total);
            var tasks = Enumerable.Range(0, options.Concurrency)
                .Select(_ => Task.Run(() => WriteAsync(store, slots, start, options.Rate, () => Interlocked.Increment(ref nextSlot), progress, failure),
                    CancellationToken.None))
                .ToArray();
            try
            {
                await Task.WhenAll(tasks);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                var first = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                    .FirstOrDefault(e => e is not OperationCanceledException);
                throw first switch
                {
                    null => new BenchmarkFailedException("the writers were cancelled"),
                    BenchmarkFailedException bench => bench,
                    _ => new BenchmarkFailedException($"an append failed: {first.GetType().Name}: {first.Message}", first),
                };
            }
        }

        var lastCheckpoint = slots.Max(s => s.Checkpoint);
        if (!await observer.WaitUntilSeenAsync(lastCheckpoint, TimeSpan.FromSeconds(60), cancellationToken))
        {
            var seenSoFar = observer.Snapshot();
            throw new BenchmarkFailedException(
                $"the projection did not reach the last event ({lastCheckpoint}) within 60 s of the last append; " +
                $"last batch seen: {(seenSoFar.Count == 0 ? "none" : seenSoFar[^1].Checkpoint.ToString())}");
        }

        statements.Stop();
        var cpuUsed = cpu.Read();
        var seen = observer.Snapshot();
        var rows = await schema.ScalarAsync($"select count(*) from {schema.Name}.{LagProjection.Table}", cancellationToken);
        if (rows != total + 1)
        {
            throw new BenchmarkFailedException($"verification failed: {rows} rows in {schema.Name}.{LagProjection.Table}, expected {total + 1} (with the priming event)");
        }

        await Console.Error.WriteLineAsync($"verified: {schema.Name}.{LagProjection.Table} holds {rows} rows, one per appended event");
        return Summarize(slots, warmupSlots, seen, statements, cpuUsed, options, tuning, daemonSettings, schema.Name, serverVersion);
    }

    private static async Task WriteAsync(
        PostgresEventStore store, Slot[] slots, long start, int rate, Func<long> takeSlot, Progress progress, CancellationTokenSource failure)
    {
        try
        {
            for (var i = takeSlot(); i < slots.Length; i = takeSlot())
            {
                var due = start + i * Stopwatch.Frequency / rate;
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    // Task.Delay counts whole milliseconds; round up so that no event goes out before it is due.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency)), failure.Token);
                }

                var stream = $"{StreamPrefix}{i % StreamCount:D4}";
                NewEvent[] events = [new NewEvent(Guid.CreateVersion7(), new BenchEvent(stream, i, BenchEvent.FillerPayload), Metadata)];
                var started = Stopwatch.GetTimestamp();
                var result = await store.AppendAsync(stream, ExpectedVersion.Any, events, failure.Token);
                slots[i] = new Slot { Due = due, Started = started, Committed = Stopwatch.GetTimestamp(), Checkpoint = result.Events[0].Checkpoint };
                progress.Add();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failure.CancelAsync();
            throw;
        }
    }

    private static ProjectionLagFigures Summarize(
        Slot[] slots, long warmupSlots, IReadOnlyList<VisibilityObserver.Seen> seen, StatementTimings statements,
        (double Wall, double Client, double? Server) cpu, BenchOptions options,
        DaemonTuning tuning, string daemonSettings, string schema, string serverVersion)
    {
        var measured = slots.AsSpan((int)warmupSlots);
        var lags = new long[measured.Length];
        var fromSchedule = new long[measured.Length];
        var appends = new long[measured.Length];
        var lateness = new long[measured.Length];
        var windowEnd = long.MinValue;
        for (var k = 0; k < measured.Length; k++)
        {
            var slot = measured[k];
            var visible = VisibleAt(seen, slot.Checkpoint);
            // A batch can commit (and be heard) before the writer's await has resumed on a busy machine; that lag is 0.
            lags[k] = Math.Max(0, visible - slot.Committed);
            fromSchedule[k] = Math.Max(0, visible - slot.Due);
            appends[k] = slot.Committed - slot.Started;
            lateness[k] = Math.Max(0, slot.Started - slot.Due);
            windowEnd = Math.Max(windowEnd, slot.Committed);
        }

        var windowStart = measured[0].Due;
        var batchesInWindow = seen.Where(s => s.Ticks >= windowStart && s.Ticks <= windowEnd).ToList();
        var seconds = (windowEnd - windowStart) / (double)Stopwatch.Frequency;

        // Per batch over the whole schedule (warm-up included, as the statements are): what one daemon cycle spends where.
        var scheduleBatches = Math.Max(1, seen.Count(b => b.Ticks >= slots[0].Due));
        var scheduleSeconds = (windowEnd - slots[0].Due) / (double)Stopwatch.Frequency;
        double PerBatchMs(string kind) => Figures.Round(statements.Of(kind).Seconds * 1000 / scheduleBatches);
        var cycle = new LagCycle(
            CycleMs: Figures.Round(scheduleSeconds * 1000 / scheduleBatches),
            ReadMs: PerBatchMs("read"),
            ApplyMs: PerBatchMs("apply"),
            HighWaterMs: PerBatchMs("highwater"),
            HighWaterStatements: Figures.Round(statements.Of("highwater").Count / (double)scheduleBatches, 1),
            OtherProgressMs: PerBatchMs("setup"));

        Array.Sort(lags);
        Array.Sort(fromSchedule);
        Array.Sort(appends);
        Array.Sort(lateness);
        var figures = new ProjectionLagFigures(
            Benchmark: "projection-lag",
            Events: lags.LongLength,
            Seconds: Figures.Round(seconds),
            TargetRate: options.Rate,
            EventsPerSecond: Figures.Round(lags.LongLength / seconds, 1),
            P50Ms: Figures.Round(Figures.PercentileMs(lags, 50)),
            P95Ms: Figures.Round(Figures.PercentileMs(lags, 95)),
            P99Ms: Figures.Round(Figures.PercentileMs(lags, 99)),
            MaxMs: Figures.Round(Figures.TicksToMs(lags[^1])),
            MeanMs: Figures.Round(Figures.TicksToMs((long)lags.Average(t => (double)t))),
            ScheduleP50Ms: Figures.Round(Figures.PercentileMs(fromSchedule, 50)),
            ScheduleP99Ms: Figures.Round(Figures.PercentileMs(fromSchedule, 99)),
            ScheduleMaxMs: Figures.Round(Figures.TicksToMs(fromSchedule[^1])),
            AppendP50Ms: Figures.Round(Figures.PercentileMs(appends, 50)),
            AppendP99Ms: Figures.Round(Figures.PercentileMs(appends, 99)),
            StartLatenessP99Ms: Figures.Round(Figures.PercentileMs(lateness, 99)),
            Batches: batchesInWindow.Count,
            MeanBatchEvents: Figures.Round(batchesInWindow.Count == 0 ? 0 : batchesInWindow.Average(b => b.Events), 1),
            Cycle: cycle,
            ClientCpuSeconds: Figures.Round(cpu.Client),
            ServerCpuSeconds: cpu.Server is { } serverCpu ? Figures.Round(serverCpu) : null,
            CpuWallSeconds: Figures.Round(cpu.Wall),
            Concurrency: options.Concurrency,
            WarmupSeconds: options.Warmup,
            Streams: StreamCount,
            DaemonBatchSize: tuning.BatchSize,
            DaemonFastPollingMs: tuning.FastPolling.TotalMilliseconds,
            DaemonSlowPollingMs: tuning.SlowPolling.TotalMilliseconds,
            DaemonOptions: daemonSettings,
            Method: Method,
            Schema: schema,
            ServerVersion: serverVersion);

        Console.Out.WriteLine(
            $"""
            projection-lag: {figures.Events} events at a target of {options.Rate} events/s ({options.Warmup} s warm-up not counted), {options.Concurrency} writers, one event per AppendAsync
              achieved    {figures.EventsPerSecond:F1} events/s over {figures.Seconds:F3} s
              lag         commit -> visible in the read model: p50 {figures.P50Ms:F3} ms, p95 {figures.P95Ms:F3} ms, p99 {figures.P99Ms:F3} ms, max {figures.MaxMs:F3} ms, mean {figures.MeanMs:F3} ms
              schedule    due time -> visible: p50 {figures.ScheduleP50Ms:F3} ms, p99 {figures.ScheduleP99Ms:F3} ms, max {figures.ScheduleMaxMs:F3} ms (includes late starts and the append itself)
              appends     p50 {figures.AppendP50Ms:F3} ms, p99 {figures.AppendP99Ms:F3} ms; start later than due: p99 {figures.StartLatenessP99Ms:F3} ms
              batches     {figures.Batches} projection batches, {figures.MeanBatchEvents:F1} events each on average
              cycle       one daemon cycle (batch) every {cycle.CycleMs:F1} ms: event page read {cycle.ReadMs:F1} ms, writes with the progress update {cycle.ApplyMs:F1} ms,
                          other progress {cycle.OtherProgressMs:F1} ms; the rest commit and waiting; beside it, per batch, the high water mark agent's
                          statements {cycle.HighWaterMs:F1} ms ({cycle.HighWaterStatements:F1} statements) (statement times from Npgsql's tracing: sending to the reader's close; commits are not traced)
              cpu         this process {figures.ClientCpuSeconds:F2} s, PostgreSQL {(figures.ServerCpuSeconds is { } server ? $"{server:F2} s" : "n/a (not on this machine)")} over the {figures.CpuWallSeconds:F2} s of the schedule, {Environment.ProcessorCount} cores
              daemon      {daemonSettings}
              method      {Method}
              schema      {schema}, PostgreSQL {serverVersion}
            """);
        return figures;
    }

    /// <summary>The receipt time of the first batch whose checkpoint covers <paramref name="checkpoint"/> (batches arrive in checkpoint order).</summary>
    private static long VisibleAt(IReadOnlyList<VisibilityObserver.Seen> seen, GlobalCheckpoint checkpoint)
    {
        int low = 0, high = seen.Count - 1;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (seen[middle].Checkpoint >= checkpoint)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return seen[low].Checkpoint >= checkpoint
            ? seen[low].Ticks
            : throw new BenchmarkFailedException($"no projection batch covers the event at {checkpoint}");
    }
}

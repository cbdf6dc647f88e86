using System.Diagnostics;
using System.Runtime;
using System.Text;
using Marten;
using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>rebuild</c>: loads N events of six types over S streams into Marten's tables (see <see cref="EventLoader"/>),
/// then runs as a single API node does: Marten's async daemon holds <see cref="StreamSummaryProjection"/>, caught up
/// with the log (its progress put at the head directly, so the live projection need not run over the whole log first),
/// with a few stale rows in its table. The rebuild is asked for with ProjectionAdmin.RequestRebuildAsync, which the node
/// holding the projection runs at once (beside the live table: the log replayed into a side schema, then swapped in,
/// docs/0012; the live projection keeps running), and the benchmark waits until <c>projection_controls</c> records it finished. The
/// time runs from the request to that record. Memory is this process's during the rebuild only: earlier garbage is
/// collected and the kernel's peak RSS reset first, then the managed heap and working set are sampled every 50 ms.
/// </summary>
internal static class RebuildBenchmark
{
    private const int ReadSplitEvents = 200_000;
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);

    public static async Task<RebuildFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        var serverVersion = await AppendBenchmark.ServerVersionAsync(dataSource, cancellationToken);
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        var projection = new StreamSummaryProjection();
        var tuning = new DaemonTuning { BatchSize = options.Batch ?? new DaemonTuning().BatchSize };
        await using var marten = await BenchStore.CreateAsync(
            dataSource, schema.Name, SyntheticEvents.Registry(), [new ProjectionRegistration(projection, ProjectionLifecycle.Async)], tuning,
            withApiTables: true, cancellationToken);
        var store = marten.Store;

        await Console.Error.WriteLineAsync(
            $"rebuild: loading {options.Events} events over {options.Streams} streams ({options.Load}, {options.Concurrency} connections)");
        var loadStarted = Stopwatch.GetTimestamp();
        var loadBytes = await EventLoader.LoadAsync(store, new SyntheticEvents(options.Events, options.Streams), options, cancellationToken);
        var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
        var head = await VerifyLoadAsync(schema, options, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"load: {options.Events} events ({loadBytes / Math.Max(1, options.Events)} bytes of JSON on average) in {loadSeconds:F1} s " +
            $"= {options.Events / loadSeconds:F0} events/s");

        await using (var stale = dataSource.CreateCommand(
            $"insert into {schema.Name}.{StreamSummaryProjection.Table} select 'stale-' || i, 1, current_date, current_date, 0, 0, 'stale', 0 from generate_series(1, 3) i"))
        {
            await stale.ExecuteNonQueryAsync(cancellationToken);
        }

        var admin = new ProjectionAdmin(store, marten.Projections, () => marten.Daemon);

        // What one GetStatusAsync costs with the projection N events behind (no progress yet) and at the head.
        var statusFullLagMs = await TimeStatusAsync(admin, projection.Name, cancellationToken);

        // The usual case for a rebuild is a live projection that is caught up. Running the live projection over the
        // whole log first would double the run time, so its progress is put at the head of the log directly (this
        // benchmark owns the schema), before the daemon starts.
        await using (var caughtUp = dataSource.CreateCommand(
            $"""
            insert into {schema.Name}.mt_event_progression (name, last_seq_id, last_updated) values ($1, $2, now())
            on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = now()
            """))
        {
            caughtUp.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ProjectionAdmin.ShardOf(projection.Name) });
            caughtUp.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head });
            await caughtUp.ExecuteNonQueryAsync(cancellationToken);
        }

        var statusCallMs = await TimeStatusAsync(admin, projection.Name, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"rebuild: one ProjectionAdmin.GetStatusAsync took {statusFullLagMs:F0} ms with the projection {options.Events} events behind, " +
            $"{statusCallMs:F0} ms with it at the head");

        // A running node: the daemon holds the projection and its high water mark has reached the head of the log.
        var daemonStarted = Stopwatch.GetTimestamp();
        var daemon = await marten.StartDaemonAsync(cancellationToken);
        await WaitForRunningNodeAsync(daemon, store, projection.Name, head, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"rebuild: Marten's daemon holds {projection.Name} and its high water mark is at the head ({head}) after " +
            $"{Stopwatch.GetElapsedTime(daemonStarted).TotalSeconds:F1} s; BatchSize {tuning.BatchSize}");

        var timings = projection.Timings;
        using var statements = new StatementTimings(sql => DaemonStatements.Classify(sql, schema.Name, StreamSummaryProjection.Table));
        await using var memory = MemorySampler.Start();
        var cpu = await CpuMeter.StartAsync(dataSource, cancellationToken);
        var statusPolls = new List<double>();
        timings.Start();
        var started = Stopwatch.GetTimestamp();
        if (!await admin.RequestRebuildAsync(projection.Name, cancellationToken))
        {
            throw new BenchmarkFailedException($"ProjectionAdmin does not know the async projection {projection.Name}");
        }

        var finished = await WaitForRebuildAsync(admin, dataSource, schema.Name, projection.Name, statusPolls, cancellationToken);
        timings.Stop();
        await memory.StopAsync();
        statements.Stop();
        var cpuUsed = cpu.Read();

        var seconds = (finished - started) / (double)Stopwatch.Frequency;
        var peakWorkingSet = MemorySampler.PeakWorkingSet();
        var gcInfo = GC.GetGCMemoryInfo(GCKind.Any);

        var status = await admin.GetStatusAsync(projection.Name, cancellationToken)
            ?? throw new BenchmarkFailedException($"projection {projection.Name} has no status");
        if (status.RebuiltAt is null || status.Rebuild is not null || status.State != ProjectionState.Running)
        {
            throw new BenchmarkFailedException(
                $"the status after the rebuild is not done: state {status.State}, rebuilt at {status.RebuiltAt}, rebuild {status.Rebuild}, error {status.Error}");
        }

        await VerifyReadModelAsync(schema, options, cancellationToken);
        var batches = timings.Batches();
        var split = Split(batches, statements, seconds);
        var read = await MeasureReadAsync(store, Math.Min(options.Events, ReadSplitEvents), tuning.BatchSize, options.Events, seconds, cancellationToken);

        var figures = new RebuildFigures(
            Benchmark: "rebuild",
            Events: options.Events,
            Streams: options.Streams,
            EventsPerSecond: Figures.Round(options.Events / seconds, 1),
            Seconds: Figures.Round(seconds),
            PeakWorkingSetBytes: peakWorkingSet,
            PeakWorkingSetSinceRebuildStart: memory.PeakWorkingSetReset,
            PeakSampledWorkingSetBytes: memory.PeakSampledWorkingSet,
            PeakManagedHeapBytes: memory.PeakHeap,
            ManagedHeapBeforeBytes: memory.HeapBefore,
            WorkingSetBeforeBytes: memory.WorkingSetBefore,
            AllocatedBytes: memory.AllocatedBytes,
            AllocatedBytesPerEvent: Figures.Round(memory.AllocatedBytes / (double)options.Events, 0),
            Gen0Collections: memory.Collections(0),
            Gen1Collections: memory.Collections(1),
            Gen2Collections: memory.Collections(2),
            RebuildBatchSize: projection.RebuildPageSize,
            Batches: batches.Count,
            Split: split,
            Read: read,
            ClientCpuSeconds: Figures.Round(cpuUsed.Client),
            ServerCpuSeconds: cpuUsed.Server is { } serverCpu ? Figures.Round(serverCpu) : null,
            Load: options.Load,
            LoadSeconds: Figures.Round(loadSeconds),
            LoadEventsPerSecond: Figures.Round(options.Events / loadSeconds, 1),
            LoadBytes: loadBytes,
            LoadConcurrency: options.Concurrency,
            StatusPollMeanMs: Figures.Round(statusPolls.Count == 0 ? 0 : statusPolls.Average()),
            StatusPollMaxMs: Figures.Round(statusPolls.Count == 0 ? 0 : statusPolls.Max()),
            StatusFullLagMs: Figures.Round(statusFullLagMs),
            StatusCallMs: Figures.Round(statusCallMs),
            Gc: $"{(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode}, heap after {gcInfo.HeapSizeBytes / 1048576.0:F1} MiB",
            Schema: schema.Name,
            ServerVersion: serverVersion);

        const double MiB = 1024 * 1024;
        await Console.Out.WriteLineAsync(
            $"""
            rebuild: {figures.Events} events over {figures.Streams} streams, projection {projection.Name} (one summary row per stream, one upsert per batch), rebuilt beside its live table (docs/0012)
              rebuild     {figures.Seconds:F3} s from the request to its end = {figures.EventsPerSecond:F1} events/s, {figures.Batches} pages of up to {figures.RebuildBatchSize} events
              split       Marten's event page reads {split.ReadSeconds:F3} s over {split.Reads} reads (first response after {split.ReadFirstResponseSeconds:F3} s in all; the rest fetching and deserializing),
                          high water mark {split.HighWaterSeconds:F3} s over {split.HighWaterStatements} statements;
                          apply {split.ApplySeconds:F3} s (folding and queueing), its upserts into the side table {split.ApplySqlSeconds:F3} s over {split.Writes} pages;
                          progress bookkeeping {split.SetupSeconds:F3} s; other {split.OtherSeconds:F3} s (side tables, commits, the swap, waits; negative where the next page is read while one is written)
              cpu         this process {figures.ClientCpuSeconds:F2} s, PostgreSQL {(figures.ServerCpuSeconds is { } server ? $"{server:F2} s" : "n/a (not on this machine)")}, over {figures.Seconds:F2} s of wall time on {Environment.ProcessorCount} cores
              read alone  {(read is null ? "n/a" : $"Marten's raw event query {read.EngineEventsPerSecond:F0} events/s; the same rows as text, not deserialized, {read.RawEventsPerSecond:F0} events/s ({read.Events} events, best of 3);" + Environment.NewLine + $"                          CPU of this process per event: Marten {read.EngineCpuMicrosecondsPerEvent:F1} us, raw {read.RawCpuMicrosecondsPerEvent:F1} us; deserializing the data alone (Marten's serializer) {read.DeserializeMicrosecondsPerEvent:F1} us/event = {read.DeserializeShareOfRebuild * 100:F1} % of the rebuild's time")}
              memory      peak working set {figures.PeakWorkingSetBytes / MiB:F1} MiB ({(figures.PeakWorkingSetSinceRebuildStart ? "since the rebuild started" : "whole process: the kernel peak could not be reset")}), sampled peak {figures.PeakSampledWorkingSetBytes / MiB:F1} MiB, {figures.WorkingSetBeforeBytes / MiB:F1} MiB at the start
                          managed heap {figures.ManagedHeapBeforeBytes / MiB:F1} MiB before, peak {figures.PeakManagedHeapBytes / MiB:F1} MiB; allocated {figures.AllocatedBytes / MiB:F0} MiB = {figures.AllocatedBytesPerEvent:F0} bytes/event; GCs gen0 {figures.Gen0Collections}, gen1 {figures.Gen1Collections}, gen2 {figures.Gen2Collections} ({figures.Gc})
              load        {figures.Load}: {figures.LoadSeconds:F1} s = {figures.LoadEventsPerSecond:F0} events/s, {figures.LoadBytes / MiB:F0} MiB of event JSON, {figures.LoadConcurrency} connections
              status      progress: ProjectionAdmin.GetStatusAsync every max(1 s, 20 x its duration): mean {figures.StatusPollMeanMs:F1} ms, max {figures.StatusPollMaxMs:F1} ms
                          one call with the projection at the head: {figures.StatusCallMs:F0} ms; {options.Events} events behind: {figures.StatusFullLagMs:F0} ms
              verified    {options.Streams} summary rows holding {options.Events} events, stale rows gone (schema {schema.Name}, PostgreSQL {serverVersion})
            """);
        return figures;
    }

    /// <summary>Waits until this node's daemon runs the projection's agent and its high water mark has reached <paramref name="head"/>.</summary>
    private static async Task WaitForRunningNodeAsync(
        JasperFx.Events.Daemon.IProjectionDaemon daemon, PostgresEventStore store, string name, long head, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while (true)
        {
            var held = daemon.CurrentAgents().Any(a => a.Name.Identity == ProjectionAdmin.ShardOf(name));
            var mark = await store.GetHighWaterMarkAsync(cancellationToken);
            if (held && mark >= head)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchmarkFailedException(
                    $"after 120 s the daemon {(held ? "holds" : "does not hold")} {name} and its high water mark is {mark} of {head}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// Prints progress from ProjectionAdmin.GetStatusAsync (at most every second) and returns the Stopwatch time the end of
    /// the rebuild was first seen. The end (projection_controls.finished_at) is watched with a cheap query every 20 ms,
    /// so the end time is off by at most that much.
    /// </summary>
    private static async Task<long> WaitForRebuildAsync(
        ProjectionAdmin admin, NpgsqlDataSource dataSource, string schema, string name, List<double> statusPolls, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var done = new NpgsqlCommand($"select finished_at is not null, error from {schema}.projection_controls where name = $1", connection);
        done.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        var nextStatus = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        var lastApplied = -1L;
        var lastProgress = Stopwatch.GetTimestamp();
        var lastPoll = lastProgress;
        while (true)
        {
            await using (var reader = await done.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken) && reader.GetBoolean(0))
                {
                    var at = Stopwatch.GetTimestamp();
                    if (!reader.IsDBNull(1))
                    {
                        throw new BenchmarkFailedException($"the rebuild failed: {reader.GetString(1)}");
                    }

                    return at;
                }
            }

            if (Stopwatch.GetTimestamp() >= nextStatus)
            {
                var before = Stopwatch.GetTimestamp();
                var status = await admin.GetStatusAsync(name, cancellationToken);
                var pollTicks = Stopwatch.GetTimestamp() - before;
                statusPolls.Add(pollTicks * 1000.0 / Stopwatch.Frequency);
                // The status query counts the lag, so poll at most 5 % of the time.
                nextStatus = Stopwatch.GetTimestamp() + Math.Max(Stopwatch.Frequency, 20 * pollTicks);
                if (status?.Rebuild is { } rebuild)
                {
                    var eta = rebuild.EtaSeconds is { } s ? $"{s:F0} s" : "?";
                    var now = lastApplied < 0 ? 0 : (rebuild.Applied - lastApplied) / Stopwatch.GetElapsedTime(lastPoll).TotalSeconds;
                    await Console.Error.WriteLineAsync(
                        $"rebuild: {rebuild.Applied}/{rebuild.Total} events ({rebuild.Percent:F1} %), {now:F0} events/s now, " +
                        $"{rebuild.EventsPerSecond:F0} events/s average, ETA {eta} (state {status.State}; status query {pollTicks * 1000.0 / Stopwatch.Frequency:F0} ms)");
                    if (rebuild.Applied != lastApplied)
                    {
                        lastProgress = Stopwatch.GetTimestamp();
                    }

                    lastApplied = rebuild.Applied;
                    lastPoll = before;
                }

                if (Stopwatch.GetElapsedTime(lastProgress) > StallTimeout)
                {
                    throw new BenchmarkFailedException($"the rebuild made no progress for {StallTimeout.TotalSeconds:F0} s (state {status?.State}, error {status?.Error})");
                }
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task<double> TimeStatusAsync(ProjectionAdmin admin, string name, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await admin.GetStatusAsync(name, cancellationToken);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static RebuildSplit Split(IReadOnlyList<(long Start, long End, int Events)> batches, StatementTimings statements, double total)
    {
        var apply = batches.Sum(b => (double)(b.End - b.Start)) / Stopwatch.Frequency;
        var read = statements.Of("read");
        var write = statements.Of("apply");
        var highWater = statements.Of("highwater");
        var setup = statements.Of("setup");
        return new RebuildSplit(
            ReadSeconds: Figures.Round(read.Seconds),
            ReadFirstResponseSeconds: Figures.Round(read.FirstResponseSeconds),
            Reads: read.Count,
            HighWaterSeconds: Figures.Round(highWater.Seconds),
            HighWaterStatements: highWater.Count,
            ApplySeconds: Figures.Round(apply),
            ApplySqlSeconds: Figures.Round(write.Seconds),
            Writes: write.Count,
            SetupSeconds: Figures.Round(setup.Seconds),
            OtherSeconds: Figures.Round(total - read.Seconds - highWater.Seconds - apply - write.Seconds - setup.Seconds));
    }

    /// <summary>
    /// Reads the first <paramref name="events"/> of the log again, without writing: with Marten's raw event query (SQL and
    /// deserialization, as the daemon's loader does), and with the same columns fetched as text without deserializing
    /// them (best of three alternating rounds; these are noisy on a shared machine). Then times the deserialization of the
    /// data alone, in memory, with Marten's serializer, which is steadier.
    /// </summary>
    private static async Task<ReadSplit?> MeasureReadAsync(
        PostgresEventStore store, int events, int batchSize, long rebuiltEvents, double rebuildSeconds, CancellationToken cancellationToken)
    {
        if (events < batchSize)
        {
            return null;
        }

        double raw = double.MaxValue, engine = double.MaxValue, rawCpu = double.MaxValue, engineCpu = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            raw = Math.Min(raw, await TimeAsync(() => ReadRawAsync(store, events, batchSize, null, cancellationToken)));
            var afterRaw = Process.GetCurrentProcess().TotalProcessorTime;
            engine = Math.Min(engine, await TimeAsync(() => ReadMartenAsync(store, events, batchSize, cancellationToken)));
            rawCpu = Math.Min(rawCpu, (afterRaw - cpu).TotalSeconds);
            engineCpu = Math.Min(engineCpu, (Process.GetCurrentProcess().TotalProcessorTime - afterRaw).TotalSeconds);
        }

        var texts = new List<(string Type, string Data)>(events);
        await ReadRawAsync(store, events, batchSize, texts, cancellationToken);
        var classes = store.Options.Types.Names.ToDictionary(n => n.Name, n => n.Type, StringComparer.Ordinal);
        var serializer = store.Marten.Options.Serializer();
        var bytes = texts.Select(t => (Type: classes[t.Type], Utf8: Encoding.UTF8.GetBytes(t.Data))).ToList();
        var deserialize = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            deserialize = Math.Min(deserialize, await TimeAsync(() =>
            {
                foreach (var (type, utf8) in bytes)
                {
                    using var json = new MemoryStream(utf8, writable: false);
                    _ = serializer.FromJson(type, json);
                }

                return Task.CompletedTask;
            }));
        }

        var perEvent = deserialize / texts.Count;
        return new ReadSplit(
            events, batchSize, Figures.Round(events / engine, 1), Figures.Round(events / raw, 1),
            Figures.Round(engineCpu * 1e6 / events, 2), Figures.Round(rawCpu * 1e6 / events, 2),
            Figures.Round(perEvent * 1e6, 2), Figures.Round(perEvent * rebuiltEvents / rebuildSeconds, 4));
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Pages of Marten's raw event query (every column, the data deserialized by Marten), in sequence order.</summary>
    private static async Task ReadMartenAsync(PostgresEventStore store, int events, int batchSize, CancellationToken cancellationToken)
    {
        await using var session = store.Marten.QuerySession();
        var after = 0L;
        for (var read = 0; read < events;)
        {
            var from = after;
            var page = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > from)
                .OrderBy(e => e.Sequence)
                .Take(batchSize)
                .ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            read += page.Count;
            after = page[^1].Sequence;
        }
    }

    private static async Task ReadRawAsync(
        PostgresEventStore store, int events, int batchSize, List<(string Type, string Data)>? keep, CancellationToken cancellationToken)
    {
        // The columns Marten's event query reads, fetched as text, to time the database and the transfer alone.
        var schema = store.Options.Schema;
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            select e.seq_id, e.id, e.stream_id, e.version, e.type, e.data::text, e.timestamp, e.tenant_id, e.mt_dotnet_type, e.is_archived,
                   e.correlation_id, e.causation_id, e.headers::text, e.user_name
              from {schema}.mt_events e
             where e.seq_id > $1
             order by e.seq_id
             limit $2
            """, connection);
        var after = new NpgsqlParameter<long> { TypedValue = 0 };
        command.Parameters.Add(after);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        for (var read = 0; read < events;)
        {
            var count = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    after.TypedValue = reader.GetInt64(0);
                    _ = reader.GetGuid(1);
                    _ = reader.GetString(2);
                    _ = reader.GetInt64(3);
                    var type = reader.GetString(4);
                    var data = reader.GetString(5);
                    _ = reader.GetFieldValue<DateTimeOffset>(6);
                    _ = reader.GetString(7);
                    _ = reader.IsDBNull(8) ? null : reader.GetString(8);
                    _ = reader.GetBoolean(9);
                    _ = reader.IsDBNull(10) ? null : reader.GetString(10);
                    _ = reader.IsDBNull(11) ? null : reader.GetString(11);
                    _ = reader.IsDBNull(12) ? null : reader.GetString(12);
                    _ = reader.IsDBNull(13) ? null : reader.GetString(13);
                    keep?.Add((type, data));
                    count++;
                }
            }

            if (count == 0)
            {
                break;
            }

            read += count;
        }
    }

    /// <summary>Checks the load; returns the head of the log (the highest seq_id).</summary>
    private static async Task<long> VerifyLoadAsync(BenchSchema schema, BenchOptions options, CancellationToken cancellationToken)
    {
        var events = await schema.ScalarAsync($"select count(*) from {schema.Name}.mt_events", cancellationToken);
        var versions = await schema.ScalarAsync($"select coalesce(sum(version), 0) from {schema.Name}.mt_streams", cancellationToken);
        var head = await schema.ScalarAsync($"select coalesce(max(seq_id), 0) from {schema.Name}.mt_events", cancellationToken);
        if (events != options.Events || versions != options.Events)
        {
            throw new BenchmarkFailedException(
                $"load verification failed in schema {schema.Name}: {events} events stored, stream versions sum to {versions}; expected {options.Events}");
        }

        return head;
    }

    private static async Task VerifyReadModelAsync(BenchSchema schema, BenchOptions options, CancellationToken cancellationToken)
    {
        var table = $"{schema.Name}.{StreamSummaryProjection.Table}";
        var rows = await schema.ScalarAsync($"select count(*) from {table}", cancellationToken);
        var events = await schema.ScalarAsync($"select coalesce(sum(events), 0) from {table}", cancellationToken);
        var stale = await schema.ScalarAsync($"select count(*) from {table} where stream_id like 'stale-%'", cancellationToken);
        var wrong = await schema.ScalarAsync(
            $"select count(*) from {table} t join {schema.Name}.mt_streams s on s.id = t.stream_id where s.version <> t.events", cancellationToken);
        if (rows != options.Streams || events != options.Events || stale != 0 || wrong != 0)
        {
            throw new BenchmarkFailedException(
                $"read model verification failed: {rows} summary rows (expected {options.Streams}), {events} events in them (expected {options.Events}), " +
                $"{stale} stale rows left (expected 0), {wrong} rows whose count differs from the stream's version");
        }

        await Console.Error.WriteLineAsync($"verified: {table} holds {rows} rows summing to {events} events; the stale rows were cleared");
    }
}

using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>rebuild</c>: loads N events of six types over S streams (see <see cref="EventLoader"/>), creates the live
/// tables of <see cref="StreamSummaryProjection"/> with a few stale rows in them, puts its live checkpoint at the head
/// of the log (a caught-up projection), asks for a rebuild with
/// ProjectionAdmin.RequestRebuildAsync and starts a ProjectionDaemon, then waits until the status shows the swap
/// (RebuiltAt set, no rebuild in progress). The time runs from the request to the swap's commit, daemon start-up
/// included. Memory is this process's during the rebuild only: earlier garbage is collected and the kernel's peak
/// RSS reset first, then the managed heap and working set are sampled every 50 ms.
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
        var store = new PostgresEventStore(dataSource, new EventStoreOptions(schema.Name, SyntheticEvents.Registry()));

        await Console.Error.WriteLineAsync(
            $"rebuild: loading {options.Events} events over {options.Streams} streams ({options.Load}, {options.Concurrency} connections)");
        var loadStarted = Stopwatch.GetTimestamp();
        var loadBytes = await EventLoader.LoadAsync(store, new SyntheticEvents(options.Events, options.Streams), options, cancellationToken);
        var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
        await VerifyLoadAsync(schema, options, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"load: {options.Events} events ({loadBytes / Math.Max(1, options.Events)} bytes of JSON on average) in {loadSeconds:F1} s " +
            $"= {options.Events / loadSeconds:F0} events/s");

        var projection = new StreamSummaryProjection();
        var admin = new ProjectionAdmin(store);
        await ProjectionDaemon.EnsureProjectionTablesAsync(store, [projection], withCheckpoints: true, cancellationToken);
        await using (var stale = dataSource.CreateCommand(
            $"insert into {schema.Name}.{StreamSummaryProjection.Table} select 'stale-' || i, 1, current_date, current_date, 0, 0, 'stale', 0 from generate_series(1, 3) i"))
        {
            await stale.ExecuteNonQueryAsync(cancellationToken);
        }

        // What one GetStatusAsync costs on the service's connections, with the live checkpoint N events behind and at the
        // head. Two costs that do not depend on the lag: the planner estimates the lag count's row comparison at a third
        // of the events table, so from some size on it scans the whole table even when the checkpoint is at the head;
        // and that estimate (times an unanalysed projection_checkpoints table) passes jit_above_cost and the JIT
        // inline/optimize thresholds, so every call compiles (about 0.3 s of CPU on a quiet machine here).
        var statusFullLagMs = await TimeStatusAsync(admin, projection.Name, cancellationToken);

        // The usual case for a rebuild is a live projection that is caught up. Running the live projection over the
        // whole log first would double the run time, so its checkpoint is put at the head of the log directly (this
        // benchmark owns the schema).
        await using (var caughtUp = dataSource.CreateCommand(
            $"""
            update {schema.Name}.projection_checkpoints c
               set transaction_id = h.transaction_id, position = h.global_position, applied_events = {options.Events}
              from (select transaction_id, global_position from {schema.Name}.events
                     order by transaction_id desc, global_position desc limit 1) h
             where c.name = $1
            """))
        {
            caughtUp.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projection.Name });
            if (await caughtUp.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new BenchmarkFailedException($"no checkpoint row for projection {projection.Name}");
            }
        }

        var statusCallMs = await TimeStatusAsync(admin, projection.Name, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"rebuild: one ProjectionAdmin.GetStatusAsync took {statusFullLagMs:F0} ms with the live checkpoint {options.Events} events behind, " +
            $"{statusCallMs:F0} ms with it at the head");

        // Progress is polled through a ProjectionAdmin whose connections run with jit=off: with the engine's connections
        // each poll would keep a core busy compiling, which on two cores takes a good part of the rebuild's CPU. The scan
        // is left as it is; WaitForSwapAsync spaces the polls by their duration instead.
        await using var statusDataSource = EventStoreDataSource.Create(
            new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c jit=off" }.ConnectionString, "roadmap-bench-status");
        var progressAdmin = new ProjectionAdmin(new PostgresEventStore(statusDataSource, store.Options));

        var engineDefaults = new ProjectionDaemonOptions();
        var timings = projection.Timings;
        var daemonOptions = new ProjectionDaemonOptions
        {
            RebuildBatchSize = options.Batch ?? engineDefaults.RebuildBatchSize,
            BeforeCommit = (_, _) =>
            {
                timings.BeforeCommit(Stopwatch.GetTimestamp());
                return Task.CompletedTask;
            },
        };

        using var statements = new StatementTimings(Classify);
        await using var memory = MemorySampler.Start();
        var cpu = await CpuMeter.StartAsync(dataSource, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        long finished;
        (double Wall, double Client, double? Server) cpuUsed;
        var statusPolls = new List<double>();
        await using (var daemon = new ProjectionDaemon(store, [projection], daemonOptions))
        {
            if (!await admin.RequestRebuildAsync(projection.Name, cancellationToken))
            {
                throw new BenchmarkFailedException($"no checkpoint row for projection {projection.Name}");
            }

            await daemon.StartAsync(cancellationToken);
            finished = await WaitForSwapAsync(progressAdmin, dataSource, schema.Name, projection.Name, statusPolls, cancellationToken);
            await memory.StopAsync();
            statements.Stop();
            cpuUsed = cpu.Read();
        }

        var seconds = (finished - started) / (double)Stopwatch.Frequency;
        var peakWorkingSet = MemorySampler.PeakWorkingSet();
        var gcInfo = GC.GetGCMemoryInfo(GCKind.Any);

        var status = await admin.GetStatusAsync(projection.Name, cancellationToken)
            ?? throw new BenchmarkFailedException($"projection {projection.Name} has no status");
        if (status.RebuiltAt is null || status.Rebuild is not null || status.State != ProjectionState.Running)
        {
            throw new BenchmarkFailedException(
                $"the status after the swap is not done: state {status.State}, rebuilt at {status.RebuiltAt}, rebuild {status.Rebuild}");
        }

        await VerifyReadModelAsync(schema, options, cancellationToken);
        var batches = timings.Batches();
        var split = Split(batches, statements, started, finished);
        var read = await MeasureReadAsync(store, Math.Min(options.Events, ReadSplitEvents), daemonOptions.RebuildBatchSize, options.Events, seconds, cancellationToken);

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
            RebuildBatchSize: daemonOptions.RebuildBatchSize,
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
            rebuild: {figures.Events} events over {figures.Streams} streams, projection {projection.Name} (one summary row per stream, one upsert per batch)
              rebuild     {figures.Seconds:F3} s from the request to the swap = {figures.EventsPerSecond:F1} events/s, {figures.Batches} batches of up to {figures.RebuildBatchSize}
              split       between batches {split.ReadAndCommitSeconds:F3} s, of which ReadAllAsync {split.ReadSeconds:F3} s over {split.Reads} reads (first response after {split.ReadFirstResponseSeconds:F3} s in all),
                          checkpoint-row reads {split.CheckpointRowSeconds:F3} s, commits ~{split.CommitSecondsEstimate:F3} s;
                          apply {split.ApplySeconds:F3} s (its upsert {split.ApplySqlSeconds:F3} s); checkpoint update {split.CheckpointSeconds:F3} s;
                          other {split.OtherSeconds:F3} s (start with count(*) and DDL, first read, swap, the 20 ms watch)
              cpu         this process {figures.ClientCpuSeconds:F2} s, PostgreSQL {(figures.ServerCpuSeconds is { } server ? $"{server:F2} s" : "n/a (not on this machine)")}, over {figures.Seconds:F2} s of wall time on {Environment.ProcessorCount} cores
              read alone  {(read is null ? "n/a" : $"ReadAllAsync {read.EngineEventsPerSecond:F0} events/s; the same rows as text, not deserialized, {read.RawEventsPerSecond:F0} events/s ({read.Events} events, best of 3);" + Environment.NewLine + $"                          CPU of this process per event: ReadAllAsync {read.EngineCpuMicrosecondsPerEvent:F1} us, raw {read.RawCpuMicrosecondsPerEvent:F1} us; deserializing data and metadata alone {read.DeserializeMicrosecondsPerEvent:F1} us/event = {read.DeserializeShareOfRebuild * 100:F1} % of the rebuild's time")}
              memory      peak working set {figures.PeakWorkingSetBytes / MiB:F1} MiB ({(figures.PeakWorkingSetSinceRebuildStart ? "since the rebuild started" : "whole process: the kernel peak could not be reset")}), sampled peak {figures.PeakSampledWorkingSetBytes / MiB:F1} MiB, {figures.WorkingSetBeforeBytes / MiB:F1} MiB at the start
                          managed heap {figures.ManagedHeapBeforeBytes / MiB:F1} MiB before, peak {figures.PeakManagedHeapBytes / MiB:F1} MiB; allocated {figures.AllocatedBytes / MiB:F0} MiB = {figures.AllocatedBytesPerEvent:F0} bytes/event; GCs gen0 {figures.Gen0Collections}, gen1 {figures.Gen1Collections}, gen2 {figures.Gen2Collections} ({figures.Gc})
              load        {figures.Load}: {figures.LoadSeconds:F1} s = {figures.LoadEventsPerSecond:F0} events/s, {figures.LoadBytes / MiB:F0} MiB of event JSON, {figures.LoadConcurrency} connections
              status      progress: ProjectionAdmin.GetStatusAsync every max(1 s, 20 x its duration) (jit=off): mean {figures.StatusPollMeanMs:F1} ms, max {figures.StatusPollMaxMs:F1} ms
                          one call on the service's connections (jit on): {figures.StatusCallMs:F0} ms; with the live checkpoint {options.Events} events behind: {figures.StatusFullLagMs:F0} ms
              verified    {options.Streams} summary rows holding {options.Events} events, stale rows gone (schema {schema.Name}, PostgreSQL {serverVersion})
            """);
        return figures;
    }

    /// <summary>
    /// Prints progress from ProjectionAdmin.GetStatusAsync (at most every second) and returns the Stopwatch time the swap was
    /// first seen. The swap itself is watched with a cheap query on the checkpoint row every 20 ms, so the end time
    /// is off by at most that much.
    /// </summary>
    private static async Task<long> WaitForSwapAsync(
        ProjectionAdmin admin, NpgsqlDataSource dataSource, string schema, string name, List<double> statusPolls, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var swapped = new NpgsqlCommand(
            $"""
            select rebuilt_at is not null and rebuild_requested_at is null and rebuild_started_at is null, state, error
              from {schema}.projection_checkpoints where name = $1
            """, connection);
        swapped.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        var nextStatus = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        var lastApplied = -1L;
        var lastProgress = Stopwatch.GetTimestamp();
        var lastPoll = lastProgress;
        while (true)
        {
            await using (var reader = await swapped.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    if (reader.GetBoolean(0))
                    {
                        return Stopwatch.GetTimestamp();
                    }

                    if (reader.GetString(1) == ProjectionState.Failed)
                    {
                        throw new BenchmarkFailedException($"the rebuild failed: {(reader.IsDBNull(2) ? "no error recorded" : reader.GetString(2))}");
                    }
                }
            }

            if (Stopwatch.GetTimestamp() >= nextStatus)
            {
                var before = Stopwatch.GetTimestamp();
                var status = await admin.GetStatusAsync(name, cancellationToken);
                var pollTicks = Stopwatch.GetTimestamp() - before;
                statusPolls.Add(pollTicks * 1000.0 / Stopwatch.Frequency);
                // The status query can scan the whole events table (see RunAsync), so poll at most 5 % of the time.
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

    /// <summary>The engine's statements, by kind, as <see cref="StatementTimings"/> sees them.</summary>
    private static string? Classify(string sql) =>
        sql.Contains("pg_snapshot_xmin(pg_current_snapshot())", StringComparison.Ordinal) ? "read"
        : sql.Contains(StreamSummaryProjection.Table, StringComparison.Ordinal) && sql.Contains("on conflict", StringComparison.Ordinal) ? "apply"
        : sql.Contains("set rebuild_transaction_id = $3", StringComparison.Ordinal) ? "checkpoint"
        : sql.Contains("rebuild_transaction_id::text, rebuild_position", StringComparison.Ordinal) ? "row"
        : null;

    private static RebuildSplit Split(
        IReadOnlyList<(long Start, long End, long Hook, int Events)> batches, StatementTimings statements, long started, long finished)
    {
        double apply = 0, checkpoint = 0, readAndCommit = 0;
        for (var i = 0; i < batches.Count; i++)
        {
            apply += batches[i].End - batches[i].Start;
            checkpoint += batches[i].Hook - batches[i].End;
            if (i > 0)
            {
                readAndCommit += batches[i].Start - batches[i - 1].Hook;
            }
        }

        var f = (double)Stopwatch.Frequency;
        var total = (finished - started) / f;
        var read = statements.Of("read");
        var row = statements.Of("row");
        // Between two batches the runner commits, reads its checkpoint row and reads the next page; commits are not
        // traced, so their share is what is left of that gap.
        var gaps = Math.Max(0, batches.Count - 1);
        var readPerGap = read.Count == 0 ? 0 : (read.Seconds / read.Count + (row.Count == 0 ? 0 : row.Seconds / row.Count)) * gaps;
        return new RebuildSplit(
            ReadAndCommitSeconds: Figures.Round(readAndCommit / f),
            ReadSeconds: Figures.Round(read.Seconds),
            ReadFirstResponseSeconds: Figures.Round(read.FirstResponseSeconds),
            Reads: read.Count,
            CheckpointRowSeconds: Figures.Round(row.Seconds),
            CommitSecondsEstimate: Figures.Round(Math.Max(0, readAndCommit / f - readPerGap)),
            ApplySeconds: Figures.Round(apply / f),
            ApplySqlSeconds: Figures.Round(statements.Of("apply").Seconds),
            CheckpointSeconds: Figures.Round(checkpoint / f),
            OtherSeconds: Figures.Round(total - (readAndCommit + apply + checkpoint) / f));
    }

    /// <summary>
    /// Reads the first <paramref name="events"/> of the log again, without writing: with the engine's ReadAllAsync, and
    /// with the same SQL fetching every column as text without deserializing it (best of three alternating rounds;
    /// these are noisy on a shared machine). Then times the deserialization alone, in memory, as the engine does it
    /// (registry for the data, System.Text.Json for the metadata), which is steadier.
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
            engine = Math.Min(engine, await TimeAsync(() => ReadEngineAsync(store, events, batchSize, cancellationToken)));
            rawCpu = Math.Min(rawCpu, (afterRaw - cpu).TotalSeconds);
            engineCpu = Math.Min(engineCpu, (Process.GetCurrentProcess().TotalProcessorTime - afterRaw).TotalSeconds);
        }

        var texts = new List<(string Type, int Version, string Data, string Metadata)>(events);
        await ReadRawAsync(store, events, batchSize, texts, cancellationToken);
        var types = store.Options.Types;
        var deserialize = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            deserialize = Math.Min(deserialize, await TimeAsync(() =>
            {
                foreach (var (type, version, data, metadata) in texts)
                {
                    _ = types.Deserialize(type, version, data);
                    _ = JsonSerializer.Deserialize<EventMetadata>(metadata, EventLoader.MetadataJson);
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

    private static async Task ReadEngineAsync(PostgresEventStore store, int events, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        var checkpoint = GlobalCheckpoint.Start;
        for (var read = 0; read < events;)
        {
            var page = await store.ReadAllAsync(connection, null, checkpoint, batchSize, cancellationToken: cancellationToken);
            if (page.Next == checkpoint)
            {
                break;
            }

            read += page.Events.Count;
            checkpoint = page.Next;
        }
    }

    private static async Task ReadRawAsync(
        PostgresEventStore store, int events, int batchSize, List<(string Type, int Version, string Data, string Metadata)>? keep, CancellationToken cancellationToken)
    {
        // The engine's global read (GlobalLog.cs), copied here to time the database and the transfer alone.
        var schema = store.Options.Schema;
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            select e.global_position, e.transaction_id::text as transaction_id_text, e.stream_id, version, event_id, event_type, schema_version,
                   e.data::text, e.metadata::text, e.recorded_at, e.archived
              from {schema}.events e
             where (e.transaction_id, e.global_position) > ($1::text::xid8, $2)
               and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             order by e.transaction_id, e.global_position
             limit $3
            """, connection);
        var transactionId = new NpgsqlParameter<string> { TypedValue = "0" };
        var position = new NpgsqlParameter<long> { TypedValue = 0 };
        command.Parameters.Add(transactionId);
        command.Parameters.Add(position);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });
        for (var read = 0; read < events;)
        {
            var count = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    position.TypedValue = reader.GetInt64(0);
                    transactionId.TypedValue = reader.GetString(1);
                    _ = reader.GetString(2);
                    _ = reader.GetInt64(3);
                    _ = reader.GetGuid(4);
                    var type = reader.GetString(5);
                    var version = reader.GetInt32(6);
                    var data = reader.GetString(7);
                    var metadata = reader.GetString(8);
                    _ = reader.GetFieldValue<DateTimeOffset>(9);
                    _ = reader.GetBoolean(10);
                    keep?.Add((type, version, data, metadata));
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

    private static async Task VerifyLoadAsync(BenchSchema schema, BenchOptions options, CancellationToken cancellationToken)
    {
        var events = await schema.ScalarAsync($"select count(*) from {schema.Name}.events", cancellationToken);
        var versions = await schema.ScalarAsync($"select coalesce(sum(version), 0) from {schema.Name}.streams", cancellationToken);
        if (events != options.Events || versions != options.Events)
        {
            throw new BenchmarkFailedException(
                $"load verification failed in schema {schema.Name}: {events} events stored, stream versions sum to {versions}; expected {options.Events}");
        }
    }

    private static async Task VerifyReadModelAsync(BenchSchema schema, BenchOptions options, CancellationToken cancellationToken)
    {
        var table = $"{schema.Name}.{StreamSummaryProjection.Table}";
        var rows = await schema.ScalarAsync($"select count(*) from {table}", cancellationToken);
        var events = await schema.ScalarAsync($"select coalesce(sum(events), 0) from {table}", cancellationToken);
        var stale = await schema.ScalarAsync($"select count(*) from {table} where stream_id like 'stale-%'", cancellationToken);
        var wrong = await schema.ScalarAsync(
            $"select count(*) from {table} t join {schema.Name}.streams s using (stream_id) where s.version <> t.events", cancellationToken);
        if (rows != options.Streams || events != options.Events || stale != 0 || wrong != 0)
        {
            throw new BenchmarkFailedException(
                $"read model verification failed: {rows} summary rows (expected {options.Streams}), {events} events in them (expected {options.Events}), " +
                $"{stale} stale rows left (expected 0), {wrong} rows whose count differs from the stream's version");
        }

        await Console.Error.WriteLineAsync($"verified: {table} holds {rows} rows summing to {events} events; the stale rows were swapped out");
    }
}

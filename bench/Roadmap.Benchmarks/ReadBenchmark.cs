using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurement;
using Roadmap.EventStore;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>read</c>: GET /municipalities/{ags}/roadmap under load, on a generated county history.
/// <list type="number">
/// <item>Generates M municipalities x P procedures of real domain events (<see cref="CountyHistory"/>), serialized with
/// the API's own registry (EventTypes.Create) and Marten's serializer, and bulk-loads them with binary COPY into Marten's
/// tables, created as the API configures them (mt_streams first, then mt_events in chunks from C connections, seq_id
/// from a reserved block of mt_events_sequence; see <see cref="EventLoader"/>), then VACUUM ANALYZE. COPY bypasses the
/// API's inline projections (catalogue/procedure/procurement indexes); the roadmap read does not use them.</item>
/// <item>Starts the real API (a child process, <see cref="ApiProcess"/>) and lets its Marten daemon build the async
/// projection "roadmap" from the start of the log, with Roadmap:Projections:BatchSize = --batch (5000); progress from
/// GET /admin/projections/roadmap until its lag is 0. Then stops that API and runs
/// VACUUM ANALYZE on the roadmap tables (the steady state autovacuum reaches after a catch-up).</item>
/// <item>Starts the API again with its default configuration (the daemon, the webhook sender and the roadmap cache on, as
/// users run it). W seconds of live reads of another day from C clients warm the JIT (not counted), then DELETE
/// /admin/roadmap-cache empties the cache. The cold pass: C clients read every municipality's live roadmap once (today=2026-11-25), in a seeded random order,
/// with the cache empty. Then a short serial probe, an as-of probe (one client), and the warm pass: C clients GET the
/// roadmap of random municipalities (seeded, uniform) for T seconds. The cache's hits and misses come from GET
/// /admin/roadmap-cache before and after each pass. Latency is from sending the request to the last byte of the body.</item>
/// <item>A cold-path profile in this process (<see cref="ColdPathProfile"/>): where a cold read's time goes.</item>
/// </list>
/// </summary>
internal static class ReadBenchmark
{
    public const string Today = "2026-11-25";

    /// <summary>The day the JIT warm-up reads: another cache key than <see cref="Today"/>'s.</summary>
    private const string WarmupToday = "2026-11-24";
    private const int SerialProbeRequests = 200;
    private const int AsOfProbeRequests = 100;
    private const int ProfileMunicipalities = 50;
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(3);

    public static async Task<ReadFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        var serverVersion = await AppendBenchmark.ServerVersionAsync(dataSource, cancellationToken);
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        // Marten's tables as the API configures them (its registry of stable event names); the API under test adds its own
        // tables and its projections' at its start.
        await using var marten = await BenchStore.CreateAsync(dataSource, schema.Name, EventTypes.Create(), [], new DaemonTuning(), withApiTables: false, cancellationToken);
        var store = marten.Store;
        var history = new CountyHistory(options.Municipalities, options.Procedures, ProcurementRuleSet.LoadDefault());

        // 1. Generate and load.
        await Console.Error.WriteLineAsync(
            $"read: generating {options.Municipalities} municipalities in {history.Counties} counties x {options.Procedures} procedures " +
            $"({(long)options.Municipalities * options.Procedures} procedure instances), {history.Releases} releases");
        var loadStarted = Stopwatch.GetTimestamp();
        var (events, streams, loadBytes, byType) = await LoadAsync(store, history, options, cancellationToken);
        var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
        await Console.Error.WriteLineAsync(
            $"load: {events} events in {streams} streams ({loadBytes / Math.Max(1, events)} bytes of JSON on average) in {loadSeconds:F1} s " +
            $"= {events / loadSeconds:F0} events/s (generation, COPY and vacuum analyze)");
        await Console.Error.WriteLineAsync(
            $"load: by type {string.Join(", ", byType.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");

        // 2. The projection, built by the API's daemon.
        var batch = options.Batch ?? 5000;
        double projectionSeconds;
        double reviewSeconds;
        await using (var builder = await ApiProcess.StartAsync(connectionString, schema.Name, cancellationToken,
            new Dictionary<string, string> { ["Roadmap__Projections__BatchSize"] = batch.ToString(CultureInfo.InvariantCulture) }))
        {
            projectionSeconds = await WaitForProjectionAsync(builder, events, cancellationToken);
            // The loaded roadmaps are new to the deadline reviews: the API reviews every municipality once (as after any
            // import). Measured here, so the reads below meet a service in its steady state, every worker on.
            reviewSeconds = await WaitForDeadlineReviewsAsync(dataSource, schema.Name, cancellationToken);
        }

        await Console.Error.WriteLineAsync($"deadline reviews: every municipality reviewed once after the load in {reviewSeconds:F1} s");

        var vacuumStarted = Stopwatch.GetTimestamp();
        foreach (var table in new RoadmapProjection().Tables)
        {
            await using var vacuum = dataSource.CreateCommand($"vacuum (analyze) {schema.Name}.{table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        var vacuumSeconds = Stopwatch.GetElapsedTime(vacuumStarted).TotalSeconds;
        var (procedureRows, caseRows, tableBytes) = await VerifyProjectionAsync(schema, options, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"projection: {events} events in {projectionSeconds:F1} s = {events / projectionSeconds:F0} events/s (batch {batch}); vacuum analyze of its " +
            $"tables {vacuumSeconds:F1} s; {procedureRows} procedure documents, {caseRows} cases, tables and indexes {tableBytes / 1048576.0:F0} MiB");

        // 3. The reads, against a freshly started API with its default configuration (daemon, webhook sender, cache on).
        await using var api = await ApiProcess.StartAsync(connectionString, schema.Name, cancellationToken);
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(options.Concurrency, 16),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = api.Authorize(new HttpClient(handler, disposeHandler: false) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) });

        // The JIT's warm-up on the live path: live reads of another day (so no answer of the measured day is cached), then
        // the cache is cleared. The cold pass measures a running service whose cache has nothing: a restarted node after
        // its first minutes, or every municipality after its inputs changed.
        await Console.Error.WriteLineAsync($"read: JIT warm-up, {options.Concurrency} clients for {options.Warmup} s reading today={WarmupToday} (not counted), then the cache is cleared");
        await RunClientsAsync(client, [.. Enumerable.Range(0, options.Concurrency).Select(i => new Client(options.Municipalities, CountyHistory.Seed + 2000 + i, day: WarmupToday))],
            options.Warmup, cancellationToken);
        using (var clear = await client.DeleteAsync("/admin/roadmap-cache", cancellationToken))
        {
            if (clear.StatusCode != HttpStatusCode.NoContent)
            {
                throw new BenchmarkFailedException($"DELETE /admin/roadmap-cache answered {(int)clear.StatusCode}");
            }
        }

        var beforeCold = await CacheStatisticsAsync(client, cancellationToken);
        if (beforeCold.Entries != 0)
        {
            throw new BenchmarkFailedException($"the roadmap cache holds {beforeCold.Entries} entries before the cold pass");
        }

        // Cold: every municipality's first live read, in a seeded random order, C clients taking the next one.
        await Console.Error.WriteLineAsync($"read: cold pass, {options.Concurrency} clients, each of the {options.Municipalities} municipalities read once (cache empty)");
        var cold = await RunColdPassAsync(client, api, options, cancellationToken);
        var afterCold = await CacheStatisticsAsync(client, cancellationToken);
        var coldSorted = cold.Latencies.ToArray();
        Array.Sort(coldSorted);
        if (cold.FirstProblem is { } coldProblem)
        {
            throw new BenchmarkFailedException($"a cold read failed: {coldProblem}");
        }

        var entries = await VerifyRoadmapAsync(client, options, cancellationToken);
        var clients = Enumerable.Range(0, options.Concurrency).Select(i => new Client(options.Municipalities, CountyHistory.Seed + 1000 + i)).ToArray();

        await Console.Error.WriteLineAsync($"read: serial probe, one client, {SerialProbeRequests} requests");
        var serial = new Client(options.Municipalities, CountyHistory.Seed + 999);
        await serial.RunAsync(client, requests: SerialProbeRequests, until: long.MaxValue, cancellationToken);
        var serialSorted = serial.Latencies.ToArray();
        Array.Sort(serialSorted);

        // As-of answers fold the municipality's streams up to that day on every request (no cache): a council report's read.
        await Console.Error.WriteLineAsync($"read: as-of probe, one client, {AsOfProbeRequests} requests with asOf={Today}");
        var asOfQuery = $"&asOf={Today}";
        await VerifyRoadmapAsync(client, options, cancellationToken, asOfQuery);
        var asOfProbe = new Client(options.Municipalities, CountyHistory.Seed + 998, asOfQuery);
        await asOfProbe.RunAsync(client, requests: AsOfProbeRequests, until: long.MaxValue, cancellationToken);
        var asOfSorted = asOfProbe.Latencies.ToArray();
        Array.Sort(asOfSorted);
        if (asOfProbe.FirstProblem is { } asOfProblem)
        {
            throw new BenchmarkFailedException($"an as-of read failed: {asOfProblem}");
        }

        await Console.Error.WriteLineAsync($"read: warm pass, {options.Concurrency} clients for {options.Seconds} s, random municipalities (timed)");
        var beforeWarm = await CacheStatisticsAsync(client, cancellationToken);
        var loadBefore = LoadAverage();
        var cpu = await CpuMeter.StartAsync(dataSource, cancellationToken);
        var apiCpuBefore = api.CpuSeconds;
        var waits = new WaitSampler(dataSource);
        var timedSeconds = await RunClientsAsync(client, clients, options.Seconds, cancellationToken);
        var cpuUsed = cpu.Read();
        var apiCpu = api.CpuSeconds - apiCpuBefore;
        var databaseWaits = await waits.StopAsync();
        await waits.DisposeAsync();
        var loadAfter = LoadAverage();
        var afterWarm = await CacheStatisticsAsync(client, cancellationToken);

        await Console.Error.WriteLineAsync($"read: cold-path profile, in this process, {ProfileMunicipalities} municipalities one after another");
        var profile = await ColdPathProfile.RunAsync(dataSource, store, options, ProfileMunicipalities, cancellationToken);

        var sorted = clients.SelectMany(c => c.Latencies).ToArray();
        Array.Sort(sorted);
        var statuses = clients.SelectMany(c => c.Statuses).GroupBy(p => p.Key, p => p.Value)
            .ToDictionary(g => g.Key == 0 ? "exception" : g.Key.ToString(CultureInfo.InvariantCulture), g => g.Sum());
        var ok = statuses.GetValueOrDefault("200");
        if (ok == 0)
        {
            throw new BenchmarkFailedException(
                $"no request succeeded in the timed window (statuses: {string.Join(", ", statuses.Select(p => $"{p.Key}: {p.Value}"))}); " +
                $"first problem: {clients.Select(c => c.FirstProblem).FirstOrDefault(p => p is not null)}");
        }

        var bytes = clients.Sum(c => c.Bytes);
        var figures = new ReadFigures(
            Benchmark: "read",
            Municipalities: options.Municipalities,
            ProceduresPerMunicipality: options.Procedures,
            Procedures: procedureRows,
            Counties: history.Counties,
            Cases: caseRows,
            Events: events,
            Streams: streams,
            Requests: sorted.LongLength,
            Seconds: Figures.Round(timedSeconds, 2),
            RequestsPerSecond: Figures.Round(ok / timedSeconds, 1),
            P50Ms: Figures.Round(Figures.PercentileMs(sorted, 50)),
            P95Ms: Figures.Round(Figures.PercentileMs(sorted, 95)),
            P99Ms: Figures.Round(Figures.PercentileMs(sorted, 99)),
            MaxMs: Figures.Round(Figures.TicksToMs(sorted[^1])),
            MeanMs: Figures.Round(Figures.TicksToMs((long)sorted.Average(t => (double)t))),
            Statuses: statuses,
            CacheHitRatio: HitRatio(beforeWarm, afterWarm),
            CacheHits: afterWarm.Hits - beforeWarm.Hits,
            CacheMisses: afterWarm.Misses - beforeWarm.Misses,
            ColdRequests: coldSorted.Length,
            ColdSeconds: Figures.Round(cold.Seconds, 2),
            ColdP50Ms: Figures.Round(Figures.PercentileMs(coldSorted, 50)),
            ColdP95Ms: Figures.Round(Figures.PercentileMs(coldSorted, 95)),
            ColdP99Ms: Figures.Round(Figures.PercentileMs(coldSorted, 99)),
            ColdMaxMs: Figures.Round(Figures.TicksToMs(coldSorted[^1])),
            ColdApiCpuMsPerRequest: Figures.Round(cold.ApiCpuSeconds * 1000 / Math.Max(1, coldSorted.Length), 3),
            ColdCacheHitRatio: HitRatio(beforeCold, afterCold),
            CacheEntries: afterWarm.Entries,
            CacheBytes: afterWarm.SizeBytes,
            CacheSizeLimitBytes: afterWarm.SizeLimitBytes,
            CacheCapacityEvictions: afterWarm.CapacityEvictions,
            ColdPath: profile,
            SerialRequests: serialSorted.Length,
            SerialP50Ms: Figures.Round(Figures.PercentileMs(serialSorted, 50)),
            SerialP99Ms: Figures.Round(Figures.PercentileMs(serialSorted, 99)),
            AsOfRequests: asOfSorted.Length,
            AsOfP50Ms: Figures.Round(Figures.PercentileMs(asOfSorted, 50)),
            AsOfP99Ms: Figures.Round(Figures.PercentileMs(asOfSorted, 99)),
            EntriesPerRoadmap: entries,
            MeanResponseBytes: Figures.Round(bytes / (double)Math.Max(1, sorted.LongLength), 0),
            ApiCpuMsPerRequest: Figures.Round(apiCpu * 1000 / Math.Max(1, sorted.LongLength), 3),
            ServerCpuMsPerRequest: cpuUsed.Server is { } serverCpu ? Figures.Round(serverCpu * 1000 / Math.Max(1, sorted.LongLength), 3) : null,
            ApiCpuSeconds: Figures.Round(apiCpu, 2),
            LoadGeneratorCpuSeconds: Figures.Round(cpuUsed.Client, 2),
            ServerCpuSeconds: cpuUsed.Server is { } s ? Figures.Round(s, 2) : null,
            CpuWallSeconds: Figures.Round(cpuUsed.Wall, 2),
            DatabaseWaits: databaseWaits,
            LoadSeconds: Figures.Round(loadSeconds, 1),
            LoadEventsPerSecond: Figures.Round(events / loadSeconds, 0),
            LoadBytes: loadBytes,
            ProjectionSeconds: Figures.Round(projectionSeconds, 1),
            ProjectionEventsPerSecond: Figures.Round(events / projectionSeconds, 0),
            DeadlineReviewSeconds: Figures.Round(reviewSeconds, 1),
            ProjectionBatchSize: batch,
            VacuumSeconds: Figures.Round(vacuumSeconds, 1),
            ReadModelBytes: tableBytes,
            Concurrency: options.Concurrency,
            WarmupSeconds: options.Warmup,
            Today: Today,
            Cores: Environment.ProcessorCount,
            LoadAverageBefore: loadBefore,
            LoadAverageAfter: loadAfter,
            Note: $"the API, PostgreSQL and this load generator share the machine's {Environment.ProcessorCount} cores; clients are closed-loop",
            Schema: schema.Name,
            ServerVersion: serverVersion);

        var busy = figures.CpuWallSeconds > 0
            ? (figures.ApiCpuSeconds + figures.LoadGeneratorCpuSeconds + (figures.ServerCpuSeconds ?? 0)) / (figures.CpuWallSeconds * figures.Cores)
            : 0;
        await Console.Out.WriteLineAsync(
            $"""
            read: GET /municipalities/{"{ags}"}/roadmap?today={Today}, {options.Concurrency} concurrent clients, random municipalities, {figures.Seconds:F1} s timed (API pid {api.Pid})
              data        {figures.Municipalities} municipalities in {figures.Counties} counties x {figures.ProceduresPerMunicipality} procedures = {figures.Procedures} procedure documents, {figures.Cases} procurement cases, {history.Releases} releases
                          {figures.Events} events in {figures.Streams} streams; load {figures.LoadSeconds:F1} s ({figures.LoadEventsPerSecond:F0} events/s); projection "roadmap" {figures.ProjectionSeconds:F1} s ({figures.ProjectionEventsPerSecond:F0} events/s, batch {batch}), vacuum {figures.VacuumSeconds:F1} s, read model {tableBytes / 1048576.0:F0} MiB
              throughput  {figures.RequestsPerSecond:F1} requests/s (200), {figures.MeanResponseBytes / 1024:F0} KiB per response, {entries} entries per roadmap
              cold        each municipality's first read, cache empty, {options.Concurrency} clients, {figures.ColdRequests} requests in {figures.ColdSeconds:F1} s: p50 {figures.ColdP50Ms:F3} ms, p95 {figures.ColdP95Ms:F3} ms, p99 {figures.ColdP99Ms:F3} ms, max {figures.ColdMaxMs:F3} ms; API {figures.ColdApiCpuMsPerRequest:F2} ms CPU/request
              warm        p50 {figures.P50Ms:F3} ms, p95 {figures.P95Ms:F3} ms, p99 {figures.P99Ms:F3} ms, max {figures.MaxMs:F3} ms, mean {figures.MeanMs:F3} ms
              cache       warm pass hit ratio {figures.CacheHitRatio:F4} ({figures.CacheHits} hits, {figures.CacheMisses} misses), cold pass {figures.ColdCacheHitRatio:F4}; {figures.CacheEntries} entries, {figures.CacheBytes / 1048576.0:F0} of {figures.CacheSizeLimitBytes / 1048576.0:F0} MiB, {figures.CacheCapacityEvictions} dropped for the size limit
              cold path   per read, mean/p99 ms over {profile.Municipalities} municipalities (in this process, serial): load {profile.LoadMs.Mean:F2}/{profile.LoadMs.P99:F2} (of it deserializing {profile.DeserializeMs.Mean:F2}/{profile.DeserializeMs.P99:F2}), calculate {profile.CalculateMs.Mean:F2}/{profile.CalculateMs.P99:F2}, serialize {profile.SerializeMs.Mean:F2}/{profile.SerializeMs.P99:F2}; {profile.Statements} statements
              serial      one client, {figures.SerialRequests} requests: p50 {figures.SerialP50Ms:F3} ms, p99 {figures.SerialP99Ms:F3} ms
              as of       one client, {figures.AsOfRequests} requests with asOf={Today} (folds the municipality's streams, uncached): p50 {figures.AsOfP50Ms:F3} ms, p99 {figures.AsOfP99Ms:F3} ms
              statuses    {string.Join(", ", statuses.Select(p => $"{p.Key}: {p.Value}"))}
              cpu         over {figures.CpuWallSeconds:F1} s: API {figures.ApiCpuSeconds:F2} s ({figures.ApiCpuMsPerRequest:F2} ms/request), load generator {figures.LoadGeneratorCpuSeconds:F2} s, PostgreSQL {(figures.ServerCpuSeconds is { } sc ? $"{sc:F2} s ({figures.ServerCpuMsPerRequest:F2} ms/request)" : "n/a")} (~{busy * 100:F0} % of {figures.Cores} cores)
              db waits    mean active backends per 100 ms sample: {(databaseWaits.Count == 0 ? "n/a" : string.Join(", ", databaseWaits.Take(6).Select(p => $"{p.Key} {p.Value:F2}")))}
              load avg    before {loadBefore}, after {loadAfter} (1, 5, 15 min)
              note        {figures.Note}
            """);
        return figures;
    }

    /// <summary>
    /// Generates the history twice: once for the streams' final versions (mt_streams is copied first: mt_events refers to
    /// it) and the number of events (a block of mt_events_sequence is reserved for them), then for the events.
    /// </summary>
    private static async Task<(long Events, int Streams, long Bytes, Dictionary<string, long> ByType)> LoadAsync(
        PostgresEventStore store, CountyHistory history, BenchOptions options, CancellationToken cancellationToken)
    {
        var serializer = new EventLoader.Serializer(store);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var e in history.Events())
        {
            versions[e.StreamId] = versions.GetValueOrDefault(e.StreamId) + 1;
            var name = serializer.Names(e.Data.GetType()).Name;
            byType[name] = byType.GetValueOrDefault(name) + 1;
            total++;
        }

        await Console.Error.WriteLineAsync($"load: {total} events in {versions.Count} streams generated (first pass, for the stream versions)");
        await EventLoader.CopyStreamsAsync(store, versions.Select(p => (p.Key, p.Value)), cancellationToken);
        var streamCount = versions.Count;
        versions.Clear();
        var first = await EventLoader.ReserveSequencesAsync(store, total, cancellationToken);
        long bytes;
        await using (var progress = new Progress("load (copy)", total))
        {
            IEnumerable<EventLoader.Row> Rows()
            {
                var streamVersions = new Dictionary<string, long>(StringComparer.Ordinal);
                long index = 0;
                foreach (var e in history.Events())
                {
                    var version = streamVersions[e.StreamId] = streamVersions.GetValueOrDefault(e.StreamId) + 1;
                    var (name, dotNetType) = serializer.Names(e.Data.GetType());
                    yield return new EventLoader.Row(
                        first + index, e.StreamId, version, e.EventId, name, dotNetType, serializer.Json(e.Data), CountyHistory.Actor,
                        $"import-{(index + 1) / 50}", e.At);
                    index++;
                }
            }

            bytes = await EventLoader.CopyEventsAsync(store.DataSource, store.Options.Schema, Rows(), options.Concurrency, progress, cancellationToken);
        }

        await EventLoader.VacuumAsync(store, cancellationToken);
        return (total, streamCount, bytes, byType);
    }

    /// <summary>Polls GET /admin/projections/roadmap every 3 s until the lag is 0; returns the seconds from the API's start.</summary>
    /// <summary>
    /// Waits until the API has claimed every changed roadmap for a deadline review (deadline_reviews) and Wolverine has
    /// no review left to run (no incoming envelope but scheduled wake-ups); returns the seconds it took.
    /// </summary>
    internal static async Task<double> WaitForDeadlineReviewsAsync(Npgsql.NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var lastReport = started;
        while (true)
        {
            await using var pending = dataSource.CreateCommand(
                $"""
                select (select count(*) from {schema}.roadmap_municipality_versions v left join {schema}.deadline_reviews r on r.ags = v.ags
                         where r.ags is null or r.reviewed_version < v.version),
                       (select count(*) from {schema}.wolverine_incoming_envelopes where status = 'Incoming')
                """);
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var (unclaimed, queued) = (reader.GetInt64(0), reader.GetInt64(1));
            if (unclaimed == 0 && queued == 0)
            {
                return Stopwatch.GetElapsedTime(started).TotalSeconds;
            }

            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                await Console.Error.WriteLineAsync($"deadline reviews: {unclaimed} roadmaps not yet claimed, {queued} reviews queued");
                lastReport = Stopwatch.GetTimestamp();
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private static async Task<double> WaitForProjectionAsync(ApiProcess api, long events, CancellationToken cancellationToken)
    {
        using var client = api.Authorize(new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
        var started = Stopwatch.GetTimestamp();
        long lastApplied = -1;
        var lastAt = started;
        var lastProgress = started;
        while (true)
        {
            var pollStarted = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync($"/admin/projections/{RoadmapProjection.ProjectionName}", cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var pollMs = Stopwatch.GetElapsedTime(pollStarted).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new BenchmarkFailedException($"GET /admin/projections/{RoadmapProjection.ProjectionName} answered {(int)response.StatusCode}: {body}");
            }

            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
            {
                await Task.Delay(1000, cancellationToken);
                continue;
            }

            var state = status.GetProperty("state").GetString();
            var applied = status.GetProperty("appliedEvents").GetInt64();
            var lag = status.GetProperty("lagEvents").GetInt64();
            var now = Stopwatch.GetTimestamp();
            if (state == "failed")
            {
                throw new BenchmarkFailedException($"the projection failed: {status.GetProperty("error")}");
            }

            if (lag == 0 && applied > 0)
            {
                var seconds = Stopwatch.GetElapsedTime(started, now).TotalSeconds;
                await Console.Error.WriteLineAsync($"projection: caught up, {applied} events applied, lag 0 after {seconds:F1} s");
                return seconds;
            }

            var elapsed = Stopwatch.GetElapsedTime(started, now).TotalSeconds;
            var rate = lastApplied < 0 ? 0 : (applied - lastApplied) / Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
            var average = applied / elapsed;
            var eta = average > 0 ? $"{(events - applied) / average:F0} s" : "?";
            await Console.Error.WriteLineAsync(
                $"projection: {applied}/{events} events ({100.0 * applied / events:F1} %), {rate:F0} events/s now, {average:F0} events/s average, " +
                $"lag {lag}{(lag >= Roadmap.EventStore.Projections.ProjectionAdmin.MaxLagCounted ? "+" : "")}, ETA {eta}, state {state}, {elapsed:F0} s (status {pollMs:F0} ms)");
            if (applied != lastApplied)
            {
                lastProgress = now;
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > StallTimeout)
            {
                throw new BenchmarkFailedException($"the projection made no progress for {StallTimeout.TotalSeconds:F0} s (state {state})");
            }

            lastApplied = applied;
            lastAt = now;
            await Task.Delay(3000, cancellationToken);
        }
    }

    private static async Task<(long Procedures, long Cases, long Bytes)> VerifyProjectionAsync(
        BenchSchema schema, BenchOptions options, CancellationToken cancellationToken)
    {
        var s = schema.Name;
        var procedures = await schema.ScalarAsync($"select count(*) from {s}.roadmap_procedures", cancellationToken);
        var municipalities = await schema.ScalarAsync($"select count(*) from {s}.roadmap_municipalities", cancellationToken);
        var cases = await schema.ScalarAsync($"select count(*) from {s}.roadmap_cases", cancellationToken);
        var bytes = await schema.ScalarAsync(
            $"select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{s}' and c.relkind = 'r' and c.relname like 'roadmap%'",
            cancellationToken);
        var expected = (long)options.Municipalities * options.Procedures;
        if (procedures != expected || municipalities != options.Municipalities)
        {
            throw new BenchmarkFailedException(
                $"read model verification failed: {procedures} procedure documents (expected {expected}), {municipalities} municipalities (expected {options.Municipalities})");
        }

        return (procedures, cases, bytes);
    }

    /// <summary>The first municipality's roadmap (with <paramref name="query"/>, e.g. an asOf) has one entry per procedure; returns that count.</summary>
    private static async Task<int> VerifyRoadmapAsync(HttpClient client, BenchOptions options, CancellationToken cancellationToken, string query = "")
    {
        var ags = CountyHistory.AgsOf(0).Value;
        using var response = await client.GetAsync($"/municipalities/{ags}/roadmap?today={Today}{query}", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkFailedException($"GET /municipalities/{ags}/roadmap answered {(int)response.StatusCode}: {body[..Math.Min(500, body.Length)]}");
        }

        using var document = JsonDocument.Parse(body);
        var entries = document.RootElement.GetProperty("entries").GetArrayLength();
        if (entries != options.Procedures)
        {
            throw new BenchmarkFailedException($"the roadmap of {ags} has {entries} entries, expected {options.Procedures}");
        }

        var bands = document.RootElement.GetProperty("counts");
        await Console.Error.WriteLineAsync($"verified: the roadmap{query} of {ags} has {entries} entries ({body.Length / 1024} KiB), band counts {bands}");
        return entries;
    }

    /// <summary>The roadmap cache's counters (GET /admin/roadmap-cache).</summary>
    private static async Task<CacheCounters> CacheStatisticsAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync("/admin/roadmap-cache", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkFailedException($"GET /admin/roadmap-cache answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return new CacheCounters(
            root.GetProperty("entries").GetInt64(), root.GetProperty("sizeBytes").GetInt64(), root.GetProperty("sizeLimitBytes").GetInt64(),
            root.GetProperty("hits").GetInt64(), root.GetProperty("misses").GetInt64(), root.GetProperty("capacityEvictions").GetInt64());
    }

    private static double? HitRatio(CacheCounters before, CacheCounters after)
    {
        var hits = after.Hits - before.Hits;
        var lookups = hits + after.Misses - before.Misses;
        return lookups == 0 ? null : Figures.Round((double)hits / lookups, 4);
    }

    /// <summary>Every municipality once, in a seeded random order; C clients each take the next one until none is left.</summary>
    private static async Task<ColdPass> RunColdPassAsync(HttpClient client, ApiProcess api, BenchOptions options, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, options.Municipalities).ToArray();
        new Random(CountyHistory.Seed + 3000).Shuffle(order);
        var next = -1;
        var clients = Enumerable.Range(0, options.Concurrency).Select(_ => new Client(options.Municipalities, 0)).ToArray();
        var apiCpuBefore = api.CpuSeconds;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(clients.Select(c => Task.Run(
            async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < order.Length)
                {
                    await c.ReadAsync(client, CountyHistory.AgsOf(order[index]).Value, cancellationToken);
                }
            },
            CancellationToken.None)));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ColdPass(
            [.. clients.SelectMany(c => c.Latencies)], seconds, api.CpuSeconds - apiCpuBefore, clients.Select(c => c.FirstProblem).FirstOrDefault(p => p is not null));
    }

    private sealed record CacheCounters(long Entries, long SizeBytes, long SizeLimitBytes, long Hits, long Misses, long CapacityEvictions);

    private sealed record ColdPass(long[] Latencies, double Seconds, double ApiCpuSeconds, string? FirstProblem);

    /// <summary>Runs every client for <paramref name="seconds"/>; returns the measured wall time.</summary>
    private static async Task<double> RunClientsAsync(HttpClient client, Client[] clients, int seconds, CancellationToken cancellationToken)
    {
        if (seconds == 0)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        var until = started + seconds * Stopwatch.Frequency;
        await Task.WhenAll(clients.Select(c => Task.Run(() => c.RunAsync(client, int.MaxValue, until, cancellationToken), CancellationToken.None)));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>A closed-loop client: GETs the roadmap of a random municipality, reads the whole body, repeats.</summary>
    /// <param name="query">Appended to every request's query string (e.g. "&amp;asOf=...").</param>
    /// <param name="day">The today of every request.</param>
    private sealed class Client(int municipalities, int seed, string query = "", string day = ReadBenchmark.Today)
    {
        private readonly Random _random = new(seed);
        private readonly byte[] _buffer = new byte[64 * 1024];

        public List<long> Latencies { get; } = new(capacity: 1 << 14);

        public Dictionary<int, long> Statuses { get; } = [];

        public long Bytes { get; private set; }

        public string? FirstProblem { get; private set; }

        public async Task RunAsync(HttpClient client, int requests, long until, CancellationToken cancellationToken)
        {
            for (var n = 0; n < requests && Stopwatch.GetTimestamp() < until; n++)
            {
                await ReadAsync(client, CountyHistory.AgsOf(_random.Next(municipalities)).Value, cancellationToken);
            }
        }

        /// <summary>One GET of the municipality's roadmap, timed to the last byte of the body.</summary>
        public async Task ReadAsync(HttpClient client, string ags, CancellationToken cancellationToken)
        {
            var begin = Stopwatch.GetTimestamp();
            int status;
            long read = 0;
            try
            {
                using var response = await client.GetAsync($"/municipalities/{ags}/roadmap?today={day}{query}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                status = (int)response.StatusCode;
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                int count;
                while ((count = await body.ReadAsync(_buffer, cancellationToken)) > 0)
                {
                    read += count;
                }

                if (status != 200)
                {
                    FirstProblem ??= $"{status} for {ags}";
                }
            }
            catch (HttpRequestException e)
            {
                status = 0;
                FirstProblem ??= $"{ags}: {e.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                status = 0;
                FirstProblem ??= $"{ags}: no answer within {client.Timeout.TotalSeconds:F0} s";
            }

            Latencies.Add(Stopwatch.GetTimestamp() - begin);
            Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
            Bytes += read;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Roadmap.EventStore;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>http-append</c>: lifecycle decisions over HTTP against the real API (a child process, see <see cref="ApiProcess"/>),
/// so every request goes through Kestrel, JSON binding, FluentValidation, the decider (read and fold the stream, decide)
/// and the append with the inline projections in its transaction.
/// Setup over HTTP, not timed: a municipality, a vendor, a product, a release and S procedure instances.
/// Timed: C workers, each with its own procedures (procedure i belongs to worker i mod C, so workers never share a
/// stream), POST in turn to their procedures, alternating per procedure between
/// <c>/procedures/{id}/extended-support</c> (Until one day later than that procedure's previous purchase, which the
/// domain requires) and <c>/procedures/{id}/risk-acceptances</c> (Until a fresh future date). A warm-up of W seconds
/// runs first and is not counted; then for T seconds every request that completes is counted and its latency taken
/// (Stopwatch around SendAsync including reading the body).
/// </summary>
internal static class HttpAppendBenchmark
{
    public const string Ags = "09181128";
    public const string CountyAgs = "09181000";

    public const string Decisions =
        "per procedure alternately POST /procedures/{id}/extended-support (until one day after the previous purchase) and " +
        "/procedures/{id}/risk-acceptances (a fresh future until); worker w owns procedures i with i mod C = w";

    private static readonly DateOnly IntroducedOn = new(2019, 4, 1);
    private static readonly DateOnly ExtendedSupportFrom = new(2027, 1, 1);

    public static async Task<HttpAppendFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        var serverVersion = await AppendBenchmark.ServerVersionAsync(dataSource, cancellationToken);
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        // Disposed before the schema: the API is gone before its schema is dropped.
        var nodeEnvironment = options.Daemon
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["Roadmap__Projections__RunDaemon"] = "false", ["Roadmap__Webhooks__RunSender"] = "false" };
        await using var api = await ApiProcess.StartAsync(connectionString, schema.Name, cancellationToken, nodeEnvironment);

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(options.Concurrency, 16),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        using var client = new HttpClient(handler, disposeHandler: false)
        {
            BaseAddress = api.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        api.Authorize(client);

        var procedures = await SetUpAsync(client, options, cancellationToken);

        var writers = options.Concurrency;
        var owned = Enumerable.Range(0, writers)
            .Select(w => Enumerable.Range(0, procedures.Length).Where(i => i % writers == w).Select(i => procedures[i]).ToArray())
            .ToArray();
        var workers = owned.Select(p => new Worker(p)).ToArray();

        await Console.Error.WriteLineAsync(
            $"http-append: {writers} workers over {procedures.Length} procedures, warm-up {options.Warmup} s (not counted), then {options.Seconds} s timed");
        var cpu = await CpuMeter.StartAsync(dataSource, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + options.Warmup * Stopwatch.Frequency;
        var measureUntil = measureFrom + options.Seconds * Stopwatch.Frequency;
        double apiCpuAtStart = 0, apiCpuAtEnd = 0;
        WaitSampler? waits = null;
        IReadOnlyDictionary<string, double> databaseWaits = new Dictionary<string, double>();
        (double Wall, double Client, double? Server) cpuAtStart = default, cpuAtEnd = default;

        using (var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var tasks = workers
                .Select(w => Task.Run(() => w.RunAsync(client, measureFrom, measureUntil, failure), CancellationToken.None))
                .ToArray();
            var monitor = Task.Run(
                async () =>
                {
                    // Progress once a second, and the CPU counters at the edges of the timed window.
                    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                    long previous = 0;
                    var measuring = false;
                    while (!tasks.All(t => t.IsCompleted) && await timer.WaitForNextTickAsync(CancellationToken.None))
                    {
                        var now = Stopwatch.GetTimestamp();
                        if (!measuring && now >= measureFrom)
                        {
                            measuring = true;
                            cpuAtStart = cpu.Read();
                            apiCpuAtStart = api.CpuSeconds;
                            waits = new WaitSampler(dataSource);
                        }

                        if (measuring && now >= measureUntil && apiCpuAtEnd == 0)
                        {
                            cpuAtEnd = cpu.Read();
                            apiCpuAtEnd = api.CpuSeconds;
                            databaseWaits = await waits!.StopAsync();
                        }

                        var sent = workers.Sum(w => Volatile.Read(ref w.Sent));
                        var phase = now < measureFrom ? "warm-up" : now < measureUntil ? "timed" : "draining";
                        await Console.Error.WriteLineAsync(
                            $"http-append: {phase}, {sent - previous} requests in the last second, {sent} in all, " +
                            $"{workers.Sum(w => Volatile.Read(ref w.NotOk))} not 2xx, {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
                        previous = sent;
                    }
                },
                CancellationToken.None);
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
                    null => new BenchmarkFailedException("the http-append benchmark was cancelled"),
                    BenchmarkFailedException bench => bench,
                    _ => new BenchmarkFailedException($"a request failed: {first.GetType().Name}: {first.Message}", first),
                };
            }

            await monitor;
        }

        if (apiCpuAtEnd == 0)
        {
            // The window ended between two ticks of the monitor and the workers finished first: read the counters now.
            cpuAtEnd = cpu.Read();
            apiCpuAtEnd = api.CpuSeconds;
        }

        if (waits is not null)
        {
            if (databaseWaits.Count == 0)
            {
                databaseWaits = await waits.StopAsync();
            }

            await waits.DisposeAsync();
        }

        var sorted = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(sorted);
        var statuses = workers.SelectMany(w => w.Statuses)
            .GroupBy(p => p.Key, p => p.Value)
            .ToDictionary(g => g.Key, g => g.Sum());
        long Count(Func<int, bool> which) => statuses.Where(p => which(p.Key)).Sum(p => p.Value);
        var ok = Count(s => s is >= 200 and < 300);
        var conflicts = Count(s => s == 409);
        var stale = Count(s => s == 412);
        var errors = statuses.Where(p => p.Key is < 200 or >= 300 and not 409 and not 412)
            .ToDictionary(p => p.Key == 0 ? "exception" : p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value);
        if (ok == 0)
        {
            throw new BenchmarkFailedException(
                $"no request succeeded in the timed window (statuses: {string.Join(", ", statuses.Select(p => $"{p.Key}: {p.Value}"))}); " +
                $"first problem: {workers.Select(w => w.FirstProblem).FirstOrDefault(p => p is not null)}");
        }

        await VerifyAsync(schema, procedures.Length, workers.Sum(w => w.StoredDecisions), cancellationToken);

        var figures = new HttpAppendFigures(
            Benchmark: "http-append",
            Requests: sorted.LongLength,
            Seconds: options.Seconds,
            RequestsPerSecond: Figures.Round(ok / (double)options.Seconds, 1),
            AllRequestsPerSecond: Figures.Round(sorted.LongLength / (double)options.Seconds, 1),
            P50Ms: Figures.Round(Figures.PercentileMs(sorted, 50)),
            P95Ms: Figures.Round(Figures.PercentileMs(sorted, 95)),
            P99Ms: Figures.Round(Figures.PercentileMs(sorted, 99)),
            MaxMs: Figures.Round(Figures.TicksToMs(sorted[^1])),
            MeanMs: Figures.Round(Figures.TicksToMs((long)sorted.Average(t => (double)t))),
            Ok: ok,
            Conflicts409: conflicts,
            Stale412: stale,
            Errors: errors,
            FirstProblem: workers.Select(w => w.FirstProblem).FirstOrDefault(p => p is not null),
            ApiCpuSeconds: Figures.Round(apiCpuAtEnd - apiCpuAtStart, 2),
            LoadGeneratorCpuSeconds: Figures.Round(cpuAtEnd.Client - cpuAtStart.Client, 2),
            ServerCpuSeconds: cpuAtEnd.Server is { } end && cpuAtStart.Server is { } begin ? Figures.Round(end - begin, 2) : null,
            CpuWallSeconds: Figures.Round(cpuAtEnd.Wall - cpuAtStart.Wall, 2),
            DatabaseWaits: databaseWaits,
            Cores: Environment.ProcessorCount,
            Concurrency: writers,
            Procedures: procedures.Length,
            WarmupSeconds: options.Warmup,
            Decisions: Decisions,
            Note: $"the API, PostgreSQL and this load generator share the machine's {Environment.ProcessorCount} cores",
            AsyncProjectionsInApi: options.Daemon,
            Schema: schema.Name,
            ServerVersion: serverVersion);

        var errorText = errors.Count == 0 ? "none" : string.Join(", ", errors.Select(p => $"{p.Key}: {p.Value}"));
        var cores = figures.Cores;
        var busy = figures.CpuWallSeconds > 0 ? (figures.ApiCpuSeconds + figures.LoadGeneratorCpuSeconds + (figures.ServerCpuSeconds ?? 0)) / (figures.CpuWallSeconds * cores) : 0;
        await Console.Out.WriteLineAsync(
            $"""
            http-append: {figures.Requests} requests in {figures.Seconds} s over HTTP/1.1 to the real API (pid {api.Pid}), {writers} concurrent workers, {procedures.Length} procedures
              decisions   {Decisions}
              warm-up     {options.Warmup} s (not counted)
              throughput  {figures.RequestsPerSecond:F1} successful requests/s ({figures.AllRequestsPerSecond:F1} requests/s in all)
              latency     p50 {figures.P50Ms:F3} ms, p95 {figures.P95Ms:F3} ms, p99 {figures.P99Ms:F3} ms, max {figures.MaxMs:F3} ms, mean {figures.MeanMs:F3} ms
              statuses    2xx {ok}, 409 {conflicts}, 412 {stale}, other errors: {errorText}
              cpu         over {figures.CpuWallSeconds:F1} s: API {figures.ApiCpuSeconds:F2} s, load generator {figures.LoadGeneratorCpuSeconds:F2} s, PostgreSQL {(figures.ServerCpuSeconds is { } s ? $"{s:F2} s" : "n/a")} (~{busy * 100:F0} % of {cores} cores)
              db waits    mean active backends per 100 ms sample: {(databaseWaits.Count == 0 ? "n/a" : string.Join(", ", databaseWaits.Take(6).Select(p => $"{p.Key} {p.Value:F2}")))}
              note        {figures.Note}: the figures are a floor, not the API's capacity on its own machine
              verified    {workers.Sum(w => w.StoredDecisions)} decisions + {procedures.Length} introductions stored as events (schema {schema.Name}, PostgreSQL {serverVersion})
            """);
        return figures;
    }

    /// <summary>Municipality, vendor, product, release and the procedures, over HTTP; returns the procedure ids.</summary>
    private static async Task<Guid[]> SetUpAsync(HttpClient client, BenchOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await PostAsync(client, "/municipalities",
            new { ags = Ags, name = "Benchmarkhausen", countyAgs = CountyAgs }, cancellationToken);
        var vendor = await PostAsync(client, "/catalogue/vendors", new { name = "Bench Software GmbH", website = "https://example.org" }, cancellationToken);
        var product = await PostAsync(client, "/catalogue/products",
            new { vendorId = vendor, name = "Bench.EWO", category = "Einwohnermeldewesen" }, cancellationToken);
        var release = await PostAsync(client, "/catalogue/releases",
            new
            {
                productId = product, version = "2024.1", generalAvailability = "2024-01-15", endOfSales = "2025-12-31",
                endOfSecuritySupport = "2026-06-30", endOfLife = "2026-12-31",
            },
            cancellationToken);

        var ids = new Guid[options.Procedures];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(
            async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < ids.Length)
                {
                    ids[i] = await PostAsync(client, $"/municipalities/{Ags}/procedures",
                        new { category = "Einwohnermeldewesen", releaseId = release, name = $"Meldewesen {i:D4}", introducedOn = IntroducedOn }, cancellationToken);
                }
            },
            cancellationToken)));
        await Console.Error.WriteLineAsync(
            $"setup: municipality {Ags}, vendor, product, release {release} and {ids.Length} procedures over HTTP in " +
            $"{Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (not timed)");
        return ids;
    }

    /// <summary>POSTs a creating decision, requires 201 and returns the id at the end of its Location.</summary>
    private static async Task<Guid> PostAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(path, body, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchmarkFailedException(
                $"setup: POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var location = response.Headers.Location?.ToString() ?? "";
        return Guid.TryParse(location[(location.LastIndexOf('/') + 1)..], out var id) ? id : Guid.Empty;
    }

    private static async Task VerifyAsync(BenchSchema schema, int procedures, long decisions, CancellationToken cancellationToken)
    {
        var s = schema.Name;
        var stored = await schema.ScalarAsync(
            $"select count(*) from {s}.mt_events where stream_id like '{Roadmap.Domain.Procedures.ProcedureInstance.StreamIdPrefix}%'",
            cancellationToken);
        if (stored != procedures + decisions)
        {
            throw new BenchmarkFailedException(
                $"verification failed in schema {s}: {stored} procedure events, expected {procedures} introductions + {decisions} decisions answered 2xx");
        }

        await Console.Error.WriteLineAsync($"verified: {s} holds {stored} procedure events = {procedures} introductions + {decisions} decisions");
    }

    /// <summary>One load-generating worker: its procedures, its counters, its latencies (timed window only).</summary>
    private sealed class Worker(Guid[] procedures)
    {
        private readonly int[] _decided = new int[procedures.Length];

        public long Sent;
        public long NotOk;
        public long StoredDecisions;

        public List<long> Latencies { get; } = new(capacity: 1 << 16);

        public Dictionary<int, long> Statuses { get; } = [];

        public string? FirstProblem { get; private set; }

        public async Task RunAsync(HttpClient client, long measureFrom, long measureUntil, CancellationTokenSource failure)
        {
            try
            {
                var today = DateOnly.FromDateTime(DateTime.UtcNow);
                for (var n = 0; ; n++)
                {
                    var begin = Stopwatch.GetTimestamp();
                    if (begin >= measureUntil)
                    {
                        return;
                    }

                    var p = n % procedures.Length;
                    var k = _decided[p];
                    var (path, body) = k % 2 == 0
                        ? ($"/procedures/{procedures[p]}/extended-support",
                            $$"""{"until":"{{Date(ExtendedSupportFrom.AddDays(k / 2))}}","reference":"EVB-IT {{procedures[p].ToString()[..8]}}-{{k / 2 + 1}}","cost":1250.00}""")
                        : ($"/procedures/{procedures[p]}/risk-acceptances",
                            $$"""{"acceptedBy":"Erste Bürgermeisterin","until":"{{Date(today.AddDays(90 + k / 2))}}","reason":"Vendor support ends before the replacement goes live; the system is isolated from the internet."}""");

                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    int status;
                    string? problem = null;
                    try
                    {
                        using var response = await client.PostAsync(path, content, failure.Token);
                        status = (int)response.StatusCode;
                        if (status is >= 200 and < 300)
                        {
                            await response.Content.CopyToAsync(Stream.Null, failure.Token);
                        }
                        else
                        {
                            problem = $"{status} {path}: {await response.Content.ReadAsStringAsync(failure.Token)}";
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        status = 0;
                        problem = $"{path}: {e.Message}";
                    }
                    catch (TaskCanceledException) when (!failure.IsCancellationRequested)
                    {
                        status = 0;
                        problem = $"{path}: no answer within {client.Timeout.TotalSeconds:F0} s";
                    }

                    var end = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref Sent);
                    if (status is >= 200 and < 300)
                    {
                        _decided[p] = k + 1;
                        StoredDecisions++;
                    }
                    else
                    {
                        Interlocked.Increment(ref NotOk);
                        FirstProblem ??= problem;
                    }

                    // Counted when it completes inside the timed window.
                    if (end >= measureFrom && end < measureUntil)
                    {
                        Latencies.Add(end - begin);
                        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await failure.CancelAsync();
                throw;
            }
        }

        private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Roadmap.EventStore;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>webhooks</c>: the real API (child process), N receivers (Kestrel on 127.0.0.1 in this process), N unfiltered
/// subscriptions to deprecation notices. C workers POST E deprecation notices (over 16 releases, so appends do not queue on one stream) on an
/// open-loop schedule of R per second. Each receiver verifies the signature and records, per webhook-id, the time from
/// the CloudEvent's <c>time</c> (the event's recorded_at, taken in the append's transaction, so a little before its
/// commit) to the receipt: commit-to-receipt, slightly pessimistic.
/// </summary>
internal static class WebhookBenchmark
{
    private const int Releases = 16;

    public static async Task<WebhookFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        await using var api = await ApiProcess.StartAsync(connectionString, schema.Name, cancellationToken, new Dictionary<string, string>
        {
            ["Roadmap__Webhooks__AllowHttpHosts__0"] = "127.0.0.1",
        });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 }) { BaseAddress = api.BaseAddress };
        api.Authorize(client);

        var receivers = new List<Receiver>();
        try
        {
            for (var i = 0; i < options.Subscriptions; i++)
            {
                receivers.Add(await Receiver.StartAsync());
            }

            var releases = await SetUpAsync(client, cancellationToken);
            foreach (var receiver in receivers)
            {
                // The deprecations this benchmark posts, and only those: the API also records deadline alerts when the notices
                // move the procedures' dates (its reviews run as in production), which are not what is measured here.
                var created = await PostAsync(client, "/subscriptions",
                    new { targetUrl = receiver.Url, eventTypes = new[] { "de.roadmap.release.deprecation-announced.v1" } }, cancellationToken);
                receiver.Secret = created.GetProperty("secret").GetString()!;
            }

            if (options.Warmup > 0)
            {
                // A service runs for days: let the JIT tier up and the pools fill before measuring, then forget the warm-up.
                var warmupEvents = options.Warmup * options.Rate;
                await Console.Error.WriteLineAsync($"webhooks: warming up for {options.Warmup} s ({warmupEvents} deprecations at {options.Rate}/s)");
                var (_, warmupErrors) = await PostAsync(client, releases, "W", warmupEvents, options, cancellationToken);
                await WaitForDeliveriesAsync(receivers, (long)(warmupEvents - warmupErrors) * options.Subscriptions, cancellationToken);
                foreach (var receiver in receivers)
                {
                    receiver.Reset();
                }
            }

            await Console.Error.WriteLineAsync($"webhooks: {options.Subscriptions} subscriptions; posting {options.Events} deprecations at {options.Rate}/s");
            var cpu = await CpuMeter.StartAsync(dataSource, cancellationToken);
            var apiCpuAtStart = api.CpuSeconds;
            var measuredFrom = DateTimeOffset.UtcNow;
            var started = Stopwatch.GetTimestamp();
            var (posted, errors) = await PostAsync(client, releases, "B", options.Events, options, cancellationToken);
            var expected = (long)(options.Events - errors) * options.Subscriptions;
            await WaitForDeliveriesAsync(receivers, expected, cancellationToken);

            var (cpuWall, benchCpu, serverCpu) = cpu.Read();
            var apiCpu = api.CpuSeconds - apiCpuAtStart;
            await Console.Error.WriteLineAsync(
                $"webhooks: cpu over {cpuWall:F1} s: API {apiCpu:F1} s, receivers and poster {benchCpu:F1} s, " +
                $"PostgreSQL {(serverCpu is { } server ? $"{server:F1} s" : "n/a")} ({Environment.ProcessorCount} cores)");
            var elapsed = receivers.Max(r => r.LastReceipt) is var last && last > 0 ? Stopwatch.GetElapsedTime(started, last) : Stopwatch.GetElapsedTime(started);
            var latencies = receivers.SelectMany(r => r.Latencies.Values).Order().ToArray();
            var delivered = latencies.Length;
            var figures = new WebhookFigures(
                "webhooks", options.Subscriptions, options.Events, options.Rate, Math.Round(options.Events / posted.TotalSeconds, 1),
                expected, delivered, Math.Round(delivered / elapsed.TotalSeconds, 1),
                Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), latencies.Length == 0 ? 0 : Math.Round(latencies[^1], 1),
                receivers.Sum(r => r.Duplicates), receivers.Sum(r => r.InvalidSignatures), errors, Math.Round(elapsed.TotalSeconds, 2),
                Environment.ProcessorCount, schema.Name);
            await Console.Out.WriteLineAsync(
                $"webhooks: {delivered}/{expected} deliveries in {elapsed.TotalSeconds:F1} s = {figures.DeliveriesPerSecond:F0}/s; " +
                $"commit-to-receipt p50 {figures.P50Ms} ms, p99 {figures.P99Ms} ms, max {figures.MaxMs} ms; " +
                $"{figures.Duplicates} duplicates, {figures.InvalidSignatures} bad signatures");
            await PrintStagesAsync(dataSource, schema.Name, measuredFrom, receivers, cancellationToken);
            var slowest = receivers.SelectMany(r => r.Latencies).OrderByDescending(l => l.Value).Take(5)
                .Select(l => $"{l.Key[..8]} {l.Value:F0} ms");
            await Console.Error.WriteLineAsync($"webhooks: slowest deliveries (webhook-id, commit-to-receipt): {string.Join(", ", slowest)}");
            if (delivered < expected)
            {
                throw new BenchmarkFailedException($"only {delivered} of {expected} deliveries arrived within 120 s of the last post");
            }

            return figures;
        }
        finally
        {
            foreach (var receiver in receivers)
            {
                await receiver.DisposeAsync();
            }
        }
    }

    /// <summary>C workers POST <paramref name="count"/> notices on an open-loop schedule of R per second; the time taken and the failed posts.</summary>
    private static async Task<(TimeSpan Elapsed, int Errors)> PostAsync(
        HttpClient client, List<Guid> releases, string prefix, int count, BenchOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        var errors = 0;
        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var due = TimeSpan.FromSeconds((double)i / options.Rate) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken);
                }

                try
                {
                    await PostAsync(client, $"/catalogue/releases/{releases[i % Releases]}/deprecations",
                        new { noticeId = $"{prefix}-{i}", announcedOn = "2026-05-01", source = "bench", endOfSecuritySupport = "2029-06-30" }, cancellationToken);
                }
                catch (BenchmarkFailedException e)
                {
                    if (Interlocked.Increment(ref errors) == 1)
                    {
                        await Console.Error.WriteLineAsync($"webhooks: {e.Message}");
                    }
                }
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers);
        return (Stopwatch.GetElapsedTime(started), errors);
    }

    private static async Task WaitForDeliveriesAsync(List<Receiver> receivers, long expected, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
        while (receivers.Sum(r => r.Latencies.Count) < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// Where the time goes: the dispatcher (event's time to its delivery rows' commit, taken as the rows' created_at,
    /// the dispatcher transaction's start, so slightly short) and the sender (from there to each receipt).
    /// </summary>
    private static async Task PrintStagesAsync(
        Npgsql.NpgsqlDataSource dataSource, string schema, DateTimeOffset since, List<Receiver> receivers, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select distinct on (event_id) event_id::text, event_recorded_at, created_at
              from {schema}.webhook_deliveries where event_recorded_at >= $1 order by event_id
            """);
        command.Parameters.AddWithValue(since);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dispatched = new Dictionary<string, DateTimeOffset>();
        var dispatch = new List<double>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var created = reader.GetFieldValue<DateTimeOffset>(2);
            dispatched[reader.GetString(0)] = created;
            dispatch.Add(Math.Max(0, (created - reader.GetFieldValue<DateTimeOffset>(1)).TotalMilliseconds));
        }

        var send = receivers.SelectMany(r => r.Receipts)
            .Where(x => dispatched.ContainsKey(x.Key))
            .Select(x => Math.Max(0, (x.Value - dispatched[x.Key]).TotalMilliseconds))
            .Order().ToArray();
        var dispatchSorted = dispatch.Order().ToArray();
        await Console.Error.WriteLineAsync(
            $"webhooks: stages: dispatch (event to delivery rows) p50 {Percentile(dispatchSorted, 0.5)} ms, p99 {Percentile(dispatchSorted, 0.99)} ms; " +
            $"send (rows to receipt) p50 {Percentile(send, 0.5)} ms, p99 {Percentile(send, 0.99)} ms");
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 1);

    private static async Task<List<Guid>> SetUpAsync(HttpClient client, CancellationToken cancellationToken)
    {
        const string ags = "09181128";
        await PostAsync(client, "/municipalities", new { ags, name = "Kaufering", countyAgs = "09181000" }, cancellationToken);
        var vendor = (await PostAsync(client, "/catalogue/vendors", new { name = "Bench Vendor", website = "https://vendor.example" }, cancellationToken))
            .GetProperty("streamId").GetString()!.Split('-', 2)[1];
        var releases = new List<Guid>();
        for (var i = 0; i < Releases; i++)
        {
            var product = (await PostAsync(client, "/catalogue/products", new { vendorId = vendor, name = $"Product {i}", category = "Einwohnermeldewesen" }, cancellationToken))
                .GetProperty("streamId").GetString()!.Split('-', 2)[1];
            var release = (await PostAsync(client, "/catalogue/releases",
                    new { productId = product, version = "1.0", generalAvailability = "2018-01-15", endOfSecuritySupport = "2030-12-31", endOfLife = "2030-12-31" },
                    cancellationToken))
                .GetProperty("streamId").GetString()!.Split('-', 2)[1];
            await PostAsync(client, $"/municipalities/{ags}/procedures",
                new { category = "Einwohnermeldewesen", releaseId = release, name = $"EWO {i}", introducedOn = "2019-04-01" }, cancellationToken);
            releases.Add(Guid.Parse(release));
        }

        return releases;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string url, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(url, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchmarkFailedException($"POST {url}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A receiver that verifies Standard Webhooks signatures and records commit-to-receipt per webhook-id.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private long _duplicates;
        private long _invalid;

        private Receiver(WebApplication app) => _app = app;

        public ConcurrentDictionary<string, double> Latencies { get; } = new();

        /// <summary>When each webhook-id first arrived.</summary>
        public ConcurrentDictionary<string, DateTimeOffset> Receipts { get; } = new();

        public string Secret { get; set; } = "";

        public string Url { get; private set; } = "";

        public long LastReceipt;

        public long Duplicates => Interlocked.Read(ref _duplicates);

        public long InvalidSignatures => Interlocked.Read(ref _invalid);

        public static async Task<Receiver> StartAsync()
        {
            // No configuration files, so no file watchers: ten receivers would otherwise each watch the working tree.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.Services.AddRoutingCore();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hooks", (Delegate)receiver.HandleAsync);
            await app.StartAsync();
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hooks";
            return receiver;
        }

        private async Task<IResult> HandleAsync(HttpContext http)
        {
            var now = DateTimeOffset.UtcNow;
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var id = http.Request.Headers["webhook-id"].ToString();
            var timestamp = http.Request.Headers["webhook-timestamp"].ToString();
            if (!Verify(id, timestamp, body, http.Request.Headers["webhook-signature"].ToString()))
            {
                Interlocked.Increment(ref _invalid);
                return Results.StatusCode(401);
            }

            using var document = JsonDocument.Parse(body);
            var time = DateTimeOffset.Parse(document.RootElement.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
            Receipts.TryAdd(id, now);
            if (!Latencies.TryAdd(id, Math.Max(0, (now - time).TotalMilliseconds)))
            {
                Interlocked.Increment(ref _duplicates);
            }

            Interlocked.Exchange(ref LastReceipt, Stopwatch.GetTimestamp());
            return Results.NoContent();
        }

        private bool Verify(string id, string timestamp, string body, string header)
        {
            var expected = HMACSHA256.HashData(Convert.FromBase64String(Secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
            return header.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
                                              && CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(s[3..])));
        }

        /// <summary>Forgets what arrived so far (after the warm-up).</summary>
        public void Reset()
        {
            Latencies.Clear();
            Receipts.Clear();
            Interlocked.Exchange(ref _duplicates, 0);
            Interlocked.Exchange(ref _invalid, 0);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

internal sealed record WebhookFigures(
    string Benchmark,
    int Subscriptions,
    int Events,
    int Rate,
    double AchievedRate,
    long ExpectedDeliveries,
    long Deliveries,
    double DeliveriesPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    long Duplicates,
    long InvalidSignatures,
    int PostErrors,
    double Seconds,
    int Cores,
    string Schema);

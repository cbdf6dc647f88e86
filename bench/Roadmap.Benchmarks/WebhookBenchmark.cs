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
/// subscriptions. C workers POST E deprecation notices (over 16 releases, so appends do not queue on one stream) on an
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
        client.DefaultRequestHeaders.Add("X-Actor", "roadmap-bench");

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
                var created = await PostAsync(client, "/subscriptions", new { targetUrl = receiver.Url }, cancellationToken);
                receiver.Secret = created.GetProperty("secret").GetString()!;
            }

            await Console.Error.WriteLineAsync($"webhooks: {options.Subscriptions} subscriptions; posting {options.Events} deprecations at {options.Rate}/s");
            var started = Stopwatch.GetTimestamp();
            var next = -1;
            var errors = 0;
            var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < options.Events)
                {
                    var due = TimeSpan.FromSeconds((double)i / options.Rate) - Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken);
                    }

                    try
                    {
                        await PostAsync(client, $"/catalogue/releases/{releases[i % Releases]}/deprecations",
                            new { noticeId = $"B-{i}", announcedOn = "2026-05-01", source = "bench", endOfSecuritySupport = "2029-06-30" }, cancellationToken);
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
            var posted = Stopwatch.GetElapsedTime(started);
            var expected = (long)(options.Events - errors) * options.Subscriptions;

            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
            while (receivers.Sum(r => r.Latencies.Count) < expected && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

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

        public string Secret { get; set; } = "";

        public string Url { get; private set; } = "";

        public long LastReceipt;

        public long Duplicates => Interlocked.Read(ref _duplicates);

        public long InvalidSignatures => Interlocked.Read(ref _invalid);

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
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

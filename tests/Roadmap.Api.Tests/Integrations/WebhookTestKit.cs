using System.Collections.Concurrent;
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

namespace Roadmap.Api.Tests.Integrations;

/// <summary>
/// The API with webhook settings for tests: loopback http allowed, backoff in milliseconds, few attempts; a derived
/// factory passes the settings it changes on top.
/// </summary>
public class WebhookApiFactory : RoadmapApiFactory
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public WebhookApiFactory()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>Protected, so xunit sees one public constructor when it builds a class fixture.</summary>
    protected WebhookApiFactory(IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        SystemClock = true; // retries, backoff and idle workers are timed with the clock while waiting in real time
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:Webhooks:AllowHttpHosts:0", "127.0.0.1");
        // Long enough that a loaded test machine answering late is not a fault (a timed-out attempt that the receiver had
        // already taken is delivered again: at least once); the one test of a receiver that never answers waits 4 of them.
        builder.UseSetting("Roadmap:Webhooks:AttemptTimeout", "00:00:02");
        builder.UseSetting("Roadmap:Webhooks:MaxAttempts", "4");
        builder.UseSetting("Roadmap:Webhooks:InitialBackoff", "00:00:00.020");
        builder.UseSetting("Roadmap:Webhooks:MaxBackoff", "00:00:00.200");
        builder.UseSetting("Roadmap:Webhooks:PollInterval", "00:00:00.100");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>
/// A webhook node on a given schema with extra settings, so a test can stop one node and start another on the same
/// data; only an instance made with <paramref name="dropSchema"/> drops the schema when disposed.
/// </summary>
public sealed class SchemaNodeFactory(string schema, bool dropSchema, IReadOnlyDictionary<string, string>? settings = null)
    : WebhookApiFactory(new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Roadmap:Schema"] = schema })
{

    public override async Task DisposeAsync()
    {
        if (dropSchema)
        {
            await base.DisposeAsync();
            await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            await ((IAsyncDisposable)this).DisposeAsync();
        }
    }
}

/// <summary>One request as the receiver saw it, and whether its own verifier accepted the signature.</summary>
public sealed record ReceivedWebhook(
    string WebhookId, long Timestamp, string Body, bool SignatureValid, int AnsweredStatus, int AttemptForId, string SignatureHeader = "")
{
    public JsonElement CloudEvent => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel on a free port). It verifies every signature with its own
/// implementation of the Standard Webhooks specification and answers 500 to the first <see cref="FailFirst"/>
/// attempts of every webhook-id, or never answers while <see cref="Hang"/> is set.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public string Secret { get; set; } = "";

    public int FailFirst { get; set; }

    public volatile bool Hang;

    public TimeSpan Delay { get; set; }

    /// <summary>
    /// The first attempt of every webhook-id is taken (and answered 200) but the answer is sent only after this
    /// long, even when the sender has given up meanwhile: a receiver answering late, as on a loaded machine.
    /// </summary>
    public TimeSpan AnswerFirstLate { get; set; }

    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedWebhook> Accepted => Received.Where(r => r.AnsweredStatus == 200).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hooks";
        return receiver;
    }

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var id = http.Request.Headers["webhook-id"].ToString();
        var timestampText = http.Request.Headers["webhook-timestamp"].ToString();
        var signature = http.Request.Headers["webhook-signature"].ToString();
        var valid = long.TryParse(timestampText, out var timestamp) && Verify(Secret, id, timestampText, body, signature)
                    && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) <= 300;
        var attempt = _attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (Hang)
        {
            Received.Enqueue(new ReceivedWebhook(id, timestamp, body, valid, 0, attempt, signature));
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, http.RequestAborted);
        }

        var status = !valid ? 401 : attempt <= FailFirst ? 500 : 200;
        Received.Enqueue(new ReceivedWebhook(id, timestamp, body, valid, status, attempt, signature));
        if (attempt == 1 && AnswerFirstLate > TimeSpan.Zero)
        {
            await Task.Delay(AnswerFirstLate, CancellationToken.None);
        }

        return Results.StatusCode(status);
    }

    /// <summary>Standard Webhooks, written here from the specification (not the service's code).</summary>
    public static bool Verify(string secret, string id, string timestamp, string body, string signatureHeader)
    {
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1"
                && CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(parts[1])))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAcceptedAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Accepted.Select(r => r.WebhookId).Distinct().Count() < count)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"only {Accepted.Select(r => r.WebhookId).Distinct().Count()} of {count} webhooks accepted; {Received.Count} requests received");
            await Task.Delay(25);
        }

        return Accepted;
    }

    /// <summary>
    /// The <paramref name="index"/>-th distinct webhook accepted (0-based, in order of first acceptance): a repeat after an
    /// attempt that timed out while this receiver had already taken it (at least once) does not count twice; whether
    /// every repeat followed such a fault is for <see cref="WebhookWorld.AssertRepeatsOnlyAfterFaultsAsync"/> to check.
    /// </summary>
    public async Task<ReceivedWebhook> WaitForDistinctAsync(int index, TimeSpan? timeout = null) =>
        (await WaitForAcceptedAsync(index + 1, timeout)).DistinctBy(r => r.WebhookId).ElementAt(index);

    public async ValueTask DisposeAsync()
    {
        Hang = false;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Catalogue and procedures through the API, so that deprecations have municipalities they affect.</summary>
public sealed class WebhookWorld(HttpClient client)
{
    private static int _next;

    public sealed record Release(Guid ReleaseId, Guid ProductId, string Ags);

    /// <summary>A municipality running a release of a product of its own.</summary>
    public async Task<Release> MunicipalityWithReleaseAsync()
    {
        var n = Interlocked.Increment(ref _next);
        var ags = $"09181{100 + n:000}";
        await PostAsync("/municipalities", new { ags, name = $"Gemeinde {n}", countyAgs = "09181000" });
        var vendor = await CreatedAsync("/catalogue/vendors", new { name = $"Vendor {n} {Guid.NewGuid():N}"[..20], website = "https://vendor.example" });
        var product = await CreatedAsync("/catalogue/products", new { vendorId = vendor, name = $"Product {n}", category = "Einwohnermeldewesen" });
        var release = await CreatedAsync("/catalogue/releases",
            new { productId = product, version = "1.0", generalAvailability = "2018-01-15", endOfSecuritySupport = "2030-12-31", endOfLife = "2030-12-31" });
        await CreatedAsync($"/municipalities/{ags}/procedures",
            new { category = "Einwohnermeldewesen", releaseId = release, name = $"EWO {n}", introducedOn = "2019-04-01" });
        return new Release(release, product, ags);
    }

    /// <summary>A deprecation notice; returns the stored event's id (the CloudEvent id and webhook-id).</summary>
    public async Task<Guid> DeprecateAsync(Guid releaseId, int notice)
    {
        var response = await PostAsync($"/catalogue/releases/{releaseId}/deprecations",
            new { noticeId = $"N-{notice}", announcedOn = "2026-05-01", source = "https://vendor.example/notice", endOfSecuritySupport = "2029-06-30" });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return answer.GetProperty("events")[0].GetProperty("eventId").GetGuid();
    }

    public async Task<(Guid Id, string Secret)> SubscribeAsync(string url, object? filters = null)
    {
        var body = JsonSerializer.SerializeToElement(filters ?? new { });
        var request = new Dictionary<string, object?> { ["targetUrl"] = url };
        foreach (var property in body.EnumerateObject())
        {
            request[property.Name] = property.Value;
        }

        var response = await PostAsync("/subscriptions", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("subscription").GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    public async Task<JsonElement> GetAsync(string url) => await client.GetFromJsonAsync<JsonElement>(url);

    public async Task<HttpResponseMessage> PostAsync(string url, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Actor", "it.admin");
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private async Task<Guid> CreatedAsync(string url, object body)
    {
        var response = await PostAsync(url, body);
        return Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
    }

    /// <summary>
    /// A repeat is allowed only after a fault. Once the subscription has nothing pending (so its delivery log is
    /// stored): every attempt of a delivery is logged once under its own number (a delivery sent again from a state
    /// that did not count the earlier attempt logs the same number twice), the receiver has seen no webhook-id more
    /// often than the sender logged attempts for it, and it accepted one more than once only when an attempt of it
    /// is logged as failed (e.g. one that timed out while the receiver's answer was on its way: at least once).
    /// A node stopped or crashed mid-delivery is a fault this does not see, and a redelivered dead letter numbers its
    /// attempts from 1 again: tests of those check repeats themselves.
    /// </summary>
    public async Task AssertRepeatsOnlyAfterFaultsAsync(Guid subscription, WebhookReceiver receiver)
    {
        await WaitForSubscriptionAsync(subscription, v => v.GetProperty("pending").GetInt64() == 0, "without pending deliveries");
        var log = await GetAsync($"/subscriptions/{subscription}/deliveries?limit=1000");
        var attempts = log.EnumerateArray()
            .GroupBy(a => a.GetProperty("eventId").GetString()!)
            .ToDictionary(g => g.Key, g => (
                Numbers: g.Select(a => a.GetProperty("attempt").GetInt32()).ToList(),
                Faulted: g.Any(a => a.GetProperty("error").ValueKind != JsonValueKind.Null)));
        var received = receiver.Received.ToList();
        string Context() => $"received {string.Join(", ", received.Select(r => $"{r.WebhookId}/{r.AnsweredStatus}"))}; delivery log {log}";
        foreach (var (id, (numbers, _)) in attempts)
        {
            Assert.True(numbers.Count == numbers.Distinct().Count(),
                $"webhook {id} was attempted again under an attempt number already used ({string.Join(", ", numbers.Order())}): {Context()}");
        }

        foreach (var id in received.Select(r => r.WebhookId).Distinct())
        {
            var (numbers, faulted) = attempts.GetValueOrDefault(id, ([], false));
            var sent = received.Count(r => r.WebhookId == id);
            var accepted = received.Count(r => r.WebhookId == id && r.AnsweredStatus == 200);
            Assert.True(sent <= numbers.Count, $"webhook {id} reached the receiver {sent} times but {numbers.Count} attempts are logged: {Context()}");
            Assert.True(accepted <= 1 || faulted, $"webhook {id} was accepted {accepted} times with no failed attempt logged: {Context()}");
        }
    }

    /// <summary>Polls GET /subscriptions/{id} until the condition holds.</summary>
    public async Task<JsonElement> WaitForSubscriptionAsync(Guid id, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var view = await GetAsync($"/subscriptions/{id}");
            if (condition(view))
            {
                return view;
            }

            Assert.True(DateTime.UtcNow < deadline, $"subscription never {what}: {view}");
            await Task.Delay(50);
        }
    }
}

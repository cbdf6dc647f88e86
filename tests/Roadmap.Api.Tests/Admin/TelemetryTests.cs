using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Trace;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations;
using Roadmap.Api.Tests.Integrations;
using Roadmap.Api.Tests.Roadmaps;

namespace Roadmap.Api.Tests.Admin;

/// <summary>
/// Meters are found by name across the test process: these classes run alone, after the parallel ones, so the counts
/// they read are their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

/// <summary>A node with tracing into memory, deadline reviews and webhooks on, and a log that keeps every scope.</summary>
public sealed class TelemetryFactory : WebhookApiFactory
{
    public TelemetryFactory() => DeadlineAlerts = true;

    public ConcurrentQueue<Activity> Activities { get; } = new();

    public ScopeLog Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(Telemetry.TracingKey, "true");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Routing", "Information");
    }

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new ActivityList(Activities)));
        services.AddSingleton<ILoggerProvider>(Log);
    }

    /// <summary>The in-memory exporter wants an ICollection; the exporter thread adds while a test reads.</summary>
    private sealed class ActivityList(ConcurrentQueue<Activity> queue) : ICollection<Activity>
    {
        public int Count => queue.Count;
        public bool IsReadOnly => false;
        public void Add(Activity item) => queue.Enqueue(item);
        public void Clear() => queue.Clear();
        public bool Contains(Activity item) => queue.Contains(item);
        public void CopyTo(Activity[] array, int arrayIndex) => queue.ToArray().CopyTo(array, arrayIndex);
        public bool Remove(Activity item) => throw new NotSupportedException();
        public IEnumerator<Activity> GetEnumerator() => queue.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Every log line with the scope values it was written under, as a structured sink stores them.</summary>
    public sealed class ScopeLog : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<(string Message, IReadOnlyDictionary<string, string?> Scope)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = new Dictionary<string, string?>();
                log._scopes.ForEachScope((scope, into) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            into[key] = value?.ToString();
                        }
                    }
                }, values);
                log.Lines.Enqueue((formatter(state, exception), values));
            }
        }
    }
}

[Collection(TelemetryCollection.Name)]
public sealed partial class TelemetryTests(TelemetryFactory factory) : IClassFixture<TelemetryFactory>
{
    private static int _next = 700;

    [Fact]
    public async Task Metrics_are_prometheus_text_for_an_admin_only()
    {
        var anonymous = await factory.CreateAnonymousClient().GetAsync(Telemetry.MetricsPath);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var planner = factory.CreateClient(factory.CreateKey("planner.metrics", Roadmap.Api.Access.Roles.Planner, ["09181118"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.GetAsync(Telemetry.MetricsPath)).StatusCode);

        var scraped = await factory.CreateClient().GetAsync(Telemetry.MetricsPath);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.StartsWith("text/plain", scraped.Content.Headers.ContentType?.MediaType);
        var text = await scraped.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE roadmap_projection_lag gauge", text);
        Assert.Contains("aspnetcore_authentication_authenticate_duration_seconds", text); // ASP.NET Core's own meters
    }

    [Fact]
    public async Task Decisions_are_counted_by_outcome_and_appends_by_event_type()
    {
        var before = await ScrapeAsync();
        var client = factory.CreateClient();
        var ags = $"09181{Interlocked.Increment(ref _next):D3}";

        var register = new HttpRequestMessage(HttpMethod.Post, "/municipalities")
        {
            Content = JsonContent.Create(new { ags, name = "Metrikhausen", countyAgs = "09181000" }),
        };
        register.Headers.Add("Idempotency-Key", $"metrics-{ags}");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(register)).StatusCode);
        var again = new HttpRequestMessage(HttpMethod.Post, "/municipalities")
        {
            Content = JsonContent.Create(new { ags, name = "Metrikhausen", countyAgs = "09181000" }),
        };
        again.Headers.Add("Idempotency-Key", $"metrics-{ags}");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(again)).StatusCode); // the stored answer
        var duplicate = await client.PostAsJsonAsync("/municipalities", new { ags, name = "Metrikhausen", countyAgs = "09181000" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/municipalities/{ags}/name") { Content = JsonContent.Create(new { name = "Metrikstadt" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(stale)).StatusCode);

        var after = await ScrapeAsync();
        Assert.Equal(1, Delta(before, after, "roadmap_decisions_total", "outcome", "created"));
        Assert.Equal(1, Delta(before, after, "roadmap_decisions_total", "outcome", "replayed"));
        Assert.Equal(1, Delta(before, after, "roadmap_decisions_total", "outcome", "refused"));
        Assert.Equal(1, Delta(before, after, "roadmap_decisions_total", "outcome", "stale"));
        Assert.Equal(1, Delta(before, after, "marten_event_append_events_total", "event_type", "municipality.registered"));
    }

    [Fact]
    public async Task Projection_lag_is_a_gauge_per_projection()
    {
        await factory.Services.GetRequiredService<ProjectionLagMonitor>().SampleAsync(CancellationToken.None);
        var metrics = await ScrapeAsync();
        Assert.Contains(metrics, m => m.Name == "roadmap_projection_lag" && m.Labels.GetValueOrDefault("projection") == "roadmap");
        Assert.Contains(metrics, m => m.Name == "roadmap_projection_lag_seconds" && m.Labels.GetValueOrDefault("projection") == "webhook_outbox");
    }

    [Fact]
    public async Task Deadline_alerts_and_webhook_deliveries_are_counted()
    {
        var before = await ScrapeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var world = new WebhookWorld(driver.Client);
        var (_, secret) = await world.SubscribeAsync(receiver.Url, new { eventTypes = new[] { IntegrationEventTypes.DeadlineMissed }, municipalities = new[] { ags } });
        receiver.Secret = secret;
        await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2027-06-30")); // the latest procurement start has passed

        await receiver.WaitForDistinctAsync(0, TimeSpan.FromSeconds(30));
        var deadline = Stopwatch.StartNew();
        IReadOnlyList<Metric> after;
        do
        {
            after = await ScrapeAsync(); // the delivery is counted once its outcome is stored (at most 250 ms later)
        }
        while (Delta(before, after, "roadmap_webhook_deliveries_total", "outcome", "delivered") < 1 && deadline.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(Delta(before, after, "roadmap_webhook_deliveries_total", "outcome", "delivered") >= 1);
        Assert.True(Delta(before, after, "roadmap_deadline_alerts_total", "type", "deadline-missed") >= 1);
    }

    [Fact]
    public async Task A_decision_is_traced_through_asp_net_core_wolverine_marten_and_npgsql_and_its_logs_carry_trace_and_correlation_ids()
    {
        var client = factory.CreateClient();
        var ags = $"09181{Interlocked.Increment(ref _next):D3}";
        var request = new HttpRequestMessage(HttpMethod.Post, "/municipalities")
        {
            Content = JsonContent.Create(new { ags, name = "Spurheim", countyAgs = "09181000" }),
        };
        request.Headers.Add("X-Correlation-Id", $"trace-{ags}");
        var traceId = ActivityTraceId.CreateRandom(); // the caller's trace, continued by the service (W3C traceparent)
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var server = factory.Activities.Single(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal("POST /municipalities/", server.DisplayName);
        Assert.Equal(201, server.GetTagItem("http.response.status_code"));
        var trace = factory.Activities.Where(a => a.TraceId == traceId).Select(a => a.Source.Name).ToHashSet();
        Assert.Contains("Wolverine", trace);
        Assert.Contains("Npgsql", trace);
        Assert.Contains(factory.Activities, a => a.Source.Name == "Marten"); // the projection daemon's spans

        var lines = factory.Log.Lines.Where(l => l.Scope.GetValueOrDefault("CorrelationId") == $"trace-{ags}").ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal(traceId.ToString(), l.Scope.GetValueOrDefault("TraceId")));
    }

    [Fact]
    public void Production_logs_are_json_with_scopes()
    {
        // The configuration a node runs with outside Development (a second host in this process would share the meters).
        var production = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build()
            .GetSection("Logging:Console");
        Assert.Equal(ConsoleFormatterNames.Json, production.Get<ConsoleLoggerOptions>()?.FormatterName);
        Assert.True(production.GetSection("FormatterOptions").Get<JsonConsoleFormatterOptions>()?.IncludeScopes);
    }

    private sealed record Metric(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private async Task<IReadOnlyList<Metric>> ScrapeAsync()
    {
        var text = await factory.CreateClient().GetStringAsync(Telemetry.MetricsPath);
        var metrics = new List<Metric>();
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (match.Success)
            {
                var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
                metrics.Add(new Metric(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return metrics;
    }

    private static double Delta(IReadOnlyList<Metric> before, IReadOnlyList<Metric> after, string name, string label, string value)
    {
        double Sum(IReadOnlyList<Metric> metrics) => metrics.Where(m => m.Name == name && m.Labels.GetValueOrDefault(label) == value).Sum(m => m.Value);
        return Sum(after) - Sum(before);
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}

/// <summary>With no daemon on this node nothing moves the projections: events wait, and the node reports it.</summary>
public sealed class StalledProjectionFactory : RoadmapApiFactory
{
    public StalledProjectionFactory() => SystemClock = true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:Projections:RunDaemon", "false");
        builder.UseSetting("Roadmap:Telemetry:StalledAfterSeconds", "1");
    }
}

[Collection(TelemetryCollection.Name)]
public sealed class StalledProjectionTests(StalledProjectionFactory factory) : IClassFixture<StalledProjectionFactory>
{
    [Fact]
    public async Task A_projection_whose_checkpoint_does_not_move_while_events_wait_makes_the_node_degraded()
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/municipalities", new { ags = "09181118", name = "Kaufering", countyAgs = "09181000" })).StatusCode);

        var monitor = factory.Services.GetRequiredService<ProjectionLagMonitor>();
        var deadline = Stopwatch.StartNew();
        while ((await monitor.SampleAsync(CancellationToken.None)).Stalled is not { Count: > 0 } && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(200);
        }

        // The node still serves (a balancer keeps it); monitoring sees "degraded" and why.
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var health = await ready.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("'roadmap' is stalled"));
    }
}

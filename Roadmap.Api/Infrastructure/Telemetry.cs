using System.Diagnostics.Metrics;
using Marten;
using Marten.Services;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Roadmap.Domain.Municipalities;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Traces, metrics and logs with OpenTelemetry (docs/0017): ASP.NET Core, HttpClient, Npgsql, Marten and Wolverine
/// instrumentation; our own meter "Roadmap" for what only the product knows (decisions by outcome, projection lag,
/// webhook deliveries by outcome, deadline alerts); Marten's <c>marten.event.append</c> counts the appends. Prometheus
/// scrapes <c>/metrics</c>; OTLP exports traces, metrics and logs when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "roadmap-api";
    public const string MetricsPath = "/metrics";

    /// <summary>Record traces without an OTLP exporter (tests add their own exporter); on by default when OTLP is set.</summary>
    public const string TracingKey = "Roadmap:Telemetry:Tracing";

    /// <summary>Let a scraper read <c>/metrics</c> without credentials (a private network); otherwise it needs an admin key.</summary>
    public const string AnonymousMetricsKey = "Roadmap:Telemetry:AnonymousMetrics";

    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddRoadmapTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
        var tracing = configuration.GetValue<bool?>(TracingKey) ?? otlp;

        builder.Services.AddSingleton<RoadmapMetrics>();
        builder.Services.AddSingleton<ProjectionLagMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProjectionLagMonitor>());

        // Trace and span ids in every log scope (the JSON console prints them with IncludeScopes).
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: Roadmap.EventStore.Projections.ProjectionAdmin.ThisNode))
            .WithMetrics(metrics => metrics
                .AddMeter(RoadmapMetrics.MeterName, "Marten", "Wolverine:*", "Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // No cached answer: a scrape right after a change shows it (the endpoint is for an admin or one scraper).
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        if (tracing)
        {
            otel.WithTracing(traces => traces
                .AddSource("Marten", "Wolverine", RoadmapMetrics.MeterName)
                .AddAspNetCoreInstrumentation(options => options.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        }

        if (otlp)
        {
            // Traces, metrics and logs to the collector named by the standard OTEL_EXPORTER_OTLP_* variables.
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Marten's own instrumentation: a span per connection use (when traced) and the append counter.</summary>
    public static void ConfigureMarten(StoreOptions opts, RoadmapMetrics metrics)
    {
        opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
        opts.OpenTelemetry.TrackEventCounters();
        opts.Listeners.Add(new AlertCounter(metrics));
    }

    /// <summary>Prometheus text at <c>/metrics</c>: for an admin, or for anyone when configured so.</summary>
    public static IEndpointRouteBuilder MapMetrics(this WebApplication app)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (app.Configuration.GetValue<bool>(AnonymousMetricsKey))
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            endpoint.RequireAuthorization(Access.Access.Admin);
        }

        return app;
    }

    /// <summary>Counts the deadline alerts once their transaction committed.</summary>
    private sealed class AlertCounter(RoadmapMetrics metrics) : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            foreach (var e in commit.GetEvents())
            {
                switch (e.Data)
                {
                    case DeadlineApproaching:
                        metrics.Alert("deadline-approaching");
                        break;
                    case DeadlineMissed:
                        metrics.Alert("deadline-missed");
                        break;
                }
            }

            return Task.CompletedTask;
        }
    }
}

/// <summary>The product's own instruments, on the meter "Roadmap".</summary>
public sealed class RoadmapMetrics
{
    public const string MeterName = "Roadmap";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _alerts;

    public RoadmapMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("roadmap.decisions", "{decision}",
            "Decisions answered, by outcome: decided, created, unchanged, refused, stale, replayed, failed.");
        _deliveries = meter.CreateCounter<long>("roadmap.webhook.deliveries", "{delivery}",
            "Webhook delivery attempts, by outcome: delivered, retry (failed, tried again later), dead (gave up).");
        _alerts = meter.CreateCounter<long>("roadmap.deadline.alerts", "{alert}",
            "Deadline alerts recorded, by type: deadline-approaching, deadline-missed.");
        Meter = meter;
    }

    public Meter Meter { get; }

    public void Decision(string outcome) => _decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Delivery(string outcome, long count = 1)
    {
        if (count > 0)
        {
            _deliveries.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void Alert(string type) => _alerts.Add(1, new KeyValuePair<string, object?>("type", type));
}

/// <summary>
/// Every log line written while a request runs carries its correlation id (<c>X-Correlation-Id</c>, else the request's
/// id) beside the trace and span ids; the events it records carry the same correlation id.
/// </summary>
public static class CorrelationScope
{
    public static IApplicationBuilder UseCorrelationScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Roadmap.Requests");
        return app.Use(async (http, next) =>
        {
            using var scope = logger.BeginScope(new Dictionary<string, object?> { ["CorrelationId"] = Actor.CorrelationId(http) });
            await next(http);
        });
    }
}

using System.Diagnostics.Metrics;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Looks at the async projections every <c>Roadmap:Telemetry:ProjectionSampleSeconds</c> (default 10) from any node:
/// their lag in events and seconds for <c>/metrics</c>, and whether one is stalled (events behind it and its checkpoint
/// unmoved for <c>Roadmap:Telemetry:StalledAfterSeconds</c>, default 120), which <c>/health/ready</c> reports. A scrape
/// reads the last look, never the database.
/// </summary>
public sealed class ProjectionLagMonitor : BackgroundService
{
    private readonly ProjectionAdmin _projections;
    private readonly ILogger<ProjectionLagMonitor> _logger;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _stalledAfter;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, (long Checkpoint, DateTimeOffset Since)> _moved = [];
    private readonly HashSet<string> _reportedStalled = [];
    private volatile Snapshot _last = new([], null, null);

    public ProjectionLagMonitor(
        ProjectionAdmin projections, RoadmapMetrics metrics, IConfiguration configuration, TimeProvider clock, ILogger<ProjectionLagMonitor> logger)
    {
        _projections = projections;
        _logger = logger;
        _clock = clock;
        _interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Roadmap:Telemetry:ProjectionSampleSeconds", 10.0)));
        _stalledAfter = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Roadmap:Telemetry:StalledAfterSeconds", 120.0)));
        metrics.Meter.CreateObservableGauge("roadmap.projection.lag", () => Measure(s => s.LagEvents), "{event}",
            "Events in the log the projection has not applied yet (counted up to one million).");
        metrics.Meter.CreateObservableGauge("roadmap.projection.lag.seconds", () => Measure(s => s.LagSeconds), "s",
            "Age of the oldest event the projection has not applied yet.");
    }

    /// <summary>What the last look saw: each projection's status, the stalled ones, and when (null before the first).</summary>
    public sealed record Snapshot(IReadOnlyList<ProjectionStatus> Projections, IReadOnlyList<string>? Stalled, DateTimeOffset? At);

    public Snapshot Last => _last;

    /// <summary>The last look if it is recent (two sampling intervals), else a look now: readiness asks this.</summary>
    public async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken) =>
        _last.At is { } at && _clock.GetUtcNow() - at < 2 * _interval ? _last : await SampleAsync(cancellationToken);

    private IEnumerable<Measurement<T>> Measure<T>(Func<ProjectionStatus, T> value) where T : struct =>
        _last.Projections.Select(s => new Measurement<T>(value(s), new KeyValuePair<string, object?>("projection", s.Name)));

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_interval, _clock);
        do
        {
            try
            {
                await SampleAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is away: the last look stays (readiness asks the database itself).
                _logger.LogDebug(e, "Projection lag: could not look at the projections");
            }
        }
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
    }

    /// <summary>One look now (also what tests call instead of waiting for the timer).</summary>
    public async Task<Snapshot> SampleAsync(CancellationToken cancellationToken)
    {
        var statuses = await _projections.GetStatusAsync(cancellationToken);
        var now = _clock.GetUtcNow();
        var stalled = new List<string>();
        lock (_moved)
        {
            foreach (var status in statuses)
            {
                var position = status.Checkpoint.Position;
                if (!_moved.TryGetValue(status.Name, out var seen) || seen.Checkpoint != position || status.LagEvents == 0
                    || status.State != ProjectionState.Running)
                {
                    _moved[status.Name] = (position, now);
                }
                else if (now - seen.Since >= _stalledAfter)
                {
                    stalled.Add(status.Name);
                }
            }
        }

        string[] newlyStalled;
        lock (_moved)
        {
            newlyStalled = stalled.Where(_reportedStalled.Add).ToArray();
            _reportedStalled.IntersectWith(stalled);
        }

        foreach (var name in newlyStalled)
        {
            _logger.LogWarning("Projection {Projection} is stalled: events wait and its checkpoint has not moved for {Seconds:F0} s",
                name, _stalledAfter.TotalSeconds);
        }

        var snapshot = new Snapshot(statuses, stalled, now);
        _last = snapshot;
        return snapshot;
    }
}

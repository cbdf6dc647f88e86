using System.Collections.Concurrent;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace Roadmap.EventStore.Projections;

/// <summary>What an operator sees of a projection; readable from any node.</summary>
public sealed record ProjectionStatus(
    string Name,
    string State,
    GlobalCheckpoint Checkpoint,
    long HeadPosition,
    long LagEvents,
    double LagSeconds,
    string? RunningOn,
    DateTimeOffset? HeartbeatAt,
    long AppliedEvents,
    string? Error,
    DateTimeOffset? RebuiltAt,
    RebuildProgress? Rebuild,
    long DeadLetterCount,
    IReadOnlyList<DeadLetter> DeadLetters);

public sealed record RebuildProgress(
    bool Requested, DateTimeOffset? StartedAt, long Applied, long Total, double Percent, double EventsPerSecond, double? EtaSeconds);

public sealed record DeadLetter(long GlobalPosition, string Error, DateTimeOffset FailedAt);

/// <summary>
/// Status, rebuilds, stop and resume for the async projections, over Marten's daemon: progress, heartbeat, agent
/// status and pause reason come from <c>mt_event_progression</c> (readable from any node), dead letters from
/// Marten's dead-letter storage. Rebuilds, stops and resumes act on this node's daemon.
/// </summary>
public sealed class ProjectionAdmin(PostgresEventStore store, IReadOnlyList<ProjectionRegistration> projections, Func<IProjectionDaemon?> daemon)
{
    private const int DeadLettersShown = 20;

    /// <summary>Lag is counted up to this many events (a status page needs "far behind", not the exact figure).</summary>
    public const int MaxLagCounted = 1_000_000;

    /// <summary>How long one rebuild may take before it is given up.</summary>
    public static readonly TimeSpan RebuildTimeout = TimeSpan.FromHours(2);

    private readonly string _schema = store.Options.Schema;
    private readonly ConcurrentDictionary<string, RebuildRun> _rebuilds = new(StringComparer.Ordinal);

    private IEnumerable<string> AsyncNames => projections.Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => p.Projection.Name);

    public static string ShardOf(string projection) => $"{projection}:All";

    public Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken cancellationToken = default) =>
        StatusAsync(AsyncNames.ToList(), cancellationToken);

    /// <summary>One projection's status; null for one that is not an async projection.</summary>
    public async Task<ProjectionStatus?> GetStatusAsync(string name, CancellationToken cancellationToken = default) =>
        AsyncNames.Contains(name, StringComparer.Ordinal) ? (await StatusAsync([name], cancellationToken)).SingleOrDefault() : null;

    private async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        var head = await store.GetHeadPositionAsync(cancellationToken);
        var rows = new List<ProjectionStatus>();
        await using var command = new NpgsqlCommand(
            $"""
            select n.name, coalesce(p.last_seq_id, 0), p.heartbeat, p.agent_status, p.pause_reason, p.running_on_node,
                   lag.events, coalesce(extract(epoch from now() - lag.oldest), 0)::float8
              from unnest($1::text[]) as n(name)
              left join {_schema}.mt_event_progression p on p.name = n.name || ':All'
              cross join lateral (
                -- Ordered and bounded, so the planner walks the log's index from the checkpoint instead of
                -- scanning the whole table; a lag beyond the bound is shown as the bound.
                select count(*) as events, min(behind.timestamp) as oldest
                  from (select e.timestamp from {_schema}.mt_events e
                         where e.seq_id > coalesce(p.last_seq_id, 0)
                         order by e.seq_id
                         limit {MaxLagCounted}) behind) lag
             order by n.name
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names.ToArray() });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                var position = reader.GetInt64(1);
                var agent = reader.IsDBNull(3) ? null : reader.GetString(3);
                var pause = reader.IsDBNull(4) ? null : reader.GetString(4);
                _rebuilds.TryGetValue(name, out var run);
                var state = run is { FinishedAt: null } ? ProjectionState.Rebuilding
                    : run?.Error is not null || agent is "Paused" ? ProjectionState.Failed
                    : agent is "Stopped" ? ProjectionState.Stopped
                    : ProjectionState.Running;
                rows.Add(new ProjectionStatus(
                    Name: name,
                    State: state,
                    Checkpoint: new GlobalCheckpoint(position),
                    HeadPosition: head,
                    LagEvents: reader.GetInt64(6),
                    LagSeconds: Math.Round(reader.GetDouble(7), 3),
                    RunningOn: reader.IsDBNull(5) ? null : $"node {reader.GetInt32(5)}",
                    HeartbeatAt: reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    AppliedEvents: position,
                    Error: run?.Error ?? pause,
                    RebuiltAt: run?.FinishedAt,
                    Rebuild: run is { FinishedAt: null } ? run.Progress(position) : null,
                    DeadLetterCount: 0,
                    DeadLetters: []));
            }
        }

        for (var i = 0; i < rows.Count; i++)
        {
            rows[i] = await WithDeadLettersAsync(rows[i], cancellationToken);
        }

        return rows;
    }

    private async Task<ProjectionStatus> WithDeadLettersAsync(ProjectionStatus status, CancellationToken cancellationToken)
    {
        var database = (JasperFx.Events.IEventDatabase)store.Marten.Storage.Database;
        var shard = new ShardName(status.Name);
        var count = await database.CountDeadLetterEventsAsync(shard, cancellationToken);
        if (count == 0)
        {
            return status;
        }

        var letters = await database.QueryDeadLetterEventsAsync(shard, null!, 1, DeadLettersShown, cancellationToken);
        return status with
        {
            DeadLetterCount = count,
            DeadLetters = letters.Select(l => new DeadLetter(l.EventSequence, $"{l.ExceptionType}: {l.ExceptionMessage}", l.Timestamp)).ToList(),
        };
    }

    /// <summary>
    /// Rebuilds the projection on this node's daemon, in the background; false when no such async projection is
    /// known here or this node runs no daemon.
    /// </summary>
    public Task<bool> RequestRebuildAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!AsyncNames.Contains(name, StringComparer.Ordinal) || daemon() is not { } running)
        {
            return Task.FromResult(false);
        }

        var run = new RebuildRun(DateTimeOffset.UtcNow);
        if (_rebuilds.TryGetValue(name, out var current) && current.FinishedAt is null)
        {
            return Task.FromResult(true);
        }

        _rebuilds[name] = run;
        _ = Task.Run(async () =>
        {
            try
            {
                run.Total = await store.GetHighWaterMarkAsync(CancellationToken.None);
                await running.RebuildProjectionAsync(name, RebuildTimeout, CancellationToken.None);
            }
            catch (Exception e)
            {
                run.Error = $"Rebuild failed: {e.Message}";
            }
            finally
            {
                run.FinishedAt = DateTimeOffset.UtcNow;
            }
        }, CancellationToken.None);
        return Task.FromResult(true);
    }

    /// <summary>Starts a stopped or paused projection again from its progress.</summary>
    public async Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!AsyncNames.Contains(name, StringComparer.Ordinal) || daemon() is not { } running)
        {
            return false;
        }

        if (_rebuilds.TryGetValue(name, out var run) && run.Error is not null)
        {
            _rebuilds.TryRemove(name, out _);
        }

        if (running.CurrentAgents().Any(a => a.Name.Identity == ShardOf(name)))
        {
            await running.StopAgentAsync(ShardOf(name));
        }

        await running.StartAgentAsync(ShardOf(name), cancellationToken);
        return true;
    }

    /// <summary>Stops a projection on this node's daemon; it keeps its progress.</summary>
    public async Task<bool> StopAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!AsyncNames.Contains(name, StringComparer.Ordinal) || daemon() is not { } running)
        {
            return false;
        }

        await running.StopAgentAsync(ShardOf(name));
        return true;
    }

    /// <summary>
    /// Waits until the projection has applied (or passed) the event at <paramref name="globalPosition"/>; for tests
    /// and for read-your-writes in the API. Throws a TimeoutException naming where the projection stands.
    /// </summary>
    public async Task WaitForCatchUpAsync(string name, long globalPosition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"select coalesce((select last_seq_id from {_schema}.mt_event_progression where name = $1), 0)", connection);
        command.Parameters.AddWithValue(ShardOf(name));
        while (true)
        {
            var position = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (position >= globalPosition)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Projection '{name}' did not reach global position {globalPosition} within {timeout} (at position {position}).");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private sealed class RebuildRun(DateTimeOffset startedAt)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;

        public long Total { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public string? Error { get; set; }

        public RebuildProgress Progress(long applied)
        {
            var elapsed = (DateTimeOffset.UtcNow - StartedAt).TotalSeconds;
            var rate = elapsed > 0 ? applied / elapsed : 0;
            return new RebuildProgress(
                true, StartedAt, applied, Total,
                Total == 0 ? 0 : Math.Round(Math.Min(100, 100.0 * applied / Total), 1),
                Math.Round(rate, 1),
                rate > 0 ? Math.Round(Math.Max(0, Total - applied) / rate, 1) : null);
        }
    }
}

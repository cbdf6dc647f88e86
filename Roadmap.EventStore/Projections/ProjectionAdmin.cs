using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Logging;
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
/// Marten's dead-letter storage, rebuild requests and their progress from <c>projection_controls</c>. A rebuild is
/// run by the node whose daemon holds the projection (<see cref="PickUpRebuildsAsync"/>): beside the live tables, which
/// keep serving until the rebuilt ones replace them (<see cref="SideTableRebuild"/>), or, for a projection whose rows
/// outlive a rebuild, by Marten in place. Stop and resume act on this node's daemon.
/// </summary>
public sealed class ProjectionAdmin(
    PostgresEventStore store, IReadOnlyList<ProjectionRegistration> projections, Func<IProjectionDaemon?> daemon, ILogger? logger = null)
{
    private const int DeadLettersShown = 20;

    /// <summary>Lag is counted up to this many events (a status page needs "far behind", not the exact figure).</summary>
    public const int MaxLagCounted = 1_000_000;

    /// <summary>How long one rebuild may take before it is given up.</summary>
    public static readonly TimeSpan RebuildTimeout = TimeSpan.FromHours(2);

    /// <summary>This process, as status pages name the node that runs a projection.</summary>
    public static readonly string ThisNode = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>How often a running rebuild says it is alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>A rebuild whose heartbeat is older than this was abandoned (its node died): another node may run it.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    private readonly string _schema = store.Options.Schema;

    /// <summary>
    /// Raised once a rebuild has finished: at once on the node that ran it, and on every other node when it next looks
    /// (<see cref="NoticeFinishedRebuildsAsync"/>); caches of the read model drop their entries.
    /// </summary>
    public event Action<string>? Rebuilt;

    // The last finished rebuild this node has raised Rebuilt for, per projection; null until the first look.
    private Dictionary<string, DateTimeOffset>? _rebuildsSeen;
    private readonly Lock _rebuildsSeenLock = new();

    /// <summary>
    /// Raises <see cref="Rebuilt"/> for every rebuild that finished, on any node, since this node last looked. The first
    /// look only notes what had finished before (a node that starts has nothing cached from before).
    /// </summary>
    public async Task NoticeFinishedRebuildsAsync(CancellationToken cancellationToken = default)
    {
        var finished = new Dictionary<string, DateTimeOffset>();
        await using (var command = store.DataSource.CreateCommand(
            $"select name, finished_at from {_schema}.projection_controls where finished_at is not null and error is null"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                finished[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }

        var raise = new List<string>();
        lock (_rebuildsSeenLock)
        {
            if (_rebuildsSeen is null)
            {
                _rebuildsSeen = finished;
                return;
            }

            foreach (var (name, at) in finished)
            {
                if (!_rebuildsSeen.TryGetValue(name, out var seen) || at > seen)
                {
                    _rebuildsSeen[name] = at;
                    raise.Add(name);
                }
            }
        }

        foreach (var name in raise)
        {
            Rebuilt?.Invoke(name);
        }
    }

    /// <summary>Notes a rebuild this node finished and raised <see cref="Rebuilt"/> for itself.</summary>
    private void MarkRebuildSeen(string name, DateTimeOffset finishedAt)
    {
        lock (_rebuildsSeenLock)
        {
            if (_rebuildsSeen is not null && (!_rebuildsSeen.TryGetValue(name, out var seen) || finishedAt > seen))
            {
                _rebuildsSeen[name] = finishedAt;
            }
        }
    }

    private IEnumerable<string> AsyncNames => projections.Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => p.Projection.Name);

    public static string ShardOf(string projection) => $"{projection}:All";

    public Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken cancellationToken = default) =>
        StatusAsync(AsyncNames.ToList(), cancellationToken);

    /// <summary>One projection's status; null for one that is not an async projection.</summary>
    public async Task<ProjectionStatus?> GetStatusAsync(string name, CancellationToken cancellationToken = default) =>
        IsAsync(name) ? (await StatusAsync([name], cancellationToken)).SingleOrDefault() : null;

    private bool IsAsync(string name) => AsyncNames.Contains(name, StringComparer.Ordinal);

    /// <summary>This node's agent for the projection, when this node's daemon holds it.</summary>
    private ISubscriptionAgent? LocalAgent(string name) =>
        daemon()?.CurrentAgents().FirstOrDefault(a => a.Name.Identity == ShardOf(name));

    private async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        var head = await store.GetHeadPositionAsync(cancellationToken);
        var rows = new List<ProjectionStatus>();
        await using var command = new NpgsqlCommand(
            $"""
            select n.name, coalesce(p.last_seq_id, 0), p.heartbeat, p.agent_status, p.pause_reason, p.running_on_node,
                   lag.events, coalesce(extract(epoch from now() - lag.oldest), 0)::float8,
                   r.requested_at, r.started_at, r.finished_at, r.total, r.node, r.error, r.stopped_at, r.applied
              from unnest($1::text[]) as n(name)
              left join {_schema}.mt_event_progression p on p.name = n.name || ':All'
              left join {_schema}.projection_controls r on r.name = n.name
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
                var agent = LocalAgent(name);
                var pause = agent?.Failure?.Detail ?? (reader.IsDBNull(4) ? null : reader.GetString(4));
                var agentStatus = agent is not null ? agent.Status.ToString() : reader.IsDBNull(3) ? null : reader.GetString(3);
                var requested = reader.IsDBNull(8) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(8);
                var started = reader.IsDBNull(9) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(9);
                var finished = reader.IsDBNull(10) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(10);
                var total = reader.IsDBNull(11) ? 0 : reader.GetInt64(11);
                var rebuildNode = reader.IsDBNull(12) ? null : reader.GetString(12);
                var rebuildError = reader.IsDBNull(13) ? null : reader.GetString(13);
                var rebuilding = requested is not null && finished is null;
                // Marten's coordinator restarts a paused agent every few seconds, and it fails again on the same event:
                // the failure this node's daemon saw last stays in the status until a batch applies or a resume.
                var failure = agentStatus is "Paused" ? pause ?? "paused" : ProjectionOf(name).Failure;
                var state = rebuilding ? ProjectionState.Rebuilding
                    : !reader.IsDBNull(14) ? ProjectionState.Stopped
                    : rebuildError is not null || failure is not null ? ProjectionState.Failed
                    : ProjectionState.Running;
                rows.Add(new ProjectionStatus(
                    Name: name,
                    State: state,
                    Checkpoint: new GlobalCheckpoint(position),
                    HeadPosition: head,
                    LagEvents: reader.GetInt64(6),
                    LagSeconds: Math.Round(reader.GetDouble(7), 3),
                    RunningOn: agent is not null ? ThisNode : rebuilding ? rebuildNode : reader.IsDBNull(5) ? null : $"node {reader.GetInt32(5)}",
                    HeartbeatAt: reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    AppliedEvents: position,
                    Error: rebuildError ?? failure,
                    RebuiltAt: rebuildError is null ? finished : null,
                    // Beside the live tables the rebuild counts its own progress; Marten's in-place rebuild moves the live one.
                    Rebuild: rebuilding ? Progress(requested, started, reader.IsDBNull(15) ? position : reader.GetInt64(15), total) : null,
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

    private static RebuildProgress Progress(DateTimeOffset? requested, DateTimeOffset? started, long applied, long total)
    {
        if (started is null)
        {
            return new RebuildProgress(requested is not null, null, 0, total, 0, 0, null);
        }

        var elapsed = (DateTimeOffset.UtcNow - started.Value).TotalSeconds;
        var rate = elapsed > 0 ? applied / elapsed : 0;
        return new RebuildProgress(
            true, started, applied, total,
            total == 0 ? 0 : Math.Round(Math.Min(100, 100.0 * applied / total), 1),
            Math.Round(rate, 1),
            rate > 0 ? Math.Round(Math.Max(0, total - applied) / rate, 1) : null);
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

        // Offset and limit (not a page number): the most recent failures first.
        var letters = await database.QueryDeadLetterEventsAsync(shard, tenantId: null!, offset: 0, limit: DeadLettersShown, cancellationToken);
        return status with
        {
            DeadLetterCount = count,
            DeadLetters = letters.Select(l => new DeadLetter(l.EventSequence, $"{l.ExceptionType}: {l.ExceptionMessage}", l.Timestamp)).ToList(),
        };
    }

    /// <summary>
    /// Records a rebuild request; the node whose daemon holds the projection runs it (at once when that is this node).
    /// False when no such async projection is known.
    /// </summary>
    public async Task<bool> RequestRebuildAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsAsync(name))
        {
            return false;
        }

        await using (var command = store.DataSource.CreateCommand(
            $"""
            insert into {_schema}.projection_controls (name, requested_at) values ($1, now())
            on conflict (name) do update set requested_at = now(), started_at = null, finished_at = null, total = null, node = null, error = null,
                                             applied = null, heartbeat_at = null
             where {_schema}.projection_controls.finished_at is not null or {_schema}.projection_controls.started_at is null
            """))
        {
            command.Parameters.AddWithValue(name);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await PickUpRebuildsAsync(onlyHeldHere: true, cancellationToken);
        return true;
    }

    /// <summary>
    /// Starts the requested rebuilds this node can run: those whose projection this node's daemon holds, or (for the
    /// command line, when no node holds it) any. A row is claimed before it starts, so only one node runs it.
    /// </summary>
    public async Task PickUpRebuildsAsync(bool onlyHeldHere, CancellationToken cancellationToken = default)
    {
        if (daemon() is not { } running)
        {
            return;
        }

        foreach (var name in AsyncNames)
        {
            // An operator's stop, made on any node, reaches this node's instance of the projection: its batches wait
            // (MartenProjection). Stopping Marten's agent instead does not hold: the HotCold coordinator starts a
            // missing agent again at its next leadership poll.
            var stopped = await IsStoppedAsync(name, cancellationToken);
            ProjectionOf(name).Stopped = stopped;
            if (stopped)
            {
                continue;
            }

            if (onlyHeldHere && LocalAgent(name) is null)
            {
                continue;
            }

            await using var claim = store.DataSource.CreateCommand(
                $"""
                update {_schema}.projection_controls set started_at = now(), heartbeat_at = now(), node = $2, total = $3, applied = null
                 where name = $1 and requested_at is not null and finished_at is null
                   and (started_at is null or heartbeat_at < now() - make_interval(secs => $4))
                returning 1
                """);
            claim.Parameters.AddWithValue(name);
            claim.Parameters.AddWithValue(ThisNode);
            claim.Parameters.AddWithValue(await store.GetHighWaterMarkAsync(cancellationToken));
            claim.Parameters.AddWithValue(AbandonedAfter.TotalSeconds);
            if (await claim.ExecuteScalarAsync(cancellationToken) is null)
            {
                continue;
            }

            _ = Task.Run(() => RebuildAsync(running, name), CancellationToken.None);
        }
    }

    private async Task RebuildAsync(IProjectionDaemon running, string name)
    {
        string? error = null;
        using var timeout = new CancellationTokenSource(RebuildTimeout);
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var heartbeat = HeartbeatAsync(name, beating.Token);
        try
        {
            var projection = ProjectionOf(name);
            if (projection.ClearTablesOnRebuild)
            {
                // Beside the live tables, which keep serving (and the daemon keeps current) until the new ones replace them.
                var position = await new SideTableRebuild(store, projection, () => LocalAgent(name), logger).RunAsync(timeout.Token);
                logger?.LogInformation("Rebuilt projection {Projection} beside its live tables up to {Position}", name, position);
            }
            else
            {
                // Rows that must outlive a rebuild (the webhook outbox): Marten replays the log over them, and the
                // projection adds only what is missing.
                await running.RebuildProjectionAsync(name, RebuildTimeout, timeout.Token);
                // Marten leaves the shard stopped after a rebuild; it continues live from where the rebuild ended.
                await running.StartAgentAsync(ShardOf(name), CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            error = $"Rebuild failed: {e.Message}";
            logger?.LogError(e, "Rebuild of projection {Projection} failed", name);
        }
        finally
        {
            await beating.CancelAsync();
            await heartbeat;
        }

        await using var done = store.DataSource.CreateCommand(
            $"update {_schema}.projection_controls set finished_at = now(), error = $2 where name = $1 returning finished_at");
        done.Parameters.AddWithValue(name);
        done.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var finishedAt = (DateTime)(await done.ExecuteScalarAsync(CancellationToken.None))!;
        if (error is null)
        {
            MarkRebuildSeen(name, new DateTimeOffset(finishedAt, TimeSpan.Zero));
            Rebuilt?.Invoke(name);
        }
    }

    /// <summary>Keeps the claim of a running rebuild alive; a claim that stops beating is taken up again (<see cref="AbandonedAfter"/>).</summary>
    private async Task HeartbeatAsync(string name, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, cancellationToken);
                await using var beat = store.DataSource.CreateCommand($"update {_schema}.projection_controls set heartbeat_at = now() where name = $1");
                beat.Parameters.AddWithValue(name);
                await beat.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                logger?.LogWarning(e, "Could not record the heartbeat of the rebuild of {Projection}; trying again", name);
            }
        }
    }

    /// <summary>
    /// Starts a stopped or paused projection again from its progress: the stop is lifted for every node, and this node's
    /// daemon (when it runs one) starts the agent at once; elsewhere Marten's coordinator starts it.
    /// </summary>
    public async Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsAsync(name))
        {
            return false;
        }

        await using (var clear = store.DataSource.CreateCommand($"update {_schema}.projection_controls set error = null, stopped_at = null where name = $1"))
        {
            clear.Parameters.AddWithValue(name);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }

        ProjectionOf(name).Stopped = false;
        ProjectionOf(name).Failure = null;

        if (daemon() is { IsRunning: true } running)
        {
            if (LocalAgent(name) is not null)
            {
                await running.StopAgentAsync(ShardOf(name));
            }

            await running.StartAgentAsync(ShardOf(name), cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Stops a projection on whichever node holds it (that node keeps it stopped, <see cref="PickUpRebuildsAsync"/>): its
    /// next batch waits, before anything is applied, until it is resumed. It keeps its progress.
    /// </summary>
    public async Task<bool> StopAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsAsync(name))
        {
            return false;
        }

        await using (var stop = store.DataSource.CreateCommand(
            $"insert into {_schema}.projection_controls (name, stopped_at) values ($1, now()) on conflict (name) do update set stopped_at = now()"))
        {
            stop.Parameters.AddWithValue(name);
            await stop.ExecuteNonQueryAsync(cancellationToken);
        }

        ProjectionOf(name).Stopped = true;
        return true;
    }

    private Projection ProjectionOf(string name) => projections.First(p => p.Projection.Name == name).Projection;

    private async Task<bool> IsStoppedAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand($"select stopped_at is not null from {_schema}.projection_controls where name = $1");
        command.Parameters.AddWithValue(name);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
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
}


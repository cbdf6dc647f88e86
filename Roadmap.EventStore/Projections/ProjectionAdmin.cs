using System.Globalization;
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

public sealed record DeadLetter(
    long Id, long GlobalPosition, Guid EventId, string EventType, string Error, int Attempts, DateTimeOffset FailedAt);

/// <summary>Status, rebuild requests, resets and catch-up waits for the projections of one schema.</summary>
public sealed class ProjectionAdmin(PostgresEventStore store)
{
    private const int DeadLettersShown = 20;

    /// <summary>Lag is counted up to this many events (a status page needs "far behind", not the exact figure).</summary>
    public const int MaxLagCounted = 1_000_000;
    private readonly string _schema = store.Options.Schema;

    public Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken cancellationToken = default) =>
        StatusAsync(null, cancellationToken);

    /// <summary>One projection's status; only its own lag is counted.</summary>
    public async Task<ProjectionStatus?> GetStatusAsync(string name, CancellationToken cancellationToken = default) =>
        (await StatusAsync(name, cancellationToken)).SingleOrDefault();

    private async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(string? name, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        var head = await HeadAsync(connection, cancellationToken);
        var rows = new List<ProjectionStatus>();
        await using var command = new NpgsqlCommand(
            $"""
            select c.name, c.state, c.transaction_id::text, c.position, c.owner, c.heartbeat_at, c.applied_events, c.error,
                   c.rebuilt_at, c.rebuild_requested_at, c.rebuild_started_at, c.rebuild_total, c.rebuild_applied,
                   lag.events, coalesce(extract(epoch from now() - lag.oldest), 0)::float8,
                   (select count(*) from {_schema}.dead_letters d where d.projection = c.name)
              from {_schema}.projection_checkpoints c
              cross join lateral (
                -- Ordered and bounded, so the planner walks the log's index from the checkpoint instead of
                -- scanning the whole table; a lag beyond the bound is shown as the bound.
                select count(*) as events, min(behind.recorded_at) as oldest
                  from (select e.recorded_at
                          from {_schema}.events e
                         where (e.transaction_id, e.global_position) > (c.transaction_id, c.position)
                         order by e.transaction_id, e.global_position
                         limit {MaxLagCounted}) behind) lag
             where $1::text is null or c.name = $1
             order by c.name
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });

        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var rebuildRequested = !reader.IsDBNull(9);
                var rebuildStarted = reader.IsDBNull(10) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(10);
                RebuildProgress? rebuild = null;
                if (rebuildRequested || rebuildStarted is not null)
                {
                    var total = reader.IsDBNull(11) ? 0 : reader.GetInt64(11);
                    var applied = reader.IsDBNull(12) ? 0 : reader.GetInt64(12);
                    var elapsed = rebuildStarted is null ? 0 : (DateTimeOffset.UtcNow - rebuildStarted.Value).TotalSeconds;
                    var rate = elapsed > 0 ? applied / elapsed : 0;
                    rebuild = new RebuildProgress(
                        rebuildRequested, rebuildStarted, applied, total,
                        total == 0 ? 0 : Math.Round(Math.Min(100, 100.0 * applied / total), 1),
                        Math.Round(rate, 1),
                        rate > 0 ? Math.Round(Math.Max(0, total - applied) / rate, 1) : null);
                }

                rows.Add(new ProjectionStatus(
                    Name: reader.GetString(0),
                    State: reader.GetString(1),
                    Checkpoint: new GlobalCheckpoint(ulong.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetInt64(3)),
                    HeadPosition: head,
                    LagEvents: reader.GetInt64(13),
                    LagSeconds: Math.Round(reader.GetDouble(14), 3),
                    RunningOn: reader.IsDBNull(4) ? null : reader.GetString(4),
                    HeartbeatAt: reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                    AppliedEvents: reader.GetInt64(6),
                    Error: reader.IsDBNull(7) ? null : reader.GetString(7),
                    RebuiltAt: reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    Rebuild: rebuild,
                    DeadLetterCount: reader.GetInt64(15),
                    DeadLetters: []));
            }
        }

        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].DeadLetterCount > 0)
            {
                rows[i] = rows[i] with { DeadLetters = await DeadLettersAsync(connection, rows[i].Name, cancellationToken) };
            }
        }

        return rows;
    }

    /// <summary>Asks the node that runs the projection to rebuild it; false when no such projection is known.</summary>
    public Task<bool> RequestRebuildAsync(string name, CancellationToken cancellationToken = default) =>
        UpdateAsync("rebuild_requested_at = now()", name, cancellationToken);

    /// <summary>Puts a failed or stopped projection back to work from its checkpoint.</summary>
    public Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        UpdateAsync("state = case when rebuild_started_at is null then 'running' else 'rebuilding' end, error = null", name, cancellationToken);

    /// <summary>Stops a projection on whichever node runs it; it keeps its checkpoint.</summary>
    public Task<bool> StopAsync(string name, CancellationToken cancellationToken = default) =>
        UpdateAsync("state = 'stopped'", name, cancellationToken);

    /// <summary>
    /// Waits until the projection has applied (or passed) the event at <paramref name="globalPosition"/>; for tests
    /// and for read-your-writes in the API. Throws a TimeoutException naming where the projection stands.
    /// </summary>
    public async Task WaitForCatchUpAsync(string name, long globalPosition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            select (c.transaction_id, c.position) >= (e.transaction_id, e.global_position), c.state, c.position
              from {_schema}.projection_checkpoints c, {_schema}.events e
             where c.name = $1 and e.global_position = $2
            """, connection);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(globalPosition);
        while (true)
        {
            string state = "unknown";
            long position = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    if (reader.GetBoolean(0))
                    {
                        return;
                    }

                    state = reader.GetString(1);
                    position = reader.GetInt64(2);
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Projection '{name}' did not reach global position {globalPosition} within {timeout} (state {state}, at position {position}).");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private async Task<bool> UpdateAsync(string set, string name, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand(
            $"update {_schema}.projection_checkpoints set {set}, updated_at = now() where name = $1");
        command.Parameters.AddWithValue(name);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<long> HeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select coalesce(max(global_position), 0) from {_schema}.events", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select id, global_position, event_id, event_type, error, attempts, failed_at
              from {_schema}.dead_letters where projection = $1 order by id desc limit {DeadLettersShown}
            """, connection);
        command.Parameters.AddWithValue(name);
        var letters = new List<DeadLetter>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(reader.GetInt64(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return letters;
    }
}

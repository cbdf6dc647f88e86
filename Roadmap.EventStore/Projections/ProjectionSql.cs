using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Roadmap.EventStore.Projections;

/// <summary>A projection's checkpoint row as the runner needs it.</summary>
internal sealed record ProjectionRow(
    string Name,
    string State,
    GlobalCheckpoint Checkpoint,
    DateTimeOffset? RebuildRequestedAt,
    DateTimeOffset? RebuildStartedAt,
    GlobalCheckpoint? RebuildCheckpoint);

/// <summary>The statements on projection_checkpoints and dead_letters.</summary>
internal sealed class ProjectionSql(string schema)
{
    private readonly string _checkpoints = $"{schema}.projection_checkpoints";

    public async Task<ProjectionRow?> ReadRowAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select name, state, transaction_id::text, position, rebuild_requested_at, rebuild_started_at,
                   rebuild_transaction_id::text, rebuild_position
              from {_checkpoints} where name = $1
            """, connection);
        command.Parameters.AddWithValue(name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ProjectionRow(
            reader.GetString(0),
            reader.GetString(1),
            new GlobalCheckpoint(ulong.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetInt64(3)),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            reader.IsDBNull(6) ? null : new GlobalCheckpoint(ulong.Parse(reader.GetString(6), CultureInfo.InvariantCulture), reader.GetInt64(7)));
    }

    public async Task HeartbeatAsync(NpgsqlConnection connection, string name, string instance, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"update {_checkpoints} set owner = $2, heartbeat_at = now() where name = $1", connection);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(instance);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Compare-and-set: moves the live (or rebuild) checkpoint only if it is still where this runner left it.</summary>
    public async Task<bool> MoveCheckpointAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string name, string instance,
        GlobalCheckpoint from, GlobalCheckpoint to, int applied, bool rebuild, CancellationToken cancellationToken)
    {
        var sql = rebuild
            ? $"""
              update {_checkpoints}
                 set rebuild_transaction_id = $3::text::xid8, rebuild_position = $4, rebuild_applied = rebuild_applied + $7,
                     owner = $2, heartbeat_at = now(), updated_at = now()
               where name = $1 and rebuild_transaction_id = $5::text::xid8 and rebuild_position = $6
              """
            : $"""
              update {_checkpoints}
                 set transaction_id = $3::text::xid8, position = $4, applied_events = applied_events + $7,
                     owner = $2, heartbeat_at = now(), updated_at = now()
               where name = $1 and transaction_id = $5::text::xid8 and position = $6
              """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(instance);
        command.Parameters.AddWithValue(to.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(to.Position);
        command.Parameters.AddWithValue(from.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(from.Position);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = applied, NpgsqlDbType = NpgsqlDbType.Bigint });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task InsertDeadLetterAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string name, RecordedEvent poison, Exception error, int attempts, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            insert into {schema}.dead_letters (projection, global_position, transaction_id, event_id, event_type, error, attempts)
            values ($1, $2, $3::text::xid8, $4, $5, $6, $7)
            """, connection, transaction);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(poison.GlobalPosition);
        command.Parameters.AddWithValue(poison.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(poison.EventId);
        command.Parameters.AddWithValue(poison.EventType);
        command.Parameters.AddWithValue($"{error.GetType().Name}: {error.Message}");
        command.Parameters.AddWithValue(attempts);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkFailedAsync(NpgsqlConnection connection, string name, string error, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"update {_checkpoints} set state = 'failed', error = $2, updated_at = now() where name = $1", connection);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task StartRebuildAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            update {_checkpoints}
               set state = 'rebuilding', rebuild_requested_at = null, rebuild_started_at = now(),
                   rebuild_transaction_id = '0', rebuild_position = 0, rebuild_applied = 0,
                   rebuild_total = (select count(*) from {schema}.events where not archived), updated_at = now()
             where name = $1
            """, connection, transaction);
        command.Parameters.AddWithValue(name);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> FinishRebuildAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string name, GlobalCheckpoint rebuilt, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            update {_checkpoints}
               set transaction_id = rebuild_transaction_id, position = rebuild_position, applied_events = rebuild_applied,
                   state = 'running', rebuilt_at = now(), updated_at = now(), error = null,
                   rebuild_started_at = null, rebuild_transaction_id = null, rebuild_position = null,
                   rebuild_total = null, rebuild_applied = null
             where name = $1 and rebuild_transaction_id = $2::text::xid8 and rebuild_position = $3
               and rebuild_requested_at is null
            """, connection, transaction);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(rebuilt.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(rebuilt.Position);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}

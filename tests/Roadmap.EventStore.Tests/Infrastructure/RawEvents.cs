using Npgsql;

namespace Roadmap.EventStore.Tests.Infrastructure;

/// <summary>Writes rows the way an older version of the code (or a stranger) would have, bypassing the registry.</summary>
public static class RawEvents
{
    public static async Task InsertAsync(NpgsqlDataSource dataSource, string schema, string streamId, long version, string eventType, int schemaVersion, string json, ulong? transactionId = null)
    {
        await using (var stream = dataSource.CreateCommand(
            $"""
            insert into {schema}.streams (stream_id, stream_type, version) values ($1, 'raw', $2)
              on conflict (stream_id) do update set version = excluded.version
            """))
        {
            stream.Parameters.AddWithValue(streamId);
            stream.Parameters.AddWithValue(version);
            await stream.ExecuteNonQueryAsync();
        }

        await using var command = dataSource.CreateCommand(
            $"""
            insert into {schema}.events (stream_id, version, event_id, event_type, schema_version, data, transaction_id)
              values ($1, $2, $3, $4, $5, $6::jsonb, coalesce($7::text::xid8, pg_current_xact_id()))
            """);
        command.Parameters.AddWithValue(streamId);
        command.Parameters.AddWithValue(version);
        command.Parameters.AddWithValue(Guid.CreateVersion7());
        command.Parameters.AddWithValue(eventType);
        command.Parameters.AddWithValue(schemaVersion);
        command.Parameters.AddWithValue(json);
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = transactionId?.ToString(System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync();
    }
}

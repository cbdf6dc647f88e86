using System.Text.Json;
using Npgsql;
using Roadmap.Api.Integrations;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Deadlines;

/// <summary>A deadline alert as recorded: when, and its CloudEvent's data.</summary>
public sealed record RecordedAlert(Guid EventId, string Type, DateTimeOffset RecordedAt, DeadlineAlertData Data);

public static class DeadlineAlertReads
{
    /// <summary>
    /// A municipality's alerts recorded in the 30 days up to the end of <paramref name="stand"/> (Berlin), newest first,
    /// read from the CloudEvents stored with them (the same as webhooks and feeds carry).
    /// </summary>
    public static async Task<IReadOnlyList<RecordedAlert>> LastThirtyDaysAsync(
        NpgsqlDataSource dataSource, string schema, string ags, DateOnly stand, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select event_id, type, recorded_at, body from {schema}.integration_events
             where municipalities @> array[$1]::text[] and type = any($2) and recorded_at >= $3 and recorded_at < $4
             order by recorded_at desc, event_id
             limit 100
            """);
        command.Parameters.AddWithValue(ags);
        command.Parameters.AddWithValue(IntegrationEventTypes.Deadlines.ToArray());
        command.Parameters.AddWithValue(CalendarDay.StartOf(stand.AddDays(-29)).ToUniversalTime());
        command.Parameters.AddWithValue(CalendarDay.StartOf(stand.AddDays(1)).ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var alerts = new List<RecordedAlert>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var cloudEvent = JsonSerializer.Deserialize<CloudEvent<DeadlineAlertData>>(reader.GetString(3), IntegrationEventTypes.Json)!;
            alerts.Add(new RecordedAlert(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), cloudEvent.Data));
        }

        return alerts;
    }
}

using Npgsql;
using Roadmap.Api.Integrations.Webhooks;

namespace Roadmap.Api.Tests.Integrations;

/// <summary>
/// The sender's read of a subscription's pending deliveries (WebhookSender.PendingSql) must go along the pending index
/// whatever the statistics say. Written as "subscription_id = $1 order by delivery_id", PostgreSQL walked the primary
/// key from the first delivery ever once an ANALYZE had seen a backlog, passing every delivered row on every read.
/// </summary>
public sealed class WebhookQueryPlanTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task The_pending_read_uses_the_pending_index_after_an_analyze_that_saw_a_backlog()
    {
        using var client = factory.CreateClient(); // starts the API: its migrations create the webhook tables
        var schema = factory.Schema;
        await using var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        var subscriptions = Enumerable.Range(0, 10).Select(_ => Guid.CreateVersion7()).ToArray();
        // A backlog when the statistics are taken: 20,000 deliveries, all pending. Then they are delivered, and 60,000
        // more come, all delivered but the last 2,000: pending rows are few, and the newest. Every delivery has its
        // event's body, as the dispatcher writes them; autovacuum stays out, so the statistics remain the backlog's.
        await ExecuteAsync(connection,
            $"""
            alter table {schema}.webhook_deliveries set (autovacuum_enabled = false);
            alter table {schema}.integration_events set (autovacuum_enabled = false);
            create temporary table backlog on commit drop as
              select ($1::uuid[])[1 + i % 10] as subscription_id, gen_random_uuid() as event_id, i from generate_series(1, 80000) i;
            insert into {schema}.integration_events (event_id, type, body, recorded_at) select event_id, 'x', repeat('x', 800), now() from backlog;
            insert into {schema}.webhook_deliveries (subscription_id, event_id, global_position, event_type, event_recorded_at)
            select subscription_id, event_id, i, 'catalogue.release.deprecated', now() from backlog where i <= 20000 order by i;
            analyze {schema}.webhook_deliveries;
            analyze {schema}.integration_events;
            update {schema}.webhook_deliveries set state = 'delivered', delivered_at = now();
            insert into {schema}.webhook_deliveries (subscription_id, event_id, global_position, event_type, event_recorded_at, state)
            select subscription_id, event_id, i, 'catalogue.release.deprecated', now(), case when i > 78000 then 'pending' else 'delivered' end
              from backlog where i > 20000 order by i;
            """,
            subscriptions);

        var plan = await ExplainAsync(connection, WebhookSender.PendingSql(schema), subscriptions[3], 0L);

        Assert.True(plan.Contains("webhook_deliveries_pending", StringComparison.Ordinal), plan);
        Assert.DoesNotContain("webhook_deliveries_pkey", plan, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, Guid[] subscriptions)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var command = new NpgsqlBatchCommand(statement);
            if (statement.Contains("$1", StringComparison.Ordinal))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = subscriptions });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand($"explain {sql}", connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}

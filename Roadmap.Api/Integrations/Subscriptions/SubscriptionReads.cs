using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Subscriptions;

/// <summary>GET /subscriptions, /subscriptions/{id}, its delivery log and its dead letters. The secret is never shown here.</summary>
public static class SubscriptionReads
{
    public sealed record SubscriptionFilters(IReadOnlyList<string> Municipalities, IReadOnlyList<Guid> ProductIds, IReadOnlyList<Guid> ReleaseIds);

    /// <param name="State">active or paused.</param>
    /// <param name="Failing">A delivery became a dead letter and none has succeeded since.</param>
    /// <param name="DeliveredThrough">
    /// The subscription's checkpoint: the global log position of the latest event delivered to it; every earlier
    /// event for it was delivered or is a dead letter. Null before the first delivery.
    /// </param>
    public sealed record SubscriptionView(
        Guid Id, string TargetUrl, IReadOnlyList<string> EventTypes, SubscriptionFilters Filters, string State, bool Failing, string? LastError,
        long Pending, long Delivered, long Dead, long? DeliveredThrough, DateTimeOffset? LastDeliveredAt, DateTimeOffset CreatedAt, long Version);

    /// <summary>One attempt of one delivery: the delivery log.</summary>
    public sealed record AttemptView(
        long DeliveryId, Guid EventId, string EventType, string DeliveryState, int Attempt, DateTimeOffset StartedAt, double DurationMs,
        int? StatusCode, string? Error);

    public sealed record DeadLetterView(long DeliveryId, Guid EventId, string EventType, int Attempts, DateTimeOffset? DeadAt, string? LastError);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync).WithSummary("All webhook subscriptions with their state and delivery counts (never their secrets).");
        group.MapGet("/{id}", GetAsync).WithSummary("One subscription; the ETag is its stream version. The secret is shown only when it is created or rotated.");
        group.MapGet("/{id}/deliveries", AttemptsAsync).WithSummary("The delivery log: the latest attempts (status, duration, error), newest first; `?limit=` up to 1000.");
        group.MapGet("/{id}/dead-letters", DeadLettersAsync).WithSummary("Deliveries that failed every attempt; redeliver them with POST .../redeliver.");
    }

    private static async Task<Ok<IReadOnlyList<SubscriptionView>>> ListAsync(
        HttpContext http, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken) =>
        // An integration sees the subscriptions its key created; an admin sees all.
        TypedResults.Ok(await QueryAsync(dataSource, options.Schema, null, cancellationToken,
            http.User.IsInRole(Access.Roles.Admin) ? null : Access.AccessClaims.OwnerOf(http.User) ?? ""));

    private static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, dataSource, options.Schema, cancellationToken) is not { } view)
        {
            return Unknown(id);
        }

        HttpVersioning.SetETag(http, view.Version);
        return TypedResults.Ok(view);
    }

    public static async Task<SubscriptionView?> FindAsync(string id, NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var guid) ? (await QueryAsync(dataSource, schema, guid, cancellationToken)).FirstOrDefault() : null;

    public static ProblemHttpResult Unknown(string id) => Problems.NotFound("subscription-unknown", $"There is no subscription {id}.");

    /// <param name="owner">Only the subscriptions of this owner; null: all.</param>
    public static async Task<IReadOnlyList<SubscriptionView>> QueryAsync(
        NpgsqlDataSource dataSource, string schema, Guid? id, CancellationToken cancellationToken, string? owner = null)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select s.subscription_id, s.target_url, s.event_types, s.municipalities, s.product_ids, s.release_ids, s.state,
                   coalesce(h.failing, false), h.last_error,
                   (select count(*) from {schema}.webhook_deliveries d where d.subscription_id = s.subscription_id and d.state = 'pending'),
                   (select count(*) from {schema}.webhook_deliveries d where d.subscription_id = s.subscription_id and d.state = 'delivered'),
                   (select count(*) from {schema}.webhook_deliveries d where d.subscription_id = s.subscription_id and d.state = 'dead'),
                   s.created_at, s.version, h.delivered_through, h.last_delivered_at
              from {schema}.webhook_subscriptions s
              left join {schema}.webhook_status h on h.subscription_id = s.subscription_id
             where s.state <> 'deleted' and ($1::uuid is null or s.subscription_id = $1) and ($2::text is null or s.owner = $2)
             order by s.created_at, s.subscription_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var views = new List<SubscriptionView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new SubscriptionView(
                reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<string[]>(2),
                new SubscriptionFilters(reader.GetFieldValue<string[]>(3), reader.GetFieldValue<Guid[]>(4), reader.GetFieldValue<Guid[]>(5)),
                reader.GetString(6), reader.GetBoolean(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11),
                reader.IsDBNull(14) ? null : reader.GetInt64(14), reader.IsDBNull(15) ? null : reader.GetFieldValue<DateTimeOffset>(15),
                reader.GetFieldValue<DateTimeOffset>(12), reader.GetInt64(13)));
        }

        return views;
    }

    private static async Task<Results<Ok<IReadOnlyList<AttemptView>>, ProblemHttpResult>> AttemptsAsync(
        string id, int? limit, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, dataSource, options.Schema, cancellationToken) is not { } view)
        {
            return Unknown(id);
        }

        await using var command = dataSource.CreateCommand(
            $"""
            select a.delivery_id, d.event_id, d.event_type, d.state, a.attempt, a.started_at, a.duration_ms, a.status_code, a.error
              from {options.Schema}.webhook_attempts a join {options.Schema}.webhook_deliveries d on d.delivery_id = a.delivery_id
             where a.subscription_id = $1 order by a.attempt_id desc limit $2
            """);
        command.Parameters.AddWithValue(view.Id);
        command.Parameters.AddWithValue(Math.Clamp(limit ?? 100, 1, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var attempts = new List<AttemptView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            attempts.Add(new AttemptView(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return TypedResults.Ok<IReadOnlyList<AttemptView>>(attempts);
    }

    private static async Task<Results<Ok<IReadOnlyList<DeadLetterView>>, ProblemHttpResult>> DeadLettersAsync(
        string id, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, dataSource, options.Schema, cancellationToken) is not { } view)
        {
            return Unknown(id);
        }

        await using var command = dataSource.CreateCommand(
            $"""
            select delivery_id, event_id, event_type, attempts, dead_at, last_error from {options.Schema}.webhook_deliveries
             where subscription_id = $1 and state = 'dead' order by delivery_id
            """);
        command.Parameters.AddWithValue(view.Id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dead = new List<DeadLetterView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            dead.Add(new DeadLetterView(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return TypedResults.Ok<IReadOnlyList<DeadLetterView>>(dead);
    }
}

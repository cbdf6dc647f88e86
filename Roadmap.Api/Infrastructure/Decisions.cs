using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.EventStore;

namespace Roadmap.Api.Infrastructure;

/// <summary>An event a decision stored, as the API returns it.</summary>
public sealed record DecisionEvent(Guid EventId, string Type, long Version, DateTimeOffset RecordedAt, object Data);

/// <summary>The answer to every decision: the stream, its new version (also the ETag) and the events it stored.</summary>
/// <param name="Id">On a 201 only: the new resource's id (a UUID, or the AGS of a municipality), the last segment of Location.</param>
public sealed record DecisionResponse(
    string StreamId,
    long Version,
    IReadOnlyList<DecisionEvent> Events,
    [property: JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id = null);

/// <summary>What a command needs from the edge: the time and who decided.</summary>
public sealed record DecisionContext(DateTimeOffset Now, string By, string CorrelationId);

/// <summary>Where a decision goes: the stream and, for a creating decision, the resource's URL and id.</summary>
public sealed record DecisionTarget(string StreamId, string? CreatedLocation = null, string? CreatedId = null);

/// <summary>
/// The edge of every decision: If-Match pins the expected version (412 when stale), without it a concurrent change is
/// decided again on the fresh stream; Idempotency-Key makes a retried POST return the stored answer and append nothing
/// (the key's row is written in the decision's transaction); the answer carries the new version as ETag. The decisions
/// themselves run in Wolverine handlers (<see cref="InvokeAsync"/>, docs/0013).
/// </summary>
public sealed class Decisions(
    PostgresEventStore store, ProcurementRuleSet rules, TimeProvider clock, Deciding.DecidedStateCache states, RoadmapMetrics metrics,
    ILogger<Decisions> logger)
{
    /// <summary>The procedure decider with the configured procurement rules (freeze windows).</summary>
    public Decider<IProcedureCommand, IProcedureEvent, ProcedureState> Procedures { get; } = ProcedureInstance.For(rules);

    /// <summary>The procurement case decider with the configured procurement rules (thresholds, limits, periods).</summary>
    public Decider<IProcurementCommand, IProcurementEvent, ProcurementCaseState> Procurements { get; } = ProcurementCase.For(rules);

    public const string IdempotencyHeader = "Idempotency-Key";
    private const int MaxAttempts = 5;
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// A decision through Wolverine (docs/0013): the edge parses If-Match and Idempotency-Key, and hands the message
    /// <paramref name="message"/> builds to the handler by <see cref="IMessageBus.InvokeAsync{T}"/>; the handler
    /// (<see cref="Deciding.DecisionStep"/>) claims the key, fetches the stream for writing, decides and appends, and
    /// Wolverine's transactional middleware commits. A concurrent change is decided again on the fresh stream, or answers
    /// 412 when If-Match named the version; a rule the decision breaks is its problem details; a claimed key replays
    /// the stored answer.
    /// </summary>
    public async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> InvokeAsync(
        HttpContext http,
        Wolverine.IMessageBus bus,
        DecisionTarget target,
        Func<DecisionContext, Deciding.DecisionMeta, object> message,
        object request,
        CancellationToken cancellationToken)
    {
        var outcome = "failed";
        try
        {
            var answer = await DecideAsync(http, bus, target, message, request, cancellationToken);
            outcome = answer.Result switch
            {
                _ when http.Response.Headers.ContainsKey("Idempotent-Replayed") => "replayed",
                Created<DecisionResponse> => "created",
                Ok<DecisionResponse> ok => ok.Value is { Events.Count: 0 } ? "unchanged" : "decided",
                ProblemHttpResult { StatusCode: StatusCodes.Status412PreconditionFailed } => "stale",
                _ => "refused",
            };
            return answer;
        }
        finally
        {
            metrics.Decision(outcome);
        }
    }

    private async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> DecideAsync(
        HttpContext http,
        Wolverine.IMessageBus bus,
        DecisionTarget target,
        Func<DecisionContext, Deciding.DecisionMeta, object> message,
        object request,
        CancellationToken cancellationToken)
    {
        if (PrepareWithIfMatch(http, request, out var ifMatch, out var scope, out var key, out var requestHash, out var context) is { } invalid)
        {
            return invalid;
        }

        for (var attempt = 1; ; attempt++)
        {
            var meta = new Deciding.DecisionMeta(
                target.StreamId,
                context.By, context.CorrelationId, ifMatch, scope, key, requestHash, target.CreatedLocation, target.CreatedId);
            Deciding.DecisionOutcome outcome;
            try
            {
                outcome = await bus.InvokeAsync<Deciding.DecisionOutcome>(message(context, meta), cancellationToken);
            }
            catch (DomainRuleViolation violation)
            {
                return DomainProblems.From(violation); // handlers answer Refused; this only guards one that does not
            }
            catch (Exception e) when (IsConcurrencyFailure(e))
            {
                if (ifMatch is null && attempt < MaxAttempts)
                {
                    logger.LogDebug("{Stream} changed under a decision ({Message}); deciding again", target.StreamId, e.Message);
                    continue;
                }

                var actual = (await store.GetStreamAsync(target.StreamId, cancellationToken))?.Version ?? 0;
                return StaleVersion(target.StreamId, ifMatch ?? actual, actual);
            }

            if (outcome is Deciding.Refused refused)
            {
                return refused.Problem;
            }

            if (outcome is not Deciding.Decided decided)
            {
                return await ReplayAsync(http, scope, key, requestHash, cancellationToken);
            }

            if (decided.Remember is { } committed)
            {
                states.Remember(committed);
            }

            var response = decided.Response;
            if (response.Events.Count > 0)
            {
                store.SignalAppended(); // after the commit, out of the global notify lock (docs/0003)
            }

            HttpVersioning.SetETag(http, response.Version);
            return decided.Created
                ? TypedResults.Created(target.CreatedLocation, response with { Id = target.CreatedId })
                : TypedResults.Ok(response);
        }
    }

    /// <summary>Marten's answers to a stream that moved: a version check that failed, or a stream started meanwhile.</summary>
    internal static bool IsConcurrencyFailure(Exception e) =>
        e is JasperFx.ConcurrencyException or JasperFx.Events.ExistingStreamIdCollisionException or global::Marten.Exceptions.ExistingStreamIdCollisionException
        || e.InnerException is JasperFx.ConcurrencyException
        || e is global::Marten.Exceptions.MartenCommandException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_streams" or "mt_events" } };

    /// <summary>As <see cref="Prepare"/>, and the version If-Match names (null without one).</summary>
    private ProblemHttpResult? PrepareWithIfMatch(
        HttpContext http, object request, out long? ifMatch, out string scope, out string key, out string requestHash, out DecisionContext context)
    {
        (ifMatch, var ifMatchError) = HttpVersioning.ParseIfMatch(http.Request);
        var invalid = Prepare(http, request, out scope, out key, out requestHash, out context);
        return ifMatchError is not null
            ? Problems.Create(StatusCodes.Status400BadRequest, "if-match-invalid", "Invalid If-Match", ifMatchError)
            : invalid;
    }

    /// <summary>What every decision derives from the request: idempotency scope, key and body hash, and the context.</summary>
    private ProblemHttpResult? Prepare(
        HttpContext http, object request, out string scope, out string key, out string requestHash, out DecisionContext context)
    {
        key = http.Request.Headers[IdempotencyHeader].ToString();
        scope = $"{http.Request.Method} {http.Request.Path}";
        context = new DecisionContext(clock.GetUtcNow(), Actor.Of(http), Actor.CorrelationId(http));
        requestHash = "";
        if (key.Length > 200)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "idempotency-key-invalid", "Invalid Idempotency-Key",
                "The Idempotency-Key header may be at most 200 characters long; a UUID is a good choice.");
        }

        if (key.Length > 0)
        {
            requestHash = Hash($"{scope}\n{JsonSerializer.Serialize(request, request.GetType(), StoredJson)}");
        }

        return null;
    }

    internal static ProblemHttpResult StaleVersion(string streamId, long expected, long actual) =>
        Problems.Create(StatusCodes.Status412PreconditionFailed, "version-stale", "The resource has changed",
            $"'{streamId}' is at version {actual}, but If-Match named version {expected}. Read it again, check the change, and decide once more.",
            new Dictionary<string, object?> { ["expectedVersion"] = expected, ["actualVersion"] = actual });

    /// <summary>A decision's answer as the idempotency table stores it.</summary>
    public static string StoredAnswer(DecisionResponse response) => JsonSerializer.Serialize(response, StoredJson);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> ReplayAsync(
        HttpContext http, string scope, string key, string requestHash, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand(
            $"select request_hash, status, response::text, etag, location from {store.Options.Schema}.idempotency_keys where scope = $1 and key = $2");
        command.Parameters.AddWithValue(scope);
        command.Parameters.AddWithValue(key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(1))
        {
            // The first request with this key rolled back between our attempt and this read: the client may retry.
            return Problems.Create(StatusCodes.Status409Conflict, "idempotency-key-in-flight", "Request still in progress",
                $"A request with Idempotency-Key '{key}' was being processed; send it again.");
        }

        if (reader.GetString(0) != requestHash)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused",
                $"Idempotency-Key '{key}' was already used for a different request to {scope}. Use a new key for a new request.");
        }

        var status = reader.GetInt32(1);
        var response = JsonSerializer.Deserialize<DecisionResponse>(reader.GetString(2), StoredJson)!;
        http.Response.Headers.ETag = reader.GetString(3);
        http.Response.Headers["Idempotent-Replayed"] = "true";
        return status == StatusCodes.Status201Created
            ? TypedResults.Created(reader.IsDBNull(4) ? null : reader.GetString(4), response)
            : TypedResults.Ok(response);
    }
}

/// <summary>
/// Event ids derived from the idempotency key: even if two requests with the same key raced past the key table, the
/// event store would recognise the second append as a retry. Without a key: a fresh v7 id.
/// </summary>
public static class EventIds
{
    public static Guid For(string scope, string key, string streamId, long version, int index, DateTimeOffset now)
    {
        if (key.Length == 0)
        {
            return Guid.CreateVersion7(now);
        }

        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{scope}\n{key}\n{streamId}\n{version}\n{index}"));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8: custom (RFC 9562)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16));
    }
}

using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Npgsql;
using Roadmap.Domain.Deciding;

namespace Roadmap.Api.Infrastructure.Deciding;

/// <summary>
/// A decider's state as Marten folds it for a decision (<c>FetchForWriting</c>, live): Marten's aggregates need an
/// identity, our decider states are plain domain records, so the state travels in this document. Never stored.
/// </summary>
public sealed class DecidedState<TState>
{
    public string Id { get; set; } = "";

    public TState State { get; set; } = default!;
}

/// <summary>Folds a stream with a decider's <c>Evolve</c>: the one fold a decision and every read of the stream share.</summary>
public static class DecidedStates
{
    public static DecidedState<TState> Evolve<TCommand, TEvent, TState>(
        Decider<TCommand, TEvent, TState> decider, DecidedState<TState>? snapshot, string id, IEvent e) where TEvent : class
    {
        snapshot ??= new DecidedState<TState> { Id = id, State = decider.Initial };
        snapshot.State = decider.EvolveStored(snapshot.State, e.Data);
        return snapshot;
    }
}

/// <summary>What the edge hands a decision besides the command: which stream, who, which request, which Idempotency-Key.</summary>
/// <param name="ExpectedVersion">From If-Match: the version the client read; null to decide on the stream as it is now.</param>
/// <param name="CreatedLocation">For a creating decision, the new resource's URL and id (stored with an idempotent answer).</param>
public sealed record DecisionMeta(
    string StreamId,
    string By,
    string CorrelationId,
    long? ExpectedVersion,
    string Scope,
    string IdempotencyKey,
    string RequestHash,
    string? CreatedLocation,
    string? CreatedId);

/// <summary>What a decision handler answers the edge.</summary>
public abstract record DecisionOutcome;

/// <summary>The events are appended (or the decision was a no-op), to be committed with the handler's transaction.</summary>
/// <param name="Remember">The stream's state after the decision, for <see cref="DecidedStateCache"/> once it is committed.</param>
public sealed record Decided(DecisionResponse Response, bool Created, RememberedState? Remember = null) : DecisionOutcome;

/// <summary>
/// The decision breaks a rule (the decider's, or a referenced stream that does not exist or belongs elsewhere): its
/// problem details, and nothing stored. An answer, not an exception, so that Wolverine does not log an expected 409 or
/// 422 as a failed handler.
/// </summary>
public sealed record Refused(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem) : DecisionOutcome;

/// <summary>The Idempotency-Key was claimed before: nothing was decided; the edge answers with the stored answer.</summary>
public sealed record KeyAlreadyClaimed : DecisionOutcome;

/// <summary>
/// The body of every decision handler (docs/0013): claim the Idempotency-Key, lock and fold the stream
/// (<see cref="DecidedStateCache"/>; If-Match is compared with the version read under the lock), decide with the pure
/// decider, append with our ids, time and metadata and the version it was decided on, and queue the idempotent answer.
/// Wolverine's transactional middleware commits it all in one transaction. Decisions on one stream wait for each other
/// at the lock; only two decisions starting the same stream at once meet at the commit (Marten's version check).
/// </summary>
public static class DecisionStep
{
    public static Task<DecisionOutcome> RunAsync<TCommand, TEvent, TState>(
        IDocumentSession session,
        Decider<TCommand, TEvent, TState> decider,
        TCommand command,
        DecisionMeta meta,
        TimeProvider clock,
        string schema,
        DecidedStateCache states,
        CancellationToken cancellationToken)
        where TEvent : class =>
        RunAsync(session, decider, (_, _) => ValueTask.FromResult(command), meta, clock, schema, states, null, cancellationToken);

    /// <summary>
    /// The same, for a command that needs the stream's state to be complete (a fact of another stream the decider
    /// cannot see, looked up in the same transaction).
    /// </summary>
    public static async Task<DecisionOutcome> RunAsync<TCommand, TEvent, TState>(
        IDocumentSession session,
        Decider<TCommand, TEvent, TState> decider,
        Func<TState, CancellationToken, ValueTask<TCommand>> command,
        DecisionMeta meta,
        TimeProvider clock,
        string schema,
        DecidedStateCache states,
        IReadAlongside? alongside,
        CancellationToken cancellationToken)
        where TEvent : class
    {
        if (!await ClaimKeyAsync(session, meta, schema, cancellationToken))
        {
            return new KeyAlreadyClaimed();
        }

        var stream = await states.FetchAsync(session, decider, meta.StreamId, schema, alongside, cancellationToken);
        if (meta.ExpectedVersion is { } expected && stream.Version != expected)
        {
            return Refuse(session, meta, schema, Decisions.StaleVersion(meta.StreamId, expected, stream.Version));
        }

        var state = stream.State;
        IReadOnlyList<TEvent> events;
        try
        {
            events = decider.Decide(await command(state, cancellationToken), state);
        }
        catch (DomainRuleViolation violation)
        {
            return Refuse(session, meta, schema, DomainProblems.From(violation));
        }

        var response = Append(session, stream, events, meta, clock);
        var created = meta.CreatedLocation is not null && stream.Version == 0 && response.Events.Count > 0;
        QueueAnswer(session, meta, schema, response, created);
        // A stream that existed keeps its creation time: the state after these events is the one at the new version.
        var after = stream.Version > 0 && events.Count > 0
            ? new RememberedState(stream.StreamId, response.Version, stream.Created, events.Aggregate(state, decider.Evolve)!)
            : null;
        return new Decided(response, created, after);
    }

    /// <summary>
    /// Claims the Idempotency-Key in the session's transaction (started here): the key's row and the events commit
    /// together, and a racing copy waits on the row, then replays. False when the key was claimed before. No key: true.
    /// </summary>
    public static async Task<bool> ClaimKeyAsync(IDocumentSession session, DecisionMeta meta, string schema, CancellationToken cancellationToken)
    {
        if (meta.IdempotencyKey.Length == 0)
        {
            return true;
        }

        await session.BeginTransactionAsync(cancellationToken);
        await using var claim = new NpgsqlCommand(
            $"insert into {schema}.idempotency_keys (scope, key, request_hash) values ($1, $2, $3) on conflict do nothing",
            (NpgsqlConnection)session.Connection!);
        claim.Parameters.AddWithValue(meta.Scope);
        claim.Parameters.AddWithValue(meta.IdempotencyKey);
        claim.Parameters.AddWithValue(meta.RequestHash);
        return await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Appends a decision's events to a stream locked and folded by <see cref="DecidedStateCache"/>, with the version it
    /// was decided on as Marten's expected version, our ids (derived from the Idempotency-Key), the app's time and the
    /// metadata; answers what the decision stored.
    /// </summary>
    public static DecisionResponse Append<TState, TEvent>(
        IDocumentSession session, DecisionStream<TState> stream, IReadOnlyList<TEvent> events, DecisionMeta meta, TimeProvider clock)
        where TEvent : class
    {
        if (events.Count == 0)
        {
            return new DecisionResponse(stream.StreamId, stream.Version, []);
        }

        // Marten takes the version the stream has after the append.
        var action = session.Events.Append(stream.StreamId, stream.Version + events.Count, events.Cast<object>().ToArray());
        return Stamp(stream.StreamId, stream.Version, action.Events, meta, clock);
    }

    /// <summary>As above, for a stream fetched with Marten's <c>FetchForWriting</c> (decisions across streams).</summary>
    public static DecisionResponse Append<TState, TEvent>(
        IEventStream<DecidedState<TState>> stream, IReadOnlyList<TEvent> events, DecisionMeta meta, TimeProvider clock)
        where TEvent : class
    {
        var before = stream.StartingVersion ?? 0;
        if (events.Count == 0)
        {
            return new DecisionResponse(stream.Key!, before, []);
        }

        stream.AppendMany(events);
        return Stamp(stream.Key!, before, stream.Events, meta, clock);
    }

    private static DecisionResponse Stamp(string streamId, long before, IReadOnlyList<IEvent> pending, DecisionMeta meta, TimeProvider clock)
    {
        var key = meta.IdempotencyKey;
        // PostgreSQL keeps microseconds: the answer carries the time as stored, so a replay and every read agree with it.
        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - now.Ticks % (TimeSpan.TicksPerMillisecond / 1000), now.Offset);
        var recorded = new List<DecisionEvent>(pending.Count);
        for (var i = 0; i < pending.Count; i++)
        {
            var wrapper = pending[i];
            wrapper.Id = EventIds.For(meta.Scope, key, streamId, before, i, now);
            wrapper.Timestamp = now;
            wrapper.UserName = meta.By;
            wrapper.CorrelationId = meta.CorrelationId;
            if (key.Length > 0)
            {
                wrapper.CausationId = key;
                wrapper.Headers = new Dictionary<string, object> { [Decisions.IdempotencyHeader] = key };
            }

            recorded.Add(new DecisionEvent(wrapper.Id, wrapper.EventTypeName, before + i + 1, now, wrapper.Data));
        }

        return new DecisionResponse(streamId, before + pending.Count, recorded);
    }

    /// <summary>
    /// Refuses the decision: nothing is appended, and the Idempotency-Key's claim is withdrawn in the same commit, so a
    /// retry with the key is decided afresh (as when the transaction rolled back). Marten 9.58 does not commit a session
    /// with nothing pending, which would drop the claim as well; the delete says so explicitly and does not depend on it.
    /// </summary>
    public static Refused Refuse(IDocumentSession session, DecisionMeta meta, string schema, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem)
    {
        if (meta.IdempotencyKey.Length > 0)
        {
            session.QueueSqlCommand($"delete from {schema}.idempotency_keys where scope = ? and key = ?", meta.Scope, meta.IdempotencyKey);
        }

        return new Refused(problem);
    }

    /// <summary>Queues the answer a retry with the same Idempotency-Key gets, to be written in the decision's commit.</summary>
    public static void QueueAnswer(IDocumentSession session, DecisionMeta meta, string schema, DecisionResponse response, bool created)
    {
        if (meta.IdempotencyKey.Length == 0)
        {
            return;
        }

        session.QueueSqlCommand(
            $"update {schema}.idempotency_keys set status = ?, response = ?::jsonb, etag = ?, location = ? where scope = ? and key = ?",
            created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            Decisions.StoredAnswer(created ? response with { Id = meta.CreatedId } : response),
            HttpVersioning.ETagFor(response.Version),
            (object?)(created ? meta.CreatedLocation : null) ?? DBNull.Value,
            meta.Scope,
            meta.IdempotencyKey);
    }
}

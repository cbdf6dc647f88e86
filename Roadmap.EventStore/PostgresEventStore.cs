using JasperFx.Events;
using Marten;
using Marten.Services;
using Npgsql;
using Roadmap.EventStore.Projections;

namespace Roadmap.EventStore;

/// <summary>
/// Roadmap's event log on Marten (docs/0011): appends with our concurrency and idempotency contract, stream reads
/// with time travel, and the global log up to the daemon's high water mark (GlobalLog.cs). The store itself is
/// Marten's (<c>mt_streams</c>, <c>mt_events</c>, configured in <see cref="RoadmapMarten"/>); this class only
/// translates between the decisions' vocabulary (<see cref="ExpectedVersion"/>, <see cref="NewEvent"/>,
/// <see cref="RecordedEvent"/>) and Marten's sessions, in one place. Thread-safe; one instance per schema.
/// </summary>
public sealed partial class PostgresEventStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly EventStoreOptions _options;
    private readonly AppendNotifier _notifier;
    private readonly string _findIdsSql;
    private readonly AppendWakeup? _wakeup;
    private readonly TimeProvider _clock;

    /// <param name="clock">Gives every event its recorded time (default: the system clock), as for the decisions.</param>
    public PostgresEventStore(IDocumentStore marten, NpgsqlDataSource dataSource, EventStoreOptions options, AppendWakeup? wakeup = null, TimeProvider? clock = null)
    {
        _wakeup = wakeup;
        _clock = clock ?? TimeProvider.System;
        Marten = marten;
        _dataSource = dataSource;
        _options = options;
        _notifier = new AppendNotifier(dataSource, options.NotificationChannel);
        var s = options.Schema;
        _findIdsSql =
            $"""
            select e.id, e.stream_id, e.seq_id, e.version, e.type, e.timestamp, e.data = n.data as same_data
              from unnest($1::uuid[], $2::jsonb[]) as n(id, data) join {s}.mt_events e on e.id = n.id
            """;
        _globalReadSql = BuildGlobalReadSql(s);
        _globalReadOfTypesSql = BuildGlobalReadOfTypesSql(s);
        _highWaterSql = $"select coalesce((select last_seq_id from {s}.mt_event_progression where name = 'HighWaterMark'), 0)";
        _headSql = $"select coalesce(max(seq_id), 0) from {s}.mt_events";
    }

    /// <summary>The Marten store behind the log: sessions, the async daemon, projection progress.</summary>
    public IDocumentStore Marten { get; }

    public EventStoreOptions Options => _options;

    /// <summary>
    /// After a caller's transaction that appended has committed: wakes this node's daemon and, by NOTIFY, the feed
    /// readers of every node (docs/0003: a NOTIFY outside the append's transaction keeps appends off the global notify lock).
    /// </summary>
    public void SignalAppended()
    {
        _wakeup?.Signal();
        _notifier.Signal();
    }

    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Appends in its own transaction.</summary>
    /// <remarks>
    /// With an exact expected version (or <see cref="ExpectedVersion.NoStream"/>) the ids are not looked up first: a
    /// retry of a stored append fails Marten's version check, before it takes a sequence number, and is answered
    /// from the stored events then (one statement on the fast path instead of two). With <see cref="ExpectedVersion.Any"/>
    /// nothing checks the version first, so a retry would take a sequence number before its ids collide and leave a
    /// gap the daemon has to wait out; those appends look first.
    /// </remarks>
    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expected, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default)
    {
        AppendResult result;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            result = await AppendAsync(connection, transaction, streamId, expected, events, lookUpRetry: expected == ExpectedVersion.Any, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (WrongExpectedVersionException)
        {
            // A copy of this very append (same ids, same content) that committed while ours waited for its locks: in our
            // own transaction nothing else was lost, so its result is the answer, as for any retry.
            if (await FindStoredAsync(streamId, events, cancellationToken) is { } stored)
            {
                return stored;
            }

            throw;
        }

        SignalAppended();
        return result;
    }

    /// <summary>
    /// Appends inside the caller's transaction, so that other writes (an idempotency key, an outbox row) and the
    /// inline projections commit or roll back with the events. The caller commits, then calls
    /// <see cref="SignalAppended"/>.
    /// </summary>
    /// <remarks>
    /// A retried append (same event ids) returns what the first one stored, with <see cref="AppendResult.WasAlreadyStored"/>;
    /// the ids are looked up before appending because a unique violation would abort the caller's transaction.
    /// </remarks>
    public Task<AppendResult> AppendAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string streamId,
        ExpectedVersion expected,
        IReadOnlyList<NewEvent> events,
        CancellationToken cancellationToken = default) =>
        AppendAsync(connection, transaction, streamId, expected, events, lookUpRetry: true, cancellationToken);

    private async Task<AppendResult> AppendAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string streamId,
        ExpectedVersion expected,
        IReadOnlyList<NewEvent> events,
        bool lookUpRetry,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        foreach (var e in events)
        {
            _options.Types.NameOf(e.Data.GetType()); // refuses an event class without a stable name
        }

        if (lookUpRetry && await FindStoredAsync(connection, transaction, streamId, events, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        await using var session = Marten.LightweightSession(SessionOptions.ForTransaction(transaction));
        var data = events.Select(e => e.Data).ToArray();
        var action = expected == ExpectedVersion.Any
            ? session.Events.Append(streamId, data)
            // Marten takes the version the stream has after the append; ours is the version before it.
            : session.Events.Append(streamId, expected.Value + events.Count, data);
        var wrapped = action.Events;
        // PostgreSQL keeps microseconds: the result carries the time as stored, so a retry and every read agree with it.
        var now = TruncateToMicroseconds(_clock.GetUtcNow());
        for (var i = 0; i < events.Count; i++)
        {
            Describe(wrapped[i], events[i]);
            wrapped[i].Timestamp = now;
        }

        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (IsVersionConflict(e))
        {
            throw new WrongExpectedVersionException(streamId, expected, await CurrentVersionAsync(streamId, cancellationToken), e);
        }
        catch (global::Marten.Exceptions.MartenCommandException e)
            when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_streams" or "mt_events" })
        {
            // Only the log's own keys: a duplicate in an inline projection's table is a bug there, not a lost race, and
            // surfaces as the error it is.
            // A key of the log was taken by a transaction that committed after our checks: the stream (a racing first
            // append, NoStream), a stream version (a racing writer with the same expected version) or our event ids (a
            // racing copy of this append). The caller's transaction is lost either way, so look from a fresh one: ids
            // stored with other content are a conflict (FindStoredAsync throws); otherwise the stream moved on.
            await FindStoredAsync(streamId, events, cancellationToken);
            throw new WrongExpectedVersionException(streamId, expected, await CurrentVersionAsync(streamId, cancellationToken), e);
        }

        var recorded = new List<RecordedEvent>(wrapped.Count);
        for (var i = 0; i < wrapped.Count; i++)
        {
            var w = wrapped[i];
            recorded.Add(new RecordedEvent(
                w.Sequence, streamId, w.Version, events[i].EventId, w.EventTypeName, events[i].Data, events[i].Metadata ?? EventMetadata.Empty,
                w.Timestamp, Archived: false));
        }

        return new AppendResult(streamId, recorded[^1].Version, recorded.Select(r => r.GlobalPosition).ToList(), recorded[^1].RecordedAt, false, recorded);
    }

    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset time) =>
        new(time.Ticks - time.Ticks % (TimeSpan.TicksPerMillisecond / 1000), time.Offset);

    private static bool IsVersionConflict(Exception e) =>
        e is EventStreamUnexpectedMaxEventIdException or JasperFx.Events.ExistingStreamIdCollisionException or global::Marten.Exceptions.ExistingStreamIdCollisionException
        || e.InnerException is EventStreamUnexpectedMaxEventIdException;

    /// <summary>Our id and metadata on Marten's event: actor, correlation, causation and headers are stored with it.</summary>
    private static void Describe(IEvent wrapper, NewEvent e)
    {
        wrapper.Id = e.EventId;
        var metadata = e.Metadata ?? EventMetadata.Empty;
        wrapper.UserName = metadata.Actor;
        wrapper.CorrelationId = metadata.CorrelationId;
        wrapper.CausationId = metadata.CausationId;
        if (metadata.Headers is { Count: > 0 } headers)
        {
            wrapper.Headers = headers.ToDictionary(h => h.Key, object (h) => h.Value);
        }
    }

    private async Task<AppendResult?> FindStoredAsync(string streamId, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await FindStoredAsync(connection, null, streamId, events, cancellationToken);
    }

    /// <summary>
    /// The original result when every id was stored before by the same append (same stream, types and data);
    /// null when none was; otherwise an <see cref="EventIdConflictException"/>.
    /// </summary>
    private async Task<AppendResult?> FindStoredAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string streamId, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_findIdsSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = events.Select(e => e.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]>
        {
            TypedValue = events.Select(e => Marten.Options.Serializer().ToJson(e.Data)).ToArray(),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb,
        });
        var found = new Dictionary<Guid, (string Stream, long Position, long Version, string Type, DateTimeOffset At, bool SameData)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found[reader.GetGuid(0)] = (reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6));
            }
        }

        if (found.Count == 0)
        {
            return null;
        }

        var recorded = new List<RecordedEvent>(events.Count);
        foreach (var e in events)
        {
            var name = _options.Types.NameOf(e.Data.GetType());
            if (!found.TryGetValue(e.EventId, out var row))
            {
                throw new EventIdConflictException(streamId, null);
            }

            if (row.Stream != streamId || row.Type != name || !row.SameData)
            {
                throw new EventIdConflictException(streamId, e.EventId);
            }

            recorded.Add(new RecordedEvent(row.Position, streamId, row.Version, e.EventId, name, e.Data, e.Metadata ?? EventMetadata.Empty, row.At, false));
        }

        return new AppendResult(streamId, recorded.Max(r => r.Version), recorded.Select(r => r.GlobalPosition).ToList(), recorded[^1].RecordedAt, true, recorded);
    }

    private async Task<long?> CurrentVersionAsync(string streamId, CancellationToken cancellationToken)
    {
        await using var session = Marten.QuerySession();
        var state = await session.Events.FetchStreamStateAsync(streamId, cancellationToken);
        return state?.Version;
    }

    /// <summary>Reads a stream forward.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(
        string streamId, ReadStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var session = Marten.QuerySession();
        return await FetchAsync(session, streamId, options, cancellationToken);
    }

    private static async Task<IReadOnlyList<RecordedEvent>> FetchAsync(
        IQuerySession session, string streamId, ReadStreamOptions? options, CancellationToken cancellationToken)
    {
        options ??= ReadStreamOptions.All;
        var events = await session.Events.FetchStreamAsync(
            streamId, version: options.ToVersion ?? 0, timestamp: options.AsOf, fromVersion: options.FromVersion, token: cancellationToken);
        return events.Select(Recorded).ToList();
    }

    /// <summary>
    /// Folds a stream with a decider's evolve function: the state as of the last event read. With
    /// <see cref="ReadStreamOptions.ToVersion"/> or <see cref="ReadStreamOptions.AsOf"/> it is the state at that point.
    /// </summary>
    public async Task<AggregateResult<TState>> AggregateStreamAsync<TState>(
        string streamId, TState initial, Func<TState, object, TState> evolve, ReadStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        Fold(await ReadStreamAsync(streamId, options, cancellationToken), initial, evolve);

    private static AggregateResult<TState> Fold<TState>(IReadOnlyList<RecordedEvent> events, TState initial, Func<TState, object, TState> evolve)
    {
        var state = initial;
        foreach (var recorded in events)
        {
            state = evolve(state, recorded.Data);
        }

        return new AggregateResult<TState>(state, events.Count == 0 ? 0 : events[^1].Version, events.Count == 0 ? null : events[^1].RecordedAt);
    }

    /// <summary>The stream's version and dates, or null when it does not exist.</summary>
    public async Task<StreamInfo?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var session = Marten.QuerySession();
        var state = await session.Events.FetchStreamStateAsync(streamId, cancellationToken);
        return state is null ? null : new StreamInfo(streamId, state.Version, state.Created, state.LastTimestamp, state.IsArchived);
    }

    /// <summary>Marten's event as ours: the data already upcast and deserialized by Marten.</summary>
    public static RecordedEvent Recorded(IEvent e) => new(
        e.Sequence,
        e.StreamKey!,
        e.Version,
        e.Id,
        e.EventTypeName,
        e.Data,
        new EventMetadata(e.UserName, e.CorrelationId, e.CausationId,
            e.Headers is { Count: > 0 } h ? h.ToDictionary(x => x.Key, x => x.Value?.ToString() ?? "") : null),
        e.Timestamp,
        e.IsArchived);
}

using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Serialization;

namespace Roadmap.EventStore;

/// <summary>
/// The event store on PostgreSQL: append with optimistic concurrency and idempotent retries, stream reads with
/// time travel, archiving, and the global log (see GlobalLog.cs). Thread-safe; one instance per schema.
/// </summary>
public sealed partial class PostgresEventStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly EventStoreOptions _options;
    private readonly string _appendSql;
    private readonly string _readStreamSql;
    private readonly string _streamInfoSql;
    private readonly AppendNotifier _notifier;
    private readonly TimeProvider _clock;

    private readonly IReadOnlyList<Projection> _inlineProjections;

    /// <param name="inlineProjections">Applied inside each append's transaction: up to date when the append returns.</param>
    /// <param name="clock">
    /// Gives every append its recorded_at (the application's clock, as for the decisions; default: the system clock),
    /// so that reads "as of" a day select what the decisions of that day recorded, also under a fake clock.
    /// </param>
    public PostgresEventStore(
        NpgsqlDataSource dataSource, EventStoreOptions options, IEnumerable<Projection>? inlineProjections = null, TimeProvider? clock = null)
    {
        _dataSource = dataSource;
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _inlineProjections = inlineProjections?.ToList() ?? [];
        _notifier = new AppendNotifier(dataSource, options.NotificationChannel);
        var s = options.Schema;
        _appendSql = $"select r_event_id, r_global_position, r_version, r_recorded_at, r_replayed, r_transaction_id::text from {s}.append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        _readStreamSql =
            $"""
            select e.global_position, e.transaction_id::text as transaction_id_text, e.stream_id, version, event_id, event_type, schema_version,
                   e.data, e.metadata::text, e.recorded_at, e.archived
              from {s}.events e
             where stream_id = $1 and version >= $2 and version <= $3 and recorded_at <= $4 and (not archived or $5)
             order by version
            """;
        _streamInfoSql = $"select stream_id, stream_type, version, created_at, updated_at, archived from {s}.streams where stream_id = $1";
        _globalReadSql = BuildGlobalReadSql(s);
        _globalReadOfTypesSql = BuildGlobalReadOfTypesSql(s);
        _globalReachedSql = BuildGlobalReachedSql(s);
        _headSql = $"select coalesce(max(global_position), 0) from {s}.events";
    }

    public EventStoreOptions Options => _options;

    /// <summary>Wakes global readers after a caller's transaction that appended with notifyWithTransaction false has committed.</summary>
    public void SignalAppended() => _notifier.Signal();

    public NpgsqlDataSource DataSource => _dataSource;

    public IReadOnlyList<Projection> InlineProjections => _inlineProjections;

    /// <summary>Appends in its own transaction (one round trip). Readers are woken by NOTIFY when it commits.</summary>
    public async Task<AppendResult> AppendAsync(
        string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default)
    {
        AppendResult result;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            if (_inlineProjections.Count == 0)
            {
                result = await AppendAsync(connection, null, streamId, streamType, expected, events, cancellationToken);
            }
            else
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                result = await AppendAsync(connection, transaction, streamId, streamType, expected, events, cancellationToken, notifyWithTransaction: false);
                await transaction.CommitAsync(cancellationToken);
            }
        }

        _notifier.Signal();
        return result;
    }

    /// <summary>
    /// Appends on the caller's connection and, if given, inside the caller's transaction, so that other writes
    /// (an inline projection, an outbox row) commit or roll back with the events.
    /// </summary>
    /// <param name="notifyWithTransaction">
    /// True: NOTIFY goes with the caller's transaction. False: the caller calls <see cref="SignalAppended"/> after
    /// its commit, which keeps the commit out of PostgreSQL's global notify lock (docs/0003).
    /// </param>
    public async Task<AppendResult> AppendAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string streamId,
        string streamType,
        ExpectedVersion expected,
        IReadOnlyList<NewEvent> events,
        CancellationToken cancellationToken = default,
        bool notifyWithTransaction = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(streamType);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        var ids = new Guid[events.Count];
        var types = new string[events.Count];
        var versions = new int[events.Count];
        var data = new string[events.Count];
        var metadata = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var name = _options.Types.NameOf(events[i].Data.GetType());
            ids[i] = events[i].EventId;
            types[i] = name.Name;
            versions[i] = name.SchemaVersion;
            data[i] = _options.Types.Serialize(events[i].Data);
            metadata[i] = MetadataJson.Serialize(events[i].Metadata);
        }

        if (transaction is not null)
        {
            // An error would abort the caller's transaction, so look for a retry before anything else.
            var result = await ExecuteAppendAsync(connection, transaction, streamId, streamType, expected, events, ids, types, versions, data, metadata, checkRetry: true, notify: notifyWithTransaction, cancellationToken);
            if (!result.WasAlreadyStored)
            {
                await ApplyInlineProjectionsAsync(connection, transaction, streamId, result.Events, cancellationToken);
            }

            return result;
        }

        try
        {
            return await ExecuteAppendAsync(connection, null, streamId, streamType, expected, events, ids, types, versions, data, metadata, checkRetry: false, notify: false, cancellationToken);
        }
        catch (Exception e) when (e is WrongExpectedVersionException
                                      || (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.ConstraintName == "events_event_id_unique"))
        {
            // What a client retry runs into: its expected version is stale because its own first attempt
            // committed, or (with ExpectedVersion.Any) its event ids are taken. Ask again, this time comparing the
            // ids with what is stored: the original result, an EventIdConflictException, or the same
            // concurrency error again when it was a genuine conflict.
            return await ExecuteAppendAsync(connection, null, streamId, streamType, expected, events, ids, types, versions, data, metadata, checkRetry: true, notify: false, cancellationToken);
        }
    }

    private async Task<AppendResult> ExecuteAppendAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string streamId,
        string streamType,
        ExpectedVersion expected,
        IReadOnlyList<NewEvent> events,
        Guid[] ids,
        string[] types,
        int[] versions,
        string[] data,
        string[] metadata,
        bool checkRetry,
        bool notify,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_appendSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamType });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = versions });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = metadata, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        // NOTIFY inside the transaction is delivered on commit, but a notifying commit takes PostgreSQL's global
        // notify lock and so serialises all of them (bench append: half the throughput). Unless a caller asks for
        // it, the coalescing notifier sends it after the commit instead (SignalAppended).
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = notify ? _options.NotificationChannel : null, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = checkRetry });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = _clock.GetUtcNow().UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });

        try
        {
            var positions = new List<long>(ids.Length);
            var recorded = new List<RecordedEvent>(ids.Length);
            long lastVersion = 0;
            DateTimeOffset recordedAt = default;
            var replayed = false;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var row = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                var position = reader.GetInt64(1);
                var version = reader.GetInt64(2);
                positions.Add(position);
                lastVersion = Math.Max(lastVersion, version);
                recordedAt = reader.GetFieldValue<DateTimeOffset>(3);
                replayed = reader.GetBoolean(4);
                var sent = events[row];
                recorded.Add(new RecordedEvent(
                    position, ulong.Parse(reader.GetString(5), CultureInfo.InvariantCulture), streamId, version, sent.EventId,
                    types[row], versions[row], sent.Data, sent.Metadata ?? EventMetadata.Empty, recordedAt, Archived: false));
                row++;
            }

            return new AppendResult(streamId, lastVersion, positions, recordedAt, replayed, recorded);
        }
        catch (PostgresException e) when (e.SqlState == "RM409")
        {
            var actual = long.TryParse(e.Hint, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : (long?)null;
            throw new WrongExpectedVersionException(streamId, expected, actual, e);
        }
        catch (PostgresException e) when (e.SqlState == "RM422")
        {
            throw new EventIdConflictException(streamId, Guid.TryParse(e.Hint, out var id) ? id : null, e);
        }
        catch (PostgresException e) when (e.SqlState == "RM410")
        {
            throw new StreamArchivedException(streamId, e);
        }
    }

    private async Task ApplyInlineProjectionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string streamId, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        foreach (var projection in _inlineProjections)
        {
            try
            {
                await projection.ApplyAsync(new ProjectionBatch(events, connection, transaction, _options.Schema, isRebuild: false), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InlineProjectionException(projection.Name, streamId, e);
            }
        }
    }

    /// <summary>Reads a stream forward. Archived streams read as empty unless asked for.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(
        string streamId, ReadStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadStreamAsync(connection, null, streamId, options, cancellationToken);
    }

    /// <summary>The same read on the caller's connection: a decision reads, decides and appends on one connection.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string streamId, ReadStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= ReadStreamOptions.All;
        await using var command = new NpgsqlCommand(_readStreamSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = options.FromVersion });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = options.ToVersion ?? long.MaxValue });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = (options.AsOf ?? DateTimeOffset.MaxValue).UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = options.IncludeArchived });
        return await ReadEventsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Folds a stream with a decider's evolve function: the state as of the last event read. With
    /// <see cref="ReadStreamOptions.ToVersion"/> or <see cref="ReadStreamOptions.AsOf"/> it is the state at that point.
    /// </summary>
    public async Task<AggregateResult<TState>> AggregateStreamAsync<TState>(
        string streamId,
        TState initial,
        Func<TState, object, TState> evolve,
        ReadStreamOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await AggregateStreamAsync(connection, null, streamId, initial, evolve, options, cancellationToken);
    }

    /// <summary>The same fold on the caller's connection and transaction.</summary>
    public async Task<AggregateResult<TState>> AggregateStreamAsync<TState>(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string streamId,
        TState initial,
        Func<TState, object, TState> evolve,
        ReadStreamOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var events = await ReadStreamAsync(connection, transaction, streamId, options, cancellationToken);
        var state = initial;
        foreach (var recorded in events)
        {
            state = evolve(state, recorded.Data);
        }

        return new AggregateResult<TState>(state, events.Count == 0 ? 0 : events[^1].Version, events.Count == 0 ? null : events[^1].RecordedAt);
    }

    /// <summary>The stream's row, or null when it does not exist (archived streams are returned, flagged).</summary>
    public async Task<StreamInfo?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(_streamInfoSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StreamInfo(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetBoolean(5));
    }

    /// <summary>Archives a stream: its events stay stored but reads leave them out unless asked for.</summary>
    public async Task ArchiveStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var stream = new NpgsqlCommand(
            $"update {_options.Schema}.streams set archived = true, updated_at = now() where stream_id = $1", connection, transaction))
        {
            stream.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
            if (await stream.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw new StreamNotFoundException(streamId);
            }
        }

        await using (var events = new NpgsqlCommand(
            $"update {_options.Schema}.events set archived = true where stream_id = $1", connection, transaction))
        {
            events.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
            await events.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<RecordedEvent>> ReadEventsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(ReadEvent(reader));
        }

        return events;
    }

    private RecordedEvent ReadEvent(NpgsqlDataReader reader)
    {
        var position = reader.GetInt64(0);
        var eventType = reader.GetString(5);
        var schemaVersion = reader.GetInt32(6);
        return new RecordedEvent(
            GlobalPosition: position,
            TransactionId: ulong.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
            StreamId: reader.GetString(2),
            Version: reader.GetInt64(3),
            EventId: reader.GetGuid(4),
            EventType: eventType,
            SchemaVersion: schemaVersion,
            Data: _options.Types.Deserialize(eventType, schemaVersion, reader.GetFieldValue<byte[]>(7), position),
            Metadata: MetadataJson.Deserialize(reader.GetString(8)),
            RecordedAt: reader.GetFieldValue<DateTimeOffset>(9),
            Archived: reader.GetBoolean(10));
    }
}

namespace Roadmap.EventStore;

/// <summary>Who and why, stored next to every event. Never put secrets here.</summary>
public sealed record EventMetadata(
    string? Actor = null,
    string? CorrelationId = null,
    string? CausationId = null,
    IReadOnlyDictionary<string, string>? Headers = null)
{
    public static EventMetadata Empty { get; } = new();
}

/// <summary>An event to append. The id is chosen by the caller so that a retried append is recognised.</summary>
public sealed record NewEvent(Guid EventId, object Data, EventMetadata? Metadata = null);

/// <summary>An event as stored, with its data already upcast and deserialized to the current CLR type.</summary>
public sealed record RecordedEvent(
    long GlobalPosition,
    string StreamId,
    long Version,
    Guid EventId,
    string EventType,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt,
    bool Archived)
{
    /// <summary>Where a reader that has handled this event continues: Marten's sequence (<c>mt_events.seq_id</c>).</summary>
    public GlobalCheckpoint Checkpoint => new(GlobalPosition);
}

/// <summary>What an append stored, or, for a retried append, what the original append stored.</summary>
public sealed record AppendResult(
    string StreamId,
    long NextExpectedVersion,
    IReadOnlyList<long> GlobalPositions,
    DateTimeOffset RecordedAt,
    bool WasAlreadyStored,
    IReadOnlyList<RecordedEvent> Events);

/// <summary>A stream's folded state as of its last read event.</summary>
public sealed record AggregateResult<TState>(TState State, long Version, DateTimeOffset? LastRecordedAt);

/// <summary>The stream's row: version and whether it is archived.</summary>
public sealed record StreamInfo(
    string StreamId,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Archived);

/// <summary>How much of a stream to read.</summary>
public sealed record ReadStreamOptions
{
    public static ReadStreamOptions All { get; } = new();

    /// <summary>First version to read (1 = from the start).</summary>
    public long FromVersion { get; init; } = 1;

    /// <summary>Last version to read, inclusive: time travel to a version.</summary>
    public long? ToVersion { get; init; }

    /// <summary>Only events recorded at or before this instant: time travel to a point in time.</summary>
    public DateTimeOffset? AsOf { get; init; }

}

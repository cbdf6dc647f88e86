namespace Roadmap.EventStore;

/// <summary>Base of every error the event store raises on purpose.</summary>
public abstract class EventStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Optimistic concurrency: the stream was not at the version the writer expected.</summary>
public sealed class WrongExpectedVersionException(string streamId, ExpectedVersion expected, long? actual, Exception? inner = null)
    : EventStoreException(
        $"Stream '{streamId}' was expected at version {expected} but is at {(actual is null ? "no stream" : actual.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}.",
        inner)
{
    public string StreamId { get; } = streamId;

    public ExpectedVersion Expected { get; } = expected;

    /// <summary>The stream's version at the time of the check; null when the stream does not exist.</summary>
    public long? Actual { get; } = actual;
}

/// <summary>An event id that is already stored was sent again with other content: never a silent success.</summary>
public sealed class EventIdConflictException(string streamId, Guid? eventId, Exception? inner = null)
    : EventStoreException(
        eventId is null
            ? $"Append to stream '{streamId}' repeats some but not all event ids of an earlier append."
            : $"Event id {eventId} is already stored with other content (another stream, type or data); append to '{streamId}' refused.",
        inner)
{
    public string StreamId { get; } = streamId;

    public Guid? EventId { get; } = eventId;
}

/// <summary>Appends to an archived stream are refused.</summary>
public sealed class StreamArchivedException(string streamId, Exception? inner = null)
    : EventStoreException($"Stream '{streamId}' is archived and takes no more events.", inner)
{
    public string StreamId { get; } = streamId;
}

/// <summary>The stream does not exist.</summary>
public sealed class StreamNotFoundException(string streamId)
    : EventStoreException($"Stream '{streamId}' does not exist.")
{
    public string StreamId { get; } = streamId;
}

/// <summary>A stored event's type name (and schema version) is neither registered nor upcast to one that is.</summary>
public sealed class UnknownEventTypeException(string eventType, int schemaVersion, long? globalPosition = null)
    : EventStoreException(
        $"Unknown event type '{eventType}' (schema version {schemaVersion}){(globalPosition is null ? "" : $" at global position {globalPosition}")}: register it or an upcaster for it in the EventTypeRegistry.")
{
    public string EventType { get; } = eventType;

    public int SchemaVersion { get; } = schemaVersion;
}

/// <summary>A CLR type was appended that has no stable name in the registry.</summary>
public sealed class UnregisteredEventClassException(Type type)
    : EventStoreException($"Event class '{type.FullName}' has no stable name: register it in the EventTypeRegistry before appending it.")
{
    public Type EventClass { get; } = type;
}

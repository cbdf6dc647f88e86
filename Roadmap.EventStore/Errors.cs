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

/// <summary>A CLR type was appended that has no stable name in the registry.</summary>
public sealed class UnregisteredEventClassException(Type type)
    : EventStoreException($"Event class '{type.FullName}' has no stable name: register it in the EventTypeRegistry before appending it.")
{
    public Type EventClass { get; } = type;
}

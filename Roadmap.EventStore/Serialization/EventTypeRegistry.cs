using System.Text.Json;
using System.Text.Json.Nodes;

namespace Roadmap.EventStore.Serialization;

/// <summary>
/// The explicit map between stable event names (with a schema version) and CLR records. Stored events carry the
/// name, never a CLR or assembly name, so a class can be renamed or moved freely. Old names and shapes are read
/// through upcasters registered here, next to the events they concern.
/// </summary>
public sealed class EventTypeRegistry
{
    private const int MaxUpcastSteps = 32;

    private readonly Dictionary<Type, EventTypeName> _namesByClass = [];
    private readonly Dictionary<EventTypeName, Type> _classesByName = [];
    private readonly Dictionary<EventTypeName, Upcaster> _upcasters = [];

    public EventTypeRegistry(JsonSerializerOptions? jsonOptions = null)
    {
        JsonOptions = jsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
    }

    public JsonSerializerOptions JsonOptions { get; }

    public IEnumerable<EventTypeName> RegisteredNames => _classesByName.Keys;

    /// <summary>Registers <typeparamref name="TEvent"/> as the current shape of <paramref name="name"/>.</summary>
    public EventTypeRegistry Register<TEvent>(string name, int schemaVersion = 1) where TEvent : class =>
        Register(typeof(TEvent), name, schemaVersion);

    public EventTypeRegistry Register(Type eventClass, string name, int schemaVersion = 1)
    {
        var typeName = new EventTypeName(name, schemaVersion);
        if (_namesByClass.TryGetValue(eventClass, out var existing))
        {
            throw new InvalidOperationException($"{eventClass.Name} is already registered as {existing}.");
        }

        if (_classesByName.TryGetValue(typeName, out var other))
        {
            throw new InvalidOperationException($"{typeName} is already registered for {other.Name}.");
        }

        if (_upcasters.ContainsKey(typeName))
        {
            throw new InvalidOperationException($"{typeName} already has an upcaster; a name is either current or upcast, not both.");
        }

        _namesByClass.Add(eventClass, typeName);
        _classesByName.Add(typeName, eventClass);
        return this;
    }

    /// <summary>
    /// Reads events stored as <paramref name="fromName"/> v<paramref name="fromVersion"/> as
    /// <paramref name="toName"/> v<paramref name="toVersion"/>, transforming the JSON on the way. Chains are allowed.
    /// </summary>
    public EventTypeRegistry Upcast(
        string fromName, int fromVersion, string toName, int toVersion, Func<JsonObject, JsonObject>? transform = null)
    {
        var from = new EventTypeName(fromName, fromVersion);
        if (_classesByName.ContainsKey(from))
        {
            throw new InvalidOperationException($"{from} is registered as a current event; it cannot also be upcast.");
        }

        if (!_upcasters.TryAdd(from, new Upcaster(new EventTypeName(toName, toVersion), transform ?? (json => json))))
        {
            throw new InvalidOperationException($"{from} already has an upcaster.");
        }

        return this;
    }

    public EventTypeName NameOf(Type eventClass) =>
        _namesByClass.TryGetValue(eventClass, out var name) ? name : throw new UnregisteredEventClassException(eventClass);

    public bool IsRegistered(Type eventClass) => _namesByClass.ContainsKey(eventClass);

    public string Serialize(object data) => JsonSerializer.Serialize(data, data.GetType(), JsonOptions);

    /// <summary>Upcasts the stored JSON as far as needed and deserializes it to the registered class.</summary>
    public object Deserialize(string eventType, int schemaVersion, string json, long? globalPosition = null) =>
        Deserialize(eventType, schemaVersion, System.Text.Encoding.UTF8.GetBytes(json), globalPosition);

    /// <summary>The same from the stored UTF-8 bytes, as the store reads them (no string, no transcoding).</summary>
    public object Deserialize(string eventType, int schemaVersion, ReadOnlySpan<byte> utf8Json, long? globalPosition = null)
    {
        var name = new EventTypeName(eventType, schemaVersion);
        if (_classesByName.TryGetValue(name, out var current))
        {
            return JsonSerializer.Deserialize(utf8Json, current, JsonOptions)
                ?? throw new JsonException($"Event {name} at position {globalPosition} deserialized to null.");
        }

        var json = System.Text.Encoding.UTF8.GetString(utf8Json);

        var node = JsonNode.Parse(json) as JsonObject
            ?? throw new JsonException($"Event {name} at position {globalPosition} is not a JSON object.");
        for (var step = 0; step < MaxUpcastSteps; step++)
        {
            if (!_upcasters.TryGetValue(name, out var upcaster))
            {
                throw new UnknownEventTypeException(eventType, schemaVersion, globalPosition);
            }

            node = upcaster.Transform(node);
            name = upcaster.To;
            if (_classesByName.TryGetValue(name, out current))
            {
                return node.Deserialize(current, JsonOptions)
                    ?? throw new JsonException($"Event {name} at position {globalPosition} deserialized to null.");
            }
        }

        throw new InvalidOperationException($"Upcasting {eventType} v{schemaVersion} did not reach a registered event in {MaxUpcastSteps} steps; is there a cycle?");
    }

    private sealed record Upcaster(EventTypeName To, Func<JsonObject, JsonObject> Transform);
}

/// <summary>A stable event name with its schema version, e.g. procedure.introduced v1.</summary>
public readonly record struct EventTypeName(string Name, int SchemaVersion)
{
    public override string ToString() => $"{Name} v{SchemaVersion}";
}

namespace Roadmap.EventStore.Serialization;

/// <summary>
/// The explicit map between stable event names and CLR records, handed to Marten (<c>MapEventType</c>), so that a
/// stored event carries its name, never a CLR or assembly name, and a class can be renamed or moved freely. A
/// changed shape gets a new name (<c>procedure.renamed.v2</c>) and the old one an upcaster in Marten's
/// configuration (<c>Events.Upcast</c>, see <see cref="RoadmapMarten"/>).
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, string> _namesByClass = [];
    private readonly Dictionary<string, Type> _classesByName = new(StringComparer.Ordinal);

    public IEnumerable<(Type Type, string Name)> Names => _namesByClass.Select(p => (p.Key, p.Value));

    /// <summary>Registers <typeparamref name="TEvent"/> under <paramref name="name"/>.</summary>
    public EventTypeRegistry Register<TEvent>(string name) where TEvent : class => Register(typeof(TEvent), name);

    public EventTypeRegistry Register(Type eventClass, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_namesByClass.TryGetValue(eventClass, out var existing))
        {
            throw new InvalidOperationException($"{eventClass.Name} is already registered as {existing}.");
        }

        if (_classesByName.TryGetValue(name, out var other))
        {
            throw new InvalidOperationException($"{name} is already registered for {other.Name}.");
        }

        _namesByClass.Add(eventClass, name);
        _classesByName.Add(name, eventClass);
        return this;
    }

    public string NameOf(Type eventClass) =>
        _namesByClass.TryGetValue(eventClass, out var name) ? name : throw new UnregisteredEventClassException(eventClass);

    public bool IsRegistered(Type eventClass) => _namesByClass.ContainsKey(eventClass);
}

using System.Text.RegularExpressions;
using Roadmap.EventStore.Serialization;

namespace Roadmap.EventStore;

/// <summary>Where the event store lives and how it names and serializes events.</summary>
public sealed partial class EventStoreOptions
{
    public EventStoreOptions(string schema, EventTypeRegistry types)
    {
        if (!SchemaNamePattern().IsMatch(schema))
        {
            throw new ArgumentException(
                $"Schema name '{schema}' is not allowed: use lower-case letters, digits and '_' (at most 63, starting with a letter or '_').",
                nameof(schema));
        }

        Schema = schema;
        Types = types;
    }

    public string Schema { get; }

    public EventTypeRegistry Types { get; }

    /// <summary>The LISTEN/NOTIFY channel that appends signal; one per schema.</summary>
    public string NotificationChannel => $"{Schema}_events";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaNamePattern();
}

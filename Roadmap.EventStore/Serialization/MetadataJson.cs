using System.Text.Json;

namespace Roadmap.EventStore.Serialization;

/// <summary>The metadata column's JSON shape: camelCase, nulls left out.</summary>
internal static class MetadataJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(EventMetadata? metadata) => JsonSerializer.Serialize(metadata ?? EventMetadata.Empty, Options);

    public static EventMetadata Deserialize(string json) =>
        JsonSerializer.Deserialize<EventMetadata>(json, Options) ?? EventMetadata.Empty;
}

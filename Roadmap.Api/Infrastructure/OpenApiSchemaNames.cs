using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Names of the OpenAPI schemas. Every slice calls its body <c>Request</c> (nested in the slice class); by default
/// they would all share one schema id, and every POST would show the first slice's fields. A nested
/// <c>Request</c> is named after its slice instead: <c>RegisterVendorRequest</c>, <c>AnnounceDeprecationRequest</c>.
/// </summary>
public static class OpenApiSchemaNames
{
    public static void Configure(OpenApiOptions options) => options.CreateSchemaReferenceId = For;

    public static string? For(JsonTypeInfo typeInfo)
    {
        var name = OpenApiOptions.CreateDefaultSchemaReferenceId(typeInfo);
        return name is not null && typeInfo.Type is { IsNested: true, Name: "Request", DeclaringType: { } slice } ? slice.Name + name : name;
    }
}

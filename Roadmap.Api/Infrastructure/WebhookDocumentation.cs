using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Roadmap.Api.Deadlines;
using Roadmap.Api.Integrations;
using Roadmap.Api.Integrations.Webhooks;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// The webhook deliveries in the OpenAPI document's <c>webhooks</c> section (OpenAPI 3.1, issue 14): per event type
/// the POST a receiver gets, a CloudEvent in structured mode with that type's data schema, the Standard Webhooks
/// headers and how to verify the signature; and the event types as one enum that subscriptions, feeds and streams
/// share.
/// </summary>
public static class WebhookDocumentation
{
    public const string EventTypeSchema = "IntegrationEventType";

    public static async Task AddAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.AddComponent<IOpenApiSchema>(EventTypeSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The CloudEvent types integrations subscribe to (subscriptions' `eventTypes`, the feeds' and streams' `type`).",
            Enum = IntegrationEventTypes.All.Select(t => (JsonNode)JsonValue.Create(t)!).ToList(),
        });

        // One enum wherever a type is named: the feeds' and streams' ?type=, the subscriptions' eventTypes.
        foreach (var (path, item) in document.Paths.Where(p => p.Key.StartsWith("/feeds", StringComparison.Ordinal)))
        {
            foreach (var parameter in (item.Operations ?? []).Values.SelectMany(o => o.Parameters ?? []).OfType<OpenApiParameter>()
                         .Where(p => p.Name == "type" && p.In == ParameterLocation.Query))
            {
                parameter.Schema = new OpenApiSchemaReference(EventTypeSchema, document);
                parameter.Description ??= "Only events of this type.";
            }
        }

        foreach (var schema in (document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>()).Values.OfType<OpenApiSchema>())
        {
            if (schema.Properties?.TryGetValue("eventTypes", out var eventTypes) == true && eventTypes is OpenApiSchema { Items: not null } list)
            {
                list.Items = new OpenApiSchemaReference(EventTypeSchema, document);
            }
        }

        var deprecation = await DataSchemaAsync(document, context, typeof(DeprecationData), "DeprecationData", cancellationToken);
        var deadline = await DataSchemaAsync(document, context, typeof(DeadlineAlertData), "DeadlineAlertData", cancellationToken);
        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        foreach (var type in IntegrationEventTypes.All)
        {
            var data = IntegrationEventTypes.Deprecations.Contains(type) ? deprecation : deadline;
            document.Webhooks[Name(type)] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Post] = Delivery(type, data, document),
                },
            };
        }
    }

    private static async Task<IOpenApiSchema> DataSchemaAsync(
        OpenApiDocument document, OpenApiDocumentTransformerContext context, Type type, string name, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        document.AddComponent(name, schema);
        return new OpenApiSchemaReference(name, document);
    }

    /// <summary>"de.roadmap.release.deprecation-announced.v1" -> "deprecationAnnounced".</summary>
    private static string Name(string type)
    {
        var words = type.Split('.')[^2].Split('-');
        return words[0] + string.Concat(words[1..].Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }

    private static OpenApiOperation Delivery(string type, IOpenApiSchema data, OpenApiDocument document) => new()
    {
        OperationId = $"receive{char.ToUpperInvariant(Name(type)[0])}{Name(type)[1..]}",
        Summary = $"A `{type}` event, delivered to a subscription's target URL.",
        Description =
            "Sent in order per subscription, at least once: a delivery that is not answered with a 2xx within the attempt timeout is " +
            "retried with the same `webhook-id`, with growing back-off, until it becomes a dead letter. Verify it as Standard Webhooks " +
            "describe: HMAC-SHA256 with the subscription's secret (base64 after `whsec_`) over `{webhook-id}.{webhook-timestamp}.{body}`, " +
            "base64, compared with each `v1,` signature in `webhook-signature` (two during a secret rotation's grace period); refuse " +
            "timestamps more than five minutes off. The body's `id` equals `webhook-id` and the event's id on the feeds and streams.",
        Tags = new HashSet<OpenApiTagReference> { new("Webhooks", document) },
        Parameters =
        [
            Header(WebhookSignature.IdHeader, "The delivery's id: the CloudEvent's id, the same on every retry."),
            Header(WebhookSignature.TimestampHeader, "Unix seconds when this attempt was signed."),
            Header(WebhookSignature.SignatureHeader, "Space-separated `v1,<base64 HMAC-SHA256>` signatures."),
        ],
        RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [IntegrationEventTypes.ContentType] = new() { Schema = CloudEvent(type, data) },
            },
        },
        Responses = new OpenApiResponses
        {
            ["2XX"] = new OpenApiResponse { Description = "Received: the delivery is done." },
            ["default"] = new OpenApiResponse { Description = "Any other answer, or none within the timeout: the delivery is tried again later." },
        },
    };

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiSchema CloudEvent(string type, IOpenApiSchema data) => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A CloudEvents 1.0 event in structured mode.",
        Required = new HashSet<string> { "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["specversion"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = "1.0" },
            ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", Description = "The stored event's id; equals `webhook-id`." },
            ["source"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type },
            ["subject"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What the event is about (a release, a procedure)." },
            ["time"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the event was recorded." },
            ["datacontenttype"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = "application/json" },
            ["data"] = data,
        },
    };
}

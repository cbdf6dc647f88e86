using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Makes the OpenAPI document say what every endpoint can answer: the problem responses our conventions produce
/// (validation, unknown resource, broken rule, stale If-Match, oversized body, reused Idempotency-Key) and an
/// example body for each request that declares a static <c>Example</c>.
/// </summary>
public static class OpenApiConventions
{
    private static readonly JsonSerializerOptions ExampleJson = CreateExampleJson();

    public static void Configure(OpenApiOptions options)
    {
        OpenApiSchemaNames.Configure(options);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            // The edge's own converters (InputDateConverter, InputDecimalConverter) hide the built-in schema; say it again.
            var type = context.JsonTypeInfo.Type;
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (underlying == typeof(DateOnly) || underlying == typeof(decimal))
            {
                var kind = underlying == typeof(DateOnly) ? JsonSchemaType.String : JsonSchemaType.Number;
                schema.Type = underlying == type ? kind : kind | JsonSchemaType.Null;
                schema.Format = underlying == typeof(DateOnly) ? "date" : "double";
            }

            // One form for a nullable enum (issue 14): the property says "or null" (oneOf with null); the enum's own
            // component lists its values only, else a null matches both branches and oneOf refuses it.
            if (underlying.IsEnum && schema.Enum is { Count: > 0 } values)
            {
                schema.Enum = values.Where(v => v is not null && v.GetValueKind() != JsonValueKind.Null).ToList();
                schema.Type = JsonSchemaType.String;
            }

            // A vendor's date may be "tba" (to be announced) where the API takes or shows one.
            if (context.JsonPropertyInfo?.Name is "endOfSecuritySupport" or "endOfLife" or "end_of_security_support" or "end_of_life"
                && schema.Type?.HasFlag(JsonSchemaType.String) == true && schema.Format is null)
            {
                schema.Pattern = @"^(\d{4}-\d{2}-\d{2}|tba)$";
                schema.Description ??= "A date (yyyy-MM-dd), or `tba` while the vendor has not announced it.";
            }

            // Every problem carries our extension members; the framework's component forbade any.
            if (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(underlying))
            {
                schema.AdditionalPropertiesAllowed = true;
                schema.AdditionalProperties = null;
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                foreach (var (name, member) in ProblemExtensions())
                {
                    schema.Properties.TryAdd(name, member);
                }
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var body = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type;
            if (body?.GetProperty("Example", BindingFlags.Public | BindingFlags.Static) is { } property
                && property.PropertyType == body
                && property.GetValue(null) is { } example
                && operation.RequestBody?.Content is { } content
                && content.TryGetValue("application/json", out var media))
            {
                media.Example = JsonSerializer.SerializeToNode(example, body, ExampleJson);
            }

            var relative = context.Description.RelativePath ?? "";
            // Every operation describes itself: the summary, and who may call it.
            if (string.IsNullOrWhiteSpace(operation.Description))
            {
                operation.Description = operation.Summary;
            }

            // A stable operationId for SDK method names: the slice's name (IntroduceProcedure -> introduceProcedure), or the
            // handler's (ListAsync in ProjectionEndpoints -> listProjections); made unique by the document transformer.
            operation.OperationId ??= OperationId(context.Description);

            var method = context.Description.HttpMethod ?? "GET";
            var hasRouteId = context.Description.ParameterDescriptions.Any(p => p.Source.Id == "Path");
            operation.Responses ??= [];
            if (method == "POST")
            {
                Add(operation, "400",
                    "The body is unreadable (malformed JSON, a wrong type, a string for a number, an unknown field or enum value) or a field is invalid " +
                    "(a date outside 1990-01-01 to 2100-12-31, an amount of 0 or less, above 10 billion euro or with fractions of a cent, a null list entry, " +
                    "a control character or more than 4,000 characters in a text); `errors` lists each field.");
                Add(operation, "409", "The decision breaks a domain rule; `type` names the rule (e.g. `/problems/award-after-cancellation`) and `detail` explains it.");
                Add(operation, "412", "`If-Match` names a version that is no longer current (`/problems/version-stale`): read the resource again.");
                Add(operation, "413", "The body is larger than 256 KiB.");
                Add(operation, "422", "The `Idempotency-Key` was used for another request, or the body refers to something that does not exist (e.g. `/problems/release-unknown`).");
            }

            if (hasRouteId)
            {
                Add(operation, "404", "No such resource (e.g. `/problems/procedure-unknown`).");
            }

            Headers(operation, method, relative, hasRouteId);

            Add(operation, "503", "The database is not reachable just now (`/problems/database-unavailable`); nothing was stored. Retry after `Retry-After` seconds.");
            AddHeader(operation, "503", "Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer);

            // Who may call it (issue 13): the key's header as the security requirement, the roles as `x-roles`.
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (!metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
            {
                var policies = metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
                var roles = Access.Roles.All
                    .Where(role => policies.Count == 0 || policies.All(p => Access.Access.Policies[p].Roles.Contains(role)))
                    .ToList();
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
                ];
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Description = $"{operation.Description?.TrimEnd()} Roles: {string.Join(", ", roles)}.".Trim();
                operation.Extensions["x-roles"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray(roles.Select(r => (System.Text.Json.Nodes.JsonNode?)r).ToArray()));
                Add(operation, "401", "No API key, or an unknown or revoked one (`/problems/unauthenticated`).");
                Add(operation, "429", "Too many requests for this key (`/problems/rate-limited`); retry after `Retry-After` seconds.");
                AddHeader(operation, "429", "Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer);
                Add(operation, "403", "The key's role may not call this operation (`/problems/forbidden`), or its scope does not cover the municipality (`/problems/out-of-scope`).");
            }

            return Task.CompletedTask;
        });
        options.AddDocumentTransformer(async (document, context, cancellationToken) =>
        {
            UniqueOperationIds(document);
            await WebhookDocumentation.AddAsync(document, context, cancellationToken);
            document.Info.Title = "Roadmap API";
            document.Info.Description =
                "Records every lifecycle event of the county's specialised procedures (introduction, vendor deprecation, procurement " +
                "decisions, replacement) and derives each municipality's replacement roadmap and procurement timeline. Decisions are " +
                "POSTs (problem details on refusal, `If-Match` and `Idempotency-Key` honoured); reads are JSON, CSV, iCalendar and " +
                "printable German pages; integrations subscribe to CloudEvents by webhook, feed or Server-Sent Events.";
            document.Info.Contact = new OpenApiContact { Name = "Roadmap team, county IT company", Email = "roadmap@landkreis-landsberg.example" };
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }

            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = Access.ApiKeyAuthentication.Header,
                Description = "An API key (`./roadmap keys create --role ...`); its role and scope decide what it may do. A link token " +
                    "(role `link`) goes in `?token=` instead and opens one municipality's page and calendar only.",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An OpenID Connect access token of the county's identity provider, when `Roadmap:Auth:Oidc:Authority` is " +
                    "configured; the claims named by `Roadmap:Auth:Oidc` carry the role and the scope.",
            };
        });
    }

    private static string OperationId(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription description)
    {
        var handler = description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault();
        string name;
        if (handler?.DeclaringType is { } type && !type.Name.StartsWith('<'))
        {
            var owner = type.Name.Replace("Endpoints", "", StringComparison.Ordinal).Replace("Reads", "", StringComparison.Ordinal);
            var verb = handler.Name.Replace("Async", "", StringComparison.Ordinal);
            name = verb switch
            {
                "Handle" or "" => owner,
                "List" => $"list {Plural(owner)}",
                "History" => $"get {owner} history",
                "Attempts" => $"list {owner} deliveries",
                "DeadLetters" => $"list {owner} dead letters",
                "One" => $"redeliver dead letter",
                "All" => $"redeliver all dead letters",
                _ when verb.StartsWith('<') => $"{description.HttpMethod?.ToLowerInvariant()} {owner}",
                _ => $"{verb} {owner}",
            };
        }
        else
        {
            name = $"{description.HttpMethod?.ToLowerInvariant()} {description.RelativePath}";
        }

        return CamelCase(name);
    }

    private static string Plural(string noun) =>
        noun.EndsWith('y') && noun.Length > 1 && !"aeiou".Contains(noun[^2]) ? $"{noun[..^1]}ies" : noun.EndsWith('s') ? noun : $"{noun}s";

    /// <summary>"get municipalities/{ags}/roadmap.csv" -> "getMunicipalitiesAgsRoadmapCsv"; "list Projections" -> "listProjections".</summary>
    private static string CamelCase(string text)
    {
        var words = System.Text.RegularExpressions.Regex.Split(text, "[^A-Za-z0-9]+").Where(w => w.Length > 0).ToList();
        var joined = string.Concat(words.Select((w, i) => i == 0 ? char.ToLowerInvariant(w[0]) + w[1..] : char.ToUpperInvariant(w[0]) + w[1..]));
        return joined.Length == 0 ? "operation" : joined;
    }

    /// <summary>Two handlers of one name (a GET and a POST of one slice): the later ones get their method and path.</summary>
    private static void UniqueOperationIds(OpenApiDocument document)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var id = operation.OperationId ?? CamelCase($"{method.ToString().ToLowerInvariant()} {path}");
                if (!seen.Add(id))
                {
                    id = CamelCase($"{method.ToString().ToLowerInvariant()} {path}");
                    seen.Add(id);
                }

                operation.OperationId = id;
            }
        }
    }

    public const string ApiKeyScheme = "apiKey";

    public const string BearerScheme = "bearer";

    /// <summary>The request and answer headers of our conventions (issue 14): correlation, idempotency, versions, paging.</summary>
    private static void Headers(OpenApiOperation operation, string method, string relative, bool hasRouteId)
    {
        operation.Parameters ??= [];
        Parameter(operation, "X-Correlation-Id", "Ties the request to a business process: stored with every event it causes and in every log line; at most 200 characters (else the request id is used).");
        var decision = method == "POST" && !relative.StartsWith("admin", StringComparison.Ordinal);
        if (decision)
        {
            Parameter(operation, "Idempotency-Key", "Makes a retry safe: the same key with the same body answers the stored answer (`Idempotent-Replayed: true`) and stores nothing again; at most 200 characters.");
            Parameter(operation, "If-Match", "The version (ETag, e.g. `\"3\"`) the decision was made on: a stream that moved on answers 412.");
            foreach (var status in new[] { "200", "201" })
            {
                AddHeader(operation, status, "ETag", "The stream's version after the decision.", JsonSchemaType.String);
                AddHeader(operation, status, "Idempotent-Replayed", "`true` when this is the stored answer of an earlier request with the same Idempotency-Key.", JsonSchemaType.String);
            }

            AddHeader(operation, "201", "Location", "The new resource.", JsonSchemaType.String);
        }

        if (method == "GET" && hasRouteId && AnswersJson(operation) && !relative.EndsWith("/stream", StringComparison.Ordinal))
        {
            AddHeader(operation, "200", "ETag", "The version the answer shows (the stream's, or the read model's input version for a roadmap).", JsonSchemaType.String);
        }

        if (relative.EndsWith("/roadmap", StringComparison.Ordinal) && relative.StartsWith("municipalities", StringComparison.Ordinal))
        {
            Parameter(operation, "If-None-Match", "The ETag of a roadmap read before: 304 without a body while it is the same.");
            operation.Responses!.TryAdd("304", new OpenApiResponse { Description = "Not modified: the roadmap is as the ETag in If-None-Match." });
        }

        if (relative.StartsWith("feeds", StringComparison.Ordinal) && !relative.EndsWith("/stream", StringComparison.Ordinal))
        {
            AddHeader(operation, "200", "Link", "`<...>; rel=\"next\"`: the URL that continues the feed after this page.", JsonSchemaType.String);
        }
    }

    private static void Parameter(OpenApiOperation operation, string name, string description)
    {
        if (operation.Parameters!.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.In == ParameterLocation.Header))
        {
            return;
        }

        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
        });
    }

    private static void AddHeader(OpenApiOperation operation, string status, string name, string description, JsonSchemaType type)
    {
        if (operation.Responses?.TryGetValue(status, out var response) != true || response is not OpenApiResponse answer)
        {
            return;
        }

        answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
        answer.Headers.TryAdd(name, new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } });
    }

    private static void Add(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = ProblemSchema() },
            },
        };
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The rule or error, e.g. /problems/version-stale." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A sentence a project manager understands." },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The domain rule's code, for 409." },
            ["field"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The request field at fault, if one is." },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["traceId"] = ProblemExtensions()["traceId"],
            ["errors"] = ProblemExtensions()["errors"],
        },
    };

    /// <summary>The members our problems add to RFC 9457's (further ones, e.g. a stale version's, are allowed).</summary>
    private static Dictionary<string, IOpenApiSchema> ProblemExtensions() => new()
    {
        ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The W3C trace id of the request, for the operator's log." },
        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The domain rule's code, for 409." },
        ["field"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The request field at fault, if one is." },
        ["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "For 400: per field (as the client wrote it), what is wrong with it.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        },
    };

    /// <summary>Whether the operation's 200 is JSON (files and pages declare their own content type where they are mapped).</summary>
    private static bool AnswersJson(OpenApiOperation operation) =>
        operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.ContainsKey("application/json") == true;

    private static JsonSerializerOptions CreateExampleJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}

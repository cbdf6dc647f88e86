using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Roadmap.Api.Tests.Roadmaps;

namespace Roadmap.Api.Tests;

/// <summary>
/// Issue 14 point 7: the answers of every GET operation, and of every POST sent with its documented example, are
/// validated against the schema the OpenAPI document gives for their status and content type, by JsonSchema.Net
/// (draft 2020-12, as OpenAPI 3.1 has it), not by the service's own serializer. A status the document does not list,
/// or an answer its schema refuses, fails the test.
/// </summary>
public sealed class OpenApiResponseValidationTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task Real_answers_of_every_operation_match_their_documented_schemas()
    {
        var driver = new RoadmapDriver(factory);
        var client = driver.Client;
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var release = await driver.ReleaseAsync("2027-06-30");
        var procedure = await driver.ProcedureAsync(ags, release);
        var procurement = await driver.OpenCaseAsync("Gewerbeverfahren", (ags, procedure));
        await driver.CatchUpAsync();

        var text = await client.GetStringAsync("/openapi/v1.json");
        var document = JsonNode.Parse(text)!;
        var values = new Dictionary<string, string>
        {
            ["ags"] = ags,
            ["countyAgs"] = $"{ags[..5]}000",
            ["id"] = procedure.ToString(),
            ["procedureId"] = procedure.ToString(),
            ["procurementId"] = procurement.ToString(),
            ["releaseId"] = release.ToString(),
            ["name"] = "roadmap",
        };

        var failures = new List<string>();
        var checkedAnswers = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operationNode) in item!.AsObject())
            {
                if (method is not ("get" or "post") || path.EndsWith("/stream", StringComparison.Ordinal) || path.StartsWith("/admin", StringComparison.Ordinal))
                {
                    continue; // streams never end; admin operations stop and rebuild what the other checks read
                }

                var operation = operationNode!.AsObject();
                var url = Fill(path, operation, values, procurement);
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
                if (method == "post")
                {
                    var example = operation["requestBody"]?["content"]?["application/json"]?["example"];
                    request.Content = example is null ? null : JsonContent.Create(example);
                }

                using var response = await client.SendAsync(request);
                var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var documented = operation["responses"]?[status];
                if (documented is null)
                {
                    failures.Add($"{method.ToUpperInvariant()} {url}: {status} is not documented");
                    continue;
                }

                var contentType = response.Content.Headers.ContentType?.MediaType;
                var body = await response.Content.ReadAsStringAsync();
                if (body.Length == 0 || contentType is null)
                {
                    continue;
                }

                var media = documented["content"]?[contentType];
                if (media is null)
                {
                    failures.Add($"{method.ToUpperInvariant()} {url}: {status} answers {contentType}, the document says {string.Join(", ", documented["content"]?.AsObject().Select(c => c.Key) ?? [])}");
                    continue;
                }

                if (media["schema"] is not { } schema || !contentType.EndsWith("json", StringComparison.Ordinal))
                {
                    continue;
                }

                checkedAnswers++;
                var results = Schema(document, schema).Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
                if (!results.IsValid)
                {
                    var errors = results.Details?.Where(d => d.Errors is { Count: > 0 })
                        .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
                        .Take(3) ?? [];
                    failures.Add($"{method.ToUpperInvariant()} {url}: {status} does not match its schema: {string.Join("; ", errors)}");
                }
            }
        }

        Assert.True(checkedAnswers >= 40, $"only {checkedAnswers} answers were checked");
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedAnswers} answers differ from the document:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task CloudEvents_on_the_feed_match_the_documented_webhook_body_of_their_type()
    {
        var driver = new RoadmapDriver(factory);
        var client = driver.Client;
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var release = await driver.ReleaseAsync("2029-06-30");
        await driver.ProcedureAsync(ags, release);
        await driver.OkAsync(await client.PostAsJsonAsync($"/catalogue/releases/{release}/deprecations",
            new { noticeId = "HN-2026-17", announcedOn = "2026-10-01", source = "Herstellerschreiben", endOfSecuritySupport = "2028-12-31", endOfLife = "tba" }));
        await driver.OkAsync(await client.PostAsJsonAsync($"/catalogue/releases/{release}/end-of-support",
            new { reason = "Herstellerankündigung", endOfSecuritySupport = "2028-06-30" }));

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var feed = await client.GetFromJsonAsync<JsonElement>($"/feeds/deprecations?municipality={ags}&wait=10");
        var events = feed.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(2, events.Count);
        foreach (var cloudEvent in events)
        {
            var type = cloudEvent.GetProperty("type").GetString()!;
            var webhook = document["webhooks"]!.AsObject().Select(w => w.Value!["post"]!)
                .Single(o => o["requestBody"]!["content"]!["application/cloudevents+json"]!["schema"]!["properties"]!["type"]!["const"]!.GetValue<string>() == type);
            var schema = webhook["requestBody"]!["content"]!["application/cloudevents+json"]!["schema"]!;
            var results = Schema(document, schema).Evaluate(cloudEvent, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(results.IsValid, $"{type}: {string.Join("; ", results.Details?.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")) ?? [])}");
        }
    }

    /// <summary>The path with its parameters filled from real resources; <c>{id}</c> after /procurements is the case.</summary>
    private static string Fill(string path, JsonObject operation, Dictionary<string, string> values, Guid procurement)
    {
        var url = path;
        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
        {
            if (parameter?["in"]?.GetValue<string>() != "path")
            {
                continue;
            }

            var name = parameter["name"]!.GetValue<string>();
            var value = name == "id" && path.StartsWith("/procurements", StringComparison.Ordinal) ? procurement.ToString()
                : values.GetValueOrDefault(name, Guid.Empty.ToString());
            url = url.Replace($"{{{name}}}", value, StringComparison.Ordinal);
        }

        return url;
    }

    /// <summary>
    /// A 2020-12 schema for one answer: its schema from the document, with the document's components as <c>$defs</c>
    /// (references rewritten to them).
    /// </summary>
    private static JsonSchema Schema(JsonNode document, JsonNode schema)
    {
        var definitions = document["components"]?["schemas"]?.ToJsonString() ?? "{}";
        var text = $$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{{definitions}},"allOf":[{{schema.ToJsonString()}}]}""";
        return JsonSchema.FromText(text.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests;

public sealed class OpenApiDocumentTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task Every_decision_lists_its_problem_responses_and_shows_an_example_body()
    {
        var document = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var posts = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Value.TryGetProperty("post", out _) && !p.Name.StartsWith("/admin", StringComparison.Ordinal))
            .ToList();

        Assert.True(posts.Count >= 20, $"only {posts.Count} POST operations documented");
        Assert.All(posts, path =>
        {
            var post = path.Value.GetProperty("post");
            var responses = post.GetProperty("responses");
            foreach (var status in new[] { "400", "409", "412", "413", "422" })
            {
                Assert.True(responses.TryGetProperty(status, out var response), $"POST {path.Name} does not document {status}");
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"POST {path.Name} {status} is not a problem");
            }

            if (path.Name.Contains('{', StringComparison.Ordinal))
            {
                Assert.True(responses.TryGetProperty("404", out _), $"POST {path.Name} does not document 404");
            }

            Assert.True(post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out var example),
                $"POST {path.Name} has no example body");
            Assert.Equal(JsonValueKind.Object, example.ValueKind);
            Assert.False(string.IsNullOrWhiteSpace(post.GetProperty("summary").GetString()), $"POST {path.Name} has no summary");
        });
    }

    [Fact]
    public async Task The_example_of_a_registration_is_a_valid_request()
    {
        var client = factory.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var example = document.GetProperty("paths").GetProperty("/municipalities").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

        var response = await client.PostAsJsonAsync("/municipalities", example);

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Every_operation_has_a_unique_camel_case_operation_id_a_summary_a_description_and_its_headers()
    {
        var document = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.False(string.IsNullOrWhiteSpace(document.GetProperty("info").GetProperty("description").GetString()));
        Assert.True(document.GetProperty("info").GetProperty("contact").TryGetProperty("email", out _));
        Assert.All(document.GetProperty("servers").EnumerateArray(), server => Assert.False(server.GetProperty("url").GetString()!.EndsWith('/')));

        var ids = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var id = operation.Value.GetProperty("operationId").GetString()!;
                Assert.Matches("^[a-z][a-zA-Z0-9]*$", id);
                ids.Add(id);
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{name} has no summary");
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("description").GetString()), $"{name} has no description");
                var headers = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()).ToList()
                    : [];
                Assert.Contains("X-Correlation-Id", headers);
                if (operation.Name == "post" && !path.Name.StartsWith("/admin", StringComparison.Ordinal))
                {
                    Assert.Contains("Idempotency-Key", headers);
                    Assert.Contains("If-Match", headers);
                    var responses = operation.Value.GetProperty("responses");
                    var success = responses.TryGetProperty("201", out var created) ? created : responses.GetProperty("200");
                    Assert.True(success.GetProperty("headers").TryGetProperty("ETag", out _), $"{name} documents no ETag");
                }
            }
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("introduceProcedure", ids);
        Assert.Contains("getRoadmap", ids);
    }
}

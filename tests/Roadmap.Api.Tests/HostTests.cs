using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests;

public sealed class HostTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task Ready_reports_the_migrated_schema()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal(factory.Schema, body.GetProperty("schema").GetString());
        Assert.True(body.GetProperty("schemaVersion").GetInt32() >= 2);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints()
    {
        var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        Assert.True(document.GetProperty("paths").TryGetProperty("/health/ready", out _));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_route_is_a_problem_details_404()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync("/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

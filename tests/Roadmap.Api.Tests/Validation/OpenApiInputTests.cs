using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests.Validation;

/// <summary>The OpenAPI document tells what the edge accepts and answers: dates as dates, amounts as numbers, the id of a 201.</summary>
[Collection(ValidationWorld.Collection)]
public sealed class OpenApiInputTests(ValidationWorld world) : IClassFixture<ValidationWorld>
{
    [Theory]
    [InlineData("/municipalities")]
    [InlineData("/catalogue/vendors")]
    [InlineData("/catalogue/products")]
    [InlineData("/catalogue/releases")]
    [InlineData("/municipalities/{ags}/procedures")]
    [InlineData("/procurements")]
    [InlineData("/subscriptions")]
    public async Task A_creating_post_documents_the_id_of_its_201(string path)
    {
        var document = await DocumentAsync();

        var created = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("responses").GetProperty("201");
        var schema = Resolve(document, created.GetProperty("content").GetProperty("application/json").GetProperty("schema"));

        Assert.True(schema.GetProperty("properties").TryGetProperty("id", out _), $"the 201 of POST {path} does not document id: {schema}");
    }

    [Fact]
    public async Task Dates_are_documented_as_dates_and_amounts_as_numbers()
    {
        var document = await DocumentAsync();

        var award = RequestSchema(document, "/procurements/{id}/award");
        Assert.Equal("date", award.GetProperty("properties").GetProperty("awardedOn").GetProperty("format").GetString());
        Assert.Contains("number", award.GetProperty("properties").GetProperty("netValue").GetProperty("type").ToString(), StringComparison.Ordinal);
        var deadlines = RequestSchema(document, "/procurements/{id}/deadlines").GetProperty("properties").GetProperty("participationDeadline");
        Assert.Equal("date", deadlines.GetProperty("format").GetString());
        Assert.Contains("string", deadlines.GetProperty("type").ToString(), StringComparison.Ordinal);
        Assert.Contains("number", RequestSchema(document, "/procedures/{id}/extended-support").GetProperty("properties").GetProperty("cost")
            .GetProperty("type").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_example_body_is_accepted_by_the_checks_of_the_edge()
    {
        await world.BuildAsync();
        var document = await DocumentAsync();

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("post", out var post) || !post.TryGetProperty("requestBody", out var body)
                || !body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out var example))
            {
                continue;
            }

            // The ids in the examples name nothing here: a 404 or 422 is fine, a 400 means the example itself is bad input.
            var url = path.Name.Replace("{ags}", world.Ags, StringComparison.Ordinal).Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            using var response = await world.Driver.Client.PostAsJsonAsync(url, example);
            Assert.True(response.StatusCode != HttpStatusCode.BadRequest && (int)response.StatusCode < 500,
                $"the example of POST {path.Name} answers {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<JsonElement> DocumentAsync() => await world.Driver.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

    private static JsonElement RequestSchema(JsonElement document, string path) =>
        Resolve(document, document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema"));

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }

        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}

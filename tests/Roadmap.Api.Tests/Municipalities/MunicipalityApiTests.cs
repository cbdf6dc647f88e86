using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Roadmap.Api.Tests.Municipalities;

public sealed class MunicipalityApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private static int _next = 100;

    private static string NewAgs() => $"09181{Interlocked.Increment(ref _next):D3}";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string ags, string name = "Kaufering", string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/municipalities")
        {
            Content = JsonContent.Create(new { ags, name, countyAgs = "09181000" }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        request.Headers.Add("X-Actor", "pm.mueller");
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Registering_a_municipality_answers_201_with_location_etag_and_the_stored_event()
    {
        var client = factory.CreateClient();
        var ags = NewAgs();

        var response = await RegisterAsync(client, ags);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/municipalities/{ags}", response.Headers.Location?.ToString());
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("municipality.registered", body.GetProperty("events")[0].GetProperty("type").GetString());

        var read = await client.GetAsync($"/municipalities/{ags}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Kaufering", view.GetProperty("name").GetString());
        Assert.Equal("Bayern", view.GetProperty("landName").GetString());

        var list = await client.GetFromJsonAsync<JsonElement>("/municipalities?county=09181000");
        Assert.Contains(list.EnumerateArray(), m => m.GetProperty("ags").GetString() == ags);
    }

    [Fact]
    public async Task Registering_the_same_AGS_twice_is_a_409_with_the_rule_as_type()
    {
        var client = factory.CreateClient();
        var ags = NewAgs();
        await RegisterAsync(client, ags);

        var second = await RegisterAsync(client, ags, "Anders");

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/municipality-already-registered", problem.GetProperty("type").GetString());
        Assert.Contains(ags, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_invalid_AGS_and_an_empty_name_are_listed_as_field_errors_and_nothing_is_stored()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync("/municipalities", Json("""{"ags":"0918A","name":"","countyAgs":"09181000"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.Contains("digits", errors.GetProperty("ags")[0].GetString());
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/municipalities/0918A")).StatusCode);
    }

    [Theory]
    [InlineData("{\"ags\":\"09181999\",\"name\":\"X\",\"countyAgs\":\"09181000\"", "body-invalid-json")]
    [InlineData("""{"ags":9181999,"name":"X","countyAgs":"09181000"}""", "body-invalid-json")]
    [InlineData("""{"ags":"09181998","name":"X","countyAgs":"09181000","mayor":"Y"}""", "body-invalid-json")]
    [InlineData("""{"name":"X","countyAgs":"09181000"}""", "body-invalid-json")]
    public async Task Malformed_json_wrong_types_unknown_and_missing_fields_are_400_problems(string body, string code)
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync("/municipalities", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/problems/{code}", problem.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/municipalities/09181999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/municipalities/09181998")).StatusCode);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem()
    {
        var client = factory.CreateClient();
        var name = new string('x', 300_000);

        var response = await client.PostAsync("/municipalities", Json($$"""{"ags":"09181997","name":"{{name}}","countyAgs":"09181000"}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_returns_the_same_answer_and_stores_nothing_again()
    {
        var client = factory.CreateClient();
        var ags = NewAgs();
        var key = Guid.NewGuid().ToString();

        var first = await RegisterAsync(client, ags, key: key);
        var retry = await RegisterAsync(client, ags, key: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var retryBody = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(firstBody.GetProperty("events")[0].GetProperty("eventId").GetString(), retryBody.GetProperty("events")[0].GetProperty("eventId").GetString());
        var history = await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}/history");
        Assert.Equal(1, history.GetProperty("events").GetArrayLength());
        Assert.Equal("pm.mueller (it.admin)", history.GetProperty("events")[0].GetProperty("by").GetString());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_store_one_event()
    {
        var client = factory.CreateClient();
        var ags = NewAgs();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RegisterAsync(client, ags, key: key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var history = await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}/history");
        Assert.Equal(1, history.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_is_a_422()
    {
        var client = factory.CreateClient();
        var key = Guid.NewGuid().ToString();
        await RegisterAsync(client, NewAgs(), key: key);

        var other = await RegisterAsync(client, NewAgs(), key: key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/idempotency-key-reused", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Two_renames_with_the_same_if_match_one_wins_and_one_gets_412()
    {
        var client = factory.CreateClient();
        var ags = NewAgs();
        await RegisterAsync(client, ags);
        var etag = (await client.GetAsync($"/municipalities/{ags}")).Headers.ETag!.ToString();

        async Task<HttpResponseMessage> RenameAsync(string name)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/municipalities/{ags}/name") { Content = JsonContent.Create(new { name }) };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            return await client.SendAsync(request);
        }

        var first = await RenameAsync("Markt Kaufering");
        var second = await RenameAsync("Gemeinde Kaufering");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("W/\"2\"", first.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        var view = await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}");
        Assert.Equal("Markt Kaufering", view.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Renaming_an_unknown_municipality_is_a_404()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/municipalities/09181996/name", new { name = "Nirgendwo" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/municipality-unknown", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_change_made_by_another_node_is_seen_by_the_next_decision()
    {
        var client = factory.CreateClient();
        var ags = NewAgs();
        await RegisterAsync(client, ags);
        await client.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Erster Name" }); // this node now knows version 2

        // Another node: a second API on the same schema, with a state cache of its own.
        await using var otherNode = new Integrations.SchemaNodeFactory(factory.Schema, dropSchema: false);
        var other = otherNode.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Zweiter Name" })).StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Post, $"/municipalities/{ags}/name") { Content = JsonContent.Create(new { name = "Dritter Name" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"2\"");
        var unchanged = await client.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Zweiter Name" });

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(stale)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, unchanged.StatusCode);
        var problem = await unchanged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/name-unchanged", problem.GetProperty("type").GetString());

        // This node renames (and remembers version 4 "Vierter Name"); another node renames to "Fünfter Name" (5);
        // asking for "Vierter Name" is "unchanged" on what this node remembers, but a real change on what is stored.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Vierter Name" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Fünfter Name" })).StatusCode);
        var back = await client.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Vierter Name" });
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal("W/\"6\"", back.Headers.ETag?.ToString());
    }
}

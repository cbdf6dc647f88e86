using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests.Validation;

/// <summary>A 201 carries the new resource's plain id next to Location, so a client need not parse the URL.</summary>
[Collection(ValidationWorld.Collection)]
public sealed class CreatedIdTests(ValidationWorld world) : IClassFixture<ValidationWorld>
{
    [Fact]
    public async Task Every_creating_post_answers_the_new_id_next_to_location()
    {
        await world.BuildAsync();
        var client = world.Driver.Client;
        var ags = $"{world.County[..5]}991";
        var created = new List<(string What, HttpResponseMessage Response)>
        {
            ("municipality", await client.PostAsJsonAsync("/municipalities", new { ags, name = "Neudorf", countyAgs = world.County })),
            ("vendor", await client.PostAsJsonAsync("/catalogue/vendors", new { name = "Ammerdata AG" })),
            ("product", await client.PostAsJsonAsync("/catalogue/products", new { vendorId = world.Vendor, name = "Ammer-EWO", category = "Gewerbe" })),
            ("release", await client.PostAsJsonAsync("/catalogue/releases", new { productId = world.Product, version = "7.0" })),
            ("procedure", await client.PostAsJsonAsync($"/municipalities/{world.Ags}/procedures",
                new { category = "Gewerbe", releaseId = world.Release, name = "Gewerbeamt IV", introducedOn = "2018-01-01" })),
            ("procurement", await client.PostAsJsonAsync("/procurements",
                new { title = "Gewerbe", category = "Gewerbe", leadAgs = world.Ags, participants = new[] { new { ags = world.Ags, procedureId = world.Procedure } } })),
            ("subscription", await client.PostAsJsonAsync("/subscriptions", new { targetUrl = "https://hooks.example.org/roadmap" })),
        };

        foreach (var (what, response) in created)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{what}: {(int)response.StatusCode} {body}");
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
            Assert.Equal(response.Headers.Location!.ToString().Split('/')[^1], id);
        }

        Assert.Equal(ags, JsonDocument.Parse(await created[0].Response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_replayed_creation_answers_the_same_id_and_a_decision_answers_none()
    {
        await world.BuildAsync();
        var client = world.Driver.Client;
        var key = Guid.NewGuid().ToString();

        async Task<(HttpResponseMessage, JsonElement)> RegisterAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/catalogue/vendors") { Content = JsonContent.Create(new { name = "Paar IT" }) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await client.SendAsync(request);
            return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        var (first, firstBody) = await RegisterAsync();
        var (replay, replayBody) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(firstBody.GetProperty("id").GetString(), replayBody.GetProperty("id").GetString());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);

        var rename = await client.PostAsJsonAsync($"/municipalities/{world.Ags}/name", new { name = $"Gemeinde {Guid.NewGuid():N}"[..20] });
        Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        Assert.False(JsonDocument.Parse(await rename.Content.ReadAsStringAsync()).RootElement.TryGetProperty("id", out _));
    }
}

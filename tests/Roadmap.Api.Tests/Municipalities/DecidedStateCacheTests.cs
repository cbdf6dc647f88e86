using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Roadmap.Api.Tests.Integrations;

namespace Roadmap.Api.Tests.Municipalities;

/// <summary>
/// A node remembers the states it folded (DecidedStateCache) and reads only the newer events under the stream's lock:
/// a change made on another node must be folded in, never missed.
/// </summary>
public sealed class DecidedStateCacheTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task A_node_decides_on_what_another_node_appended_since_it_last_read_the_stream()
    {
        await using var other = new SchemaNodeFactory(factory.Schema, dropSchema: false);
        var a = Client(factory);
        var b = Client(other);
        const string ags = "09181131";
        Assert.Equal(HttpStatusCode.Created, (await a.PostAsJsonAsync("/municipalities", new { ags, name = "Igling", countyAgs = "09181000" })).StatusCode);

        // Node A reads the stream at version 1 (and remembers it) when it renames; node B renames again.
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Igling am Lech" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Igling" })).StatusCode);

        // Node A knows the name node B gave: the same name again is refused as unchanged (a state remembered at version
        // 2 and trusted would accept it, then fail at every commit).
        var same = await a.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Igling" });
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        Assert.EndsWith("/name-unchanged", (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        var renamed = await a.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Igling" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(4, (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
    }

    private static HttpClient Client(RoadmapApiFactory node)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "it.admin");
        return client;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Roadmap.Api.Access;

namespace Roadmap.Api.Tests.Access;

/// <summary>A node with small buckets: 3 requests at once, then 1 per second, per key.</summary>
public sealed class RateLimitFactory : RoadmapApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:Limits:PerKey:Burst", "3");
        builder.UseSetting("Roadmap:Limits:PerKey:PermitsPerSecond", "1");
    }
}

public sealed class RateLimitTests(RateLimitFactory factory) : IClassFixture<RateLimitFactory>
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_while_another_key_is_served()
    {
        var busy = factory.CreateClient(factory.CreateKey("busy integration", Roles.Integration, county: "09181000"));
        var calm = factory.CreateClient(factory.CreateKey("planner", Roles.Planner, county: "09181000"));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await busy.GetAsync("/catalogue/vendors"));
        }

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(limited.Count >= 4, $"{limited.Count} of 8 limited");
        Assert.All(limited, a => Assert.True(int.Parse(a.Headers.GetValues("Retry-After").Single()) >= 1));
        Assert.Equal("/problems/rate-limited", (await limited[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        Assert.Equal(HttpStatusCode.OK, (await calm.GetAsync("/catalogue/vendors")).StatusCode);

        // The bucket fills again: after the wait the busy key is served once more.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            status = (await busy.GetAsync("/catalogue/vendors")).StatusCode;
        }
        while (status == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }
}

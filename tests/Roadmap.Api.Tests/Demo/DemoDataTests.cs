using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.Api.Demo;

namespace Roadmap.Api.Tests.Demo;

public sealed class DemoDataFactory : RoadmapApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:Demo:Load", "true");
    }
}

public sealed class DemoDataTests(DemoDataFactory factory) : IClassFixture<DemoDataFactory>
{
    [Fact]
    public async Task The_demo_county_has_its_31_municipalities_with_real_AGS_and_loading_again_changes_nothing()
    {
        var client = factory.CreateClient();

        var municipalities = await client.GetFromJsonAsync<JsonElement>("/municipalities?county=09181000");
        await factory.Services.GetRequiredService<DemoData>().LoadAsync(CancellationToken.None);
        var again = await client.GetFromJsonAsync<JsonElement>("/municipalities?county=09181000");

        Assert.Equal(32, municipalities.GetArrayLength()); // the county and its 31 municipalities
        var byAgs = municipalities.EnumerateArray().ToDictionary(m => m.GetProperty("ags").GetString()!, m => m.GetProperty("name").GetString());
        Assert.Equal("Kaufering", byAgs["09181128"]);
        Assert.Equal("Landsberg am Lech", byAgs["09181130"]);
        Assert.Equal("Dießen am Ammersee", byAgs["09181114"]);
        Assert.Equal(32, again.GetArrayLength());
        Assert.All(again.EnumerateArray(), m => Assert.Equal(1, m.GetProperty("version").GetInt64()));
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.Api.Demo;
using Roadmap.EventStore;

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
    /// <summary>Real vendors of municipal software (and big platforms): the demo must not borrow their names.</summary>
    private static readonly string[] RealVendorNames =
    [
        "AKDB", "Dataport", "komuna", "SAP", "H&H", "Infoma", "Axians", "Microsoft", "Komm.ONE", "ekom21", "regio iT", "CIVITEC", "Vitako",
        "Oracle", "IBM", "Materna", "Fabasoft", "d.velop", "PROSOZ", "Nolis", "ITEOS", "GovConnect", "HSH", "Datev",
    ];

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

    [Fact]
    public async Task Every_municipality_runs_procedures_at_150_or_more_across_the_county_in_every_stage()
    {
        var client = factory.CreateClient();
        var municipalities = await client.GetFromJsonAsync<JsonElement>("/municipalities?county=09181000");

        var procedures = new List<JsonElement>();
        foreach (var municipality in municipalities.EnumerateArray())
        {
            var list = await client.GetFromJsonAsync<JsonElement>($"/municipalities/{municipality.GetProperty("ags").GetString()}/procedures");
            Assert.InRange(list.GetArrayLength(), 5, 10);
            procedures.AddRange(list.EnumerateArray());
        }

        Assert.True(procedures.Count >= 150, $"The demo county runs {procedures.Count} procedures; a living county has at least 150.");
        var states = procedures.Select(p => p.GetProperty("state").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "introduced", "planned", "scheduled", "cut-over" }, states);
        Assert.Contains(procedures, p => p.GetProperty("extendedSupportUntil").ValueKind == JsonValueKind.String);
        Assert.Contains(procedures, p => p.GetProperty("riskAcceptedUntil").ValueKind == JsonValueKind.String);
        Assert.Contains(procedures, p => p.GetProperty("caseId").ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task Procurement_cases_stand_in_at_least_four_states_and_the_joint_one_crosses_the_EU_threshold()
    {
        var client = factory.CreateClient();

        var cases = (await client.GetFromJsonAsync<JsonElement>("/procurements")).EnumerateArray().ToList();

        var states = cases.Select(c => c.GetProperty("state").GetString()).ToHashSet();
        Assert.True(states.Count >= 4, $"Cases stand in {string.Join(", ", states)}; the demo shows at least four states.");
        var joint = Assert.Single(cases, c => c.GetProperty("participantAgs").GetArrayLength() == 3);
        Assert.Equal(540000m, joint.GetProperty("totalNetValue").GetDecimal());
        Assert.StartsWith("Eu", joint.GetProperty("procedureType").GetString());
        Assert.Equal("started", joint.GetProperty("state").GetString());
        Assert.Contains(cases, c => c.GetProperty("procedureType").GetString() == "Verhandlungsvergabe" && c.GetProperty("state").GetString() == "awarded");
        Assert.Contains(cases, c => c.GetProperty("procedureType").GetString() == "Direktauftrag");
    }

    [Fact]
    public async Task A_deprecated_release_shows_its_demo_notice_and_a_successor()
    {
        var client = factory.CreateClient();

        var releases = (await client.GetFromJsonAsync<JsonElement>("/catalogue/releases")).EnumerateArray().ToList();
        var deprecated = releases.Where(r => r.GetProperty("deprecatedOn").ValueKind == JsonValueKind.String).ToList();
        Assert.True(deprecated.Count >= 3, $"{deprecated.Count} demo releases have a deprecation notice; the demo shows a few.");
        var id = deprecated.First(r => r.GetProperty("successorReleaseId").ValueKind == JsonValueKind.String).GetProperty("releaseId").GetGuid();
        var release = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{id}");

        var notice = Assert.Single(release.GetProperty("deprecationNotices").EnumerateArray());
        Assert.Contains("DEMO", notice.GetProperty("noticeId").GetString());
        Assert.StartsWith("Demo notice (fictional)", notice.GetProperty("source").GetString());
        Assert.Contains(releases, r => r.GetProperty("lifecycle").GetProperty("endOfSecuritySupport").GetString() == "tba");
    }

    [Fact]
    public async Task Loading_twice_stores_no_new_event()
    {
        var store = factory.Services.GetRequiredService<PostgresEventStore>();
        _ = factory.CreateClient(); // starts the host, which loads the demo
        var head = await store.GetHeadPositionAsync();

        var created = await factory.Services.GetRequiredService<DemoData>().LoadAsync(CancellationToken.None);

        Assert.Equal(0, created);
        Assert.Equal(head, await store.GetHeadPositionAsync());
    }

    [Fact]
    public async Task No_demo_vendor_or_product_bears_a_real_vendors_name()
    {
        var client = factory.CreateClient();

        var vendors = (await client.GetFromJsonAsync<JsonElement>("/catalogue/vendors")).EnumerateArray().ToList();
        var products = (await client.GetFromJsonAsync<JsonElement>("/catalogue/products")).EnumerateArray().ToList();

        Assert.InRange(vendors.Count, 5, 10);
        Assert.InRange(products.Count, 10, 20);
        foreach (var name in vendors.Concat(products).Select(v => v.GetProperty("name").GetString()!))
        {
            var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.DoesNotContain(RealVendorNames, real =>
                string.Equals(real, name, StringComparison.OrdinalIgnoreCase) || words.Contains(real, StringComparer.OrdinalIgnoreCase));
        }

        Assert.All(vendors, v => Assert.EndsWith(".example/", v.GetProperty("website").GetString()));
    }
}

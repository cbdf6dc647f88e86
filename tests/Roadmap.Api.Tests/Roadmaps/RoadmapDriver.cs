using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Tests.Roadmaps;

/// <summary>Creates municipalities, catalogue entries, procedures and procurement cases over HTTP, and reads the roadmap views.</summary>
internal sealed class RoadmapDriver(RoadmapApiFactory factory)
{
    private static int _next;

    public HttpClient Client { get; } = CreateClient(factory);

    private static HttpClient CreateClient(RoadmapApiFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "pm.mueller");
        return client;
    }

    /// <summary>A fresh county (09 1 xx 000) per test, so the risk board of one test sees only its own data.</summary>
    public static string NewCounty() => $"092{Interlocked.Increment(ref _next) % 100:D2}000";

    public async Task<string> MunicipalityAsync(string countyAgs, string? name = null)
    {
        var ags = $"{countyAgs[..5]}{Interlocked.Increment(ref _next) % 900 + 100:D3}";
        var response = await Client.PostAsJsonAsync("/municipalities", new { ags, name = name ?? $"Gemeinde {ags}", countyAgs });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ags;
    }

    /// <summary>A vendor, product and release with the given end of security support (yyyy-MM-dd or "tba").</summary>
    public async Task<Guid> ReleaseAsync(string endOfSecuritySupport, string category = "Gewerbe", string version = "5.1")
    {
        var vendor = await CreatedIdAsync(await Client.PostAsJsonAsync("/catalogue/vendors", new { name = "Lechtal Software GmbH" }));
        var product = await CreatedIdAsync(await Client.PostAsJsonAsync("/catalogue/products", new { vendorId = vendor, name = "Lech-Gewerbe", category }));
        return await CreatedIdAsync(await Client.PostAsJsonAsync("/catalogue/releases", new { productId = product, version, endOfSecuritySupport }));
    }

    public async Task<Guid> ProcedureAsync(string ags, Guid releaseId, string category = "Gewerbe", string name = "Gewerbeamt") =>
        await CreatedIdAsync(await Client.PostAsJsonAsync($"/municipalities/{ags}/procedures",
            new { category, releaseId, name, introducedOn = "2018-01-01" }));

    public async Task<Guid> OpenCaseAsync(string title, params (string Ags, Guid ProcedureId)[] participants) =>
        await CreatedIdAsync(await Client.PostAsJsonAsync("/procurements", new
        {
            title,
            category = "Gewerbe",
            leadAgs = participants[0].Ags,
            participants = participants.Select(p => new { ags = p.Ags, procedureId = p.ProcedureId }).ToArray(),
        }));

    public async Task EstimateAsync(Guid caseId, decimal share, params string[] ags) =>
        await OkAsync(await Client.PostAsJsonAsync($"/procurements/{caseId}/value-estimate", new
        {
            shares = ags.Select(a => new { ags = a, netValue = share }).ToArray(),
            includesOptions = true,
        }));

    public async Task OkAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Waits until the async roadmap projection has applied everything appended so far.</summary>
    public async Task CatchUpAsync()
    {
        var head = await factory.Services.GetRequiredService<PostgresEventStore>().GetHeadPositionAsync();
        await factory.Services.GetRequiredService<ProjectionAdmin>().WaitForCatchUpAsync(RoadmapProjection.ProjectionName, head, TimeSpan.FromSeconds(30));
    }

    public async Task<JsonElement> GetAsync(string url)
    {
        var response = await Client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static JsonElement Entry(JsonElement roadmap, Guid procedureId) =>
        Assert.Single(roadmap.GetProperty("entries").EnumerateArray(), e => e.GetProperty("procedureId").GetGuid() == procedureId);

    public static string? Date(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static async Task<Guid> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
    }
}

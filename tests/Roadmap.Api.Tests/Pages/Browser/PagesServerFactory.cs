using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Tests.Pages.Browser;

/// <summary>
/// The API on a real Kestrel port on the loopback interface (a browser cannot reach the in-memory test server),
/// seeded once through HTTP with a municipality and procedures whose releases end support at different times.
/// </summary>
public sealed class PagesServerFactory : RoadmapApiFactory
{
    public const string Ags = "09181118";
    public const string Today = "2026-05-12";
    private readonly SemaphoreSlim _seedLock = new(1, 1);
    private IReadOnlyList<Guid>? _procedures;

    public PagesServerFactory() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client of the real server with the admin key.</summary>
    public HttpClient CreateKestrelClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add(Roadmap.Api.Access.ApiKeyAuthentication.Header, AdminKey);
        return client;
    }

    /// <summary>The read-only link token of the seeded municipality's page and calendar (what a mayor's office gets).</summary>
    public string LinkToken => _linkToken ??= CreateKey($"Link {Ags}", Roadmap.Api.Access.Roles.Link, [Ags]);

    /// <summary>A link token for another municipality's page.</summary>
    public string LinkTokenFor(string ags) => CreateKey($"Link {ags}", Roadmap.Api.Access.Roles.Link, [ags]);

    private string? _linkToken;

    /// <summary>The seeded procedures, after the projection "roadmap" has caught up with them.</summary>
    public async Task<IReadOnlyList<Guid>> SeedAsync()
    {
        await _seedLock.WaitAsync();
        try
        {
            if (_procedures is not null)
            {
                return _procedures;
            }

            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
            using var client = CreateKestrelClient();
            _procedures = await SeedThroughHttpAsync(client);
            await WaitForRoadmapAsync();
            return _procedures;
        }
        finally
        {
            _seedLock.Release();
        }
    }

    private static async Task<IReadOnlyList<Guid>> SeedThroughHttpAsync(HttpClient client)
    {
        await CreatedAsync(client, "/municipalities", new { ags = Ags, name = "Kaufering", countyAgs = "09181000" });
        await CreatedAsync(client, "/municipalities", new { ags = "09181132", name = "Landsberg am Lech", countyAgs = "09181000" });
        var vendor = await CreatedAsync(client, "/catalogue/vendors", new { name = "Ammerdata AG", website = "https://ammerdata.example" });
        (string Category, string Product, string Version, string EndOfSupport, string Procedure)[] procedures =
        [
            ("Einwohnermeldewesen", "Lech-EWO", "7.2", "2027-03-31", "Einwohnermeldewesen Lech-EWO"),
            ("Finanzwesen", "Lech-FIS", "2022.1", "2028-06-30", "Finanzwesen Doppik"),
            ("Gewerbe", "Lech-Gewerbe", "5.0", "2028-12-31", "Gewerbeamt"),
            ("Wahlen", "Lech-Wahl", "3.4", "2030-06-30", "Wahlen <Kommunalwahl 2026>"),
            ("DokumentenmanagementEAkte", "Archivar", "10.0", "tba", "E-Akte"),
        ];
        var ids = new List<Guid>();
        foreach (var (category, product, version, endOfSupport, name) in procedures)
        {
            var productId = await CreatedAsync(client, "/catalogue/products", new { vendorId = vendor, name = product, category });
            var releaseId = await CreatedAsync(client, "/catalogue/releases",
                new { productId, version, generalAvailability = "2018-01-15", endOfSecuritySupport = endOfSupport, endOfLife = endOfSupport });
            ids.Add(await CreatedAsync(client, $"/municipalities/{Ags}/procedures", new { category, releaseId, name, introducedOn = "2019-04-01" }));
        }

        await PostAsync(client, $"/procedures/{ids[1]}/risk-acceptances", new { acceptedBy = "bgm.huber", until = "2026-12-31", reason = "Haushalt 2027 abwarten" });
        return ids;
    }

    /// <summary>
    /// Another municipality of the county with <paramref name="count"/> procedures (ends of support spread from 2027
    /// on, every seventh not announced), for the print tests; returns when the roadmap shows them.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> SeedManyAsync(string ags, string name, int count)
    {
        await SeedAsync();
        using var client = CreateKestrelClient();
        await CreatedAsync(client, "/municipalities", new { ags, name, countyAgs = "09181000" });
        var vendor = await CreatedAsync(client, "/catalogue/vendors", new { name = $"Lechsoft {ags}" });
        string[] categories = ["Einwohnermeldewesen", "Finanzwesen", "Gewerbe", "Wahlen", "DokumentenmanagementEAkte", "Sonstiges", "PersonalBesoldung", "BauverwaltungGis"];
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var category = categories[i % categories.Length];
            var productId = await CreatedAsync(client, "/catalogue/products", new { vendorId = vendor, name = $"Fachverfahren {i + 1}", category });
            var endOfSupport = i % 7 == 6 ? "tba" : new DateOnly(2027, 1, 31).AddMonths(i * 2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var releaseId = await CreatedAsync(client, "/catalogue/releases",
                new { productId, version = $"{i + 1}.0", generalAvailability = "2018-01-15", endOfSecuritySupport = endOfSupport });
            ids.Add(await CreatedAsync(client, $"/municipalities/{ags}/procedures", new { category, releaseId, name = $"Verfahren {i + 1} ({category})", introducedOn = "2019-04-01" }));
        }

        await WaitForRoadmapAsync();
        return ids;
    }

    private static async Task<Guid> CreatedAsync(HttpClient client, string url, object body)
    {
        var response = await PostAsync(client, url, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return url == "/municipalities" ? Guid.Empty : Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Actor", "pm.mueller");
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private async Task WaitForRoadmapAsync()
    {
        var dataSource = Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand($"select max(seq_id) from {Schema}.mt_events");
        var last = (long)(await command.ExecuteScalarAsync())!;
        await Services.GetRequiredService<ProjectionAdmin>().WaitForCatchUpAsync("roadmap", last, TimeSpan.FromSeconds(30));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _seedLock.Dispose();
    }
}

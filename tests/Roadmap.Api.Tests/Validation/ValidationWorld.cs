using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Roadmap.Api.Tests.Roadmaps;

namespace Roadmap.Api.Tests.Validation;

/// <summary>
/// A county with one municipality, a catalogue release, two procedures and an open procurement case: every endpoint
/// that takes a value has something to refer to. The bad-input tests send bad values against it and check that
/// nothing was stored and every page still renders.
/// </summary>
public sealed class ValidationWorld : RoadmapApiFactory
{
    /// <summary>The validation classes run one after the other: together they send a few thousand requests, and the suite shares two cores.</summary>
    public const string Collection = "validation";

    private RoadmapDriver? _driver;

    internal RoadmapDriver Driver => _driver ??= new RoadmapDriver(this);

    public string County { get; private set; } = "";

    public string Ags { get; private set; } = "";

    public Guid Vendor { get; private set; }

    public Guid Product { get; private set; }

    public Guid Release { get; private set; }

    public Guid OtherRelease { get; private set; }

    /// <summary>A procedure that is in no procurement case.</summary>
    public Guid Procedure { get; private set; }

    /// <summary>A procedure that is a participant of <see cref="Case"/>.</summary>
    public Guid CaseProcedure { get; private set; }

    public Guid Case { get; private set; }

    private bool _built;
    private readonly SemaphoreSlim _building = new(1, 1);

    public async Task BuildAsync()
    {
        await _building.WaitAsync();
        try
        {
            if (_built)
            {
                return;
            }

            County = RoadmapDriver.NewCounty();
            Ags = await Driver.MunicipalityAsync(County);
            Vendor = await CreatedAsync("/catalogue/vendors", new { name = "Lechtal Software GmbH" });
            Product = await CreatedAsync("/catalogue/products", new { vendorId = Vendor, name = "Lech-Gewerbe", category = "Gewerbe" });
            Release = await CreatedAsync("/catalogue/releases", new { productId = Product, version = "5.1", endOfSecuritySupport = "2030-12-31" });
            OtherRelease = await CreatedAsync("/catalogue/releases", new { productId = Product, version = "6.0", endOfSecuritySupport = "2035-12-31" });
            Procedure = await Driver.ProcedureAsync(Ags, Release);
            CaseProcedure = await Driver.ProcedureAsync(Ags, Release, name: "Gewerbeamt II");
            Case = await Driver.OpenCaseAsync("Gewerbe", (Ags, CaseProcedure));
            await Driver.CatchUpAsync();
            _built = true;
        }
        finally
        {
            _building.Release();
        }
    }

    public async Task<Guid> CreatedAsync(string url, object body)
    {
        var response = await Driver.Client.PostAsJsonAsync(url, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
    }

    public Task<HttpResponseMessage> PostRawAsync(string url, string json) =>
        Driver.Client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>All events stored in this factory's schema.</summary>
    public async Task<long> EventCountAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {Schema}.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The pages a mayor, the county and a project manager read: each must answer 200.</summary>
    public IEnumerable<string> Pages() =>
    [
        $"/municipalities/{Ags}/roadmap",
        $"/municipalities/{Ags}/roadmap.csv",
        $"/municipalities/{Ags}/roadmap.ics",
        $"/gemeinden/{Ags}/roadmap",
        $"/gemeinden?kreis={County}",
        $"/counties/{County}/risk-board",
        $"/procurements/{Case}/timeline",
    ];

    public async Task AssertPagesRenderAsync(string after)
    {
        foreach (var page in Pages())
        {
            using var response = await Driver.Client.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"after {after}: GET {page} answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The problem's field errors and detail, parsed; fails when the body is not problem details.</summary>
    public static async Task<(string Body, JsonElement Problem)> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString() ?? "");
        return (body, JsonDocument.Parse(body).RootElement.Clone());
    }

    /// <summary>No sentence a client reads names a .NET type.</summary>
    public static void AssertNoTypeNames(string body)
    {
        Assert.DoesNotContain("Roadmap.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("+Request", body, StringComparison.Ordinal);
    }

    /// <summary>The field is named: a key of <c>errors</c>, or quoted in <c>detail</c>.</summary>
    public static void AssertNamesField(JsonElement problem, string field, string body)
    {
        var named = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            && errors.EnumerateObject().Any(e => e.Name == field);
        named |= problem.TryGetProperty("detail", out var detail) && detail.GetString()?.Contains($"'{field}'", StringComparison.Ordinal) == true;
        Assert.True(named, $"the problem does not name '{field}': {body}");
    }
}

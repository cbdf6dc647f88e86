using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Roadmap.Domain.Shared;
using Roadmap.Api.Roadmaps;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Tests.Roadmaps;

/// <summary>The per-municipality roadmap versions of the projection, and the cache and entity tags built on them.</summary>
public sealed class RoadmapCacheTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private const string Today = "2026-01-15";

    [Fact]
    public async Task The_version_moves_with_the_municipalitys_procedures_releases_and_cases_and_not_with_another_municipality()
    {
        var driver = new RoadmapDriver(factory);
        var county = RoadmapDriver.NewCounty();
        var ags = await driver.MunicipalityAsync(county);
        var other = await driver.MunicipalityAsync(county);
        var release = await driver.ReleaseAsync("2028-12-31");
        var procedure = await driver.ProcedureAsync(ags, release);
        var otherProcedure = await driver.ProcedureAsync(other, await driver.ReleaseAsync("2029-12-31"));
        await driver.CatchUpAsync();
        var initial = await VersionAsync(ags);
        Assert.NotNull(initial);

        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{otherProcedure}/extended-support", new { until = "2030-12-31", reference = "EXT-O" }));
        await driver.CatchUpAsync();
        Assert.Equal(initial, await VersionAsync(ags));

        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2029-06-30", reference = "EXT-A" }));
        await driver.CatchUpAsync();
        var afterProcedure = await VersionAsync(ags);
        Assert.NotEqual(initial, afterProcedure);

        var otherBefore = await VersionAsync(other);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/catalogue/releases/{release}/deprecations",
            new { noticeId = "LS-9", announcedOn = "2026-01-10", source = "Herstellerschreiben", endOfSecuritySupport = "2027-12-31" }));
        await driver.CatchUpAsync();
        var afterDeprecation = await VersionAsync(ags);
        Assert.NotEqual(afterProcedure, afterDeprecation);
        Assert.Equal(otherBefore, await VersionAsync(other));

        var caseId = await driver.OpenCaseAsync("Gewerbe", (ags, procedure));
        await driver.CatchUpAsync();
        var afterOpened = await VersionAsync(ags);
        Assert.NotEqual(afterDeprecation, afterOpened);
        await driver.EstimateAsync(caseId, 150_000m, ags);
        await driver.CatchUpAsync();
        Assert.NotEqual(afterOpened, await VersionAsync(ags));
        Assert.Equal(otherBefore, await VersionAsync(other));
    }

    [Fact]
    public async Task A_read_after_a_change_never_returns_the_cached_answer_from_before()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var release = await driver.ReleaseAsync("2028-12-31");
        var procedure = await driver.ProcedureAsync(ags, release);
        await driver.CatchUpAsync();
        var url = $"/municipalities/{ags}/roadmap?today={Today}";
        var before = RoadmapDriver.Entry(await driver.GetAsync(url), procedure);
        Assert.Equal("2028-12-31", RoadmapDriver.Date(before.GetProperty("milestones"), "effectiveEndOfSupport"));
        Assert.Equal(before.ToString(), RoadmapDriver.Entry(await driver.GetAsync(url), procedure).ToString());
        var csvBefore = await driver.Client.GetStringAsync($"/municipalities/{ags}/roadmap.csv?today={Today}");

        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/catalogue/releases/{release}/deprecations",
            new { noticeId = "LS-2", announcedOn = "2026-01-10", source = "Herstellerschreiben", endOfSecuritySupport = "2027-12-31" }));
        await driver.CatchUpAsync();
        var afterDeprecation = RoadmapDriver.Entry(await driver.GetAsync(url), procedure);
        Assert.Equal("2027-12-31", RoadmapDriver.Date(afterDeprecation.GetProperty("milestones"), "effectiveEndOfSupport"));
        Assert.NotEqual(csvBefore, await driver.Client.GetStringAsync($"/municipalities/{ags}/roadmap.csv?today={Today}"));

        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2028-06-30", reference = "EXT-4" }));
        await driver.CatchUpAsync();
        var afterSupport = RoadmapDriver.Entry(await driver.GetAsync(url), procedure);
        Assert.Equal("2028-06-30", RoadmapDriver.Date(afterSupport.GetProperty("milestones"), "effectiveEndOfSupport"));
        Assert.Equal("2028-06-30", RoadmapDriver.Date(afterSupport.GetProperty("badges"), "extendedSupportUntil"));
    }

    [Fact]
    public async Task If_none_match_with_the_current_etag_is_304_and_after_a_change_200_with_a_new_etag()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();
        var url = $"/municipalities/{ags}/roadmap?today={Today}";

        using var first = await driver.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        using var again = await driver.Client.GetAsync(url);
        Assert.Equal(etag, again.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());

        using var notModified = await SendAsync(driver, url, etag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        using var otherDay = await SendAsync(driver, $"/municipalities/{ags}/roadmap?today=2026-01-16", etag.Tag);
        Assert.Equal(HttpStatusCode.OK, otherDay.StatusCode);
        Assert.NotEqual(etag, otherDay.Headers.ETag);

        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2029-12-31", reference = "EXT-5" }));
        await driver.CatchUpAsync();

        using var changed = await SendAsync(driver, url, etag.Tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotNull(changed.Headers.ETag);
        Assert.NotEqual(etag, changed.Headers.ETag);
        var entry = RoadmapDriver.Entry(System.Text.Json.JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement, procedure);
        Assert.Equal("2029-12-31", RoadmapDriver.Date(entry.GetProperty("badges"), "extendedSupportUntil"));
        using var current = await SendAsync(driver, url, changed.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, current.StatusCode);

        using var asOf = await driver.Client.GetAsync($"/municipalities/{ags}/roadmap?today={Today}&asOf={CalendarDay.Today(factory.Clock):yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.OK, asOf.StatusCode);
        Assert.Null(asOf.Headers.ETag);
    }

    [Fact]
    public async Task A_read_model_from_before_the_versions_gets_version_0_when_its_tables_are_ensured()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();
        await using var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        await using (var delete = new NpgsqlCommand($"delete from {factory.Schema}.roadmap_municipality_versions where ags = $1", connection))
        {
            delete.Parameters.AddWithValue(ags);
            await delete.ExecuteNonQueryAsync();
        }

        Assert.Null(await VersionAsync(ags));
        using (var uncached = await driver.Client.GetAsync($"/municipalities/{ags}/roadmap?today={Today}"))
        {
            Assert.Equal(HttpStatusCode.OK, uncached.StatusCode);
            Assert.Null(uncached.Headers.ETag);
        }

        await using (var ddl = new NpgsqlCommand(new RoadmapProjection().TablesSql.Replace("__schema__", factory.Schema, StringComparison.Ordinal), connection))
        {
            await ddl.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await VersionAsync(ags));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2029-06-30", reference = "EXT-6" }));
        await driver.CatchUpAsync();
        Assert.True(await VersionAsync(ags) > 0);
    }

    [Fact]
    public async Task The_cache_counts_a_first_read_as_a_miss_a_repeat_as_a_hit_and_a_read_after_a_change_as_a_miss()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();
        var url = $"/municipalities/{ags}/roadmap?today={Today}";
        var before = await StatisticsAsync(driver);
        Assert.True(before.GetProperty("enabled").GetBoolean());
        Assert.Equal(RoadmapCache.DefaultSizeLimitMiB * 1024 * 1024, before.GetProperty("sizeLimitBytes").GetInt64());

        await driver.GetAsync(url);
        var afterFirst = await StatisticsAsync(driver);
        Assert.Equal(Counter(before, "hits"), Counter(afterFirst, "hits"));
        Assert.Equal(Counter(before, "misses") + 1, Counter(afterFirst, "misses"));
        Assert.Equal(Counter(before, "entries") + 1, Counter(afterFirst, "entries"));
        Assert.True(Counter(afterFirst, "sizeBytes") > Counter(before, "sizeBytes"));

        await driver.GetAsync(url);
        await driver.GetAsync(url);
        var afterRepeats = await StatisticsAsync(driver);
        Assert.Equal(Counter(afterFirst, "hits") + 2, Counter(afterRepeats, "hits"));
        Assert.Equal(Counter(afterFirst, "misses"), Counter(afterRepeats, "misses"));
        var hits = Counter(afterRepeats, "hits");
        Assert.Equal(Math.Round((double)hits / (hits + Counter(afterRepeats, "misses")), 4), afterRepeats.GetProperty("hitRatio").GetDouble());

        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2029-06-30", reference = "EXT-7" }));
        await driver.CatchUpAsync();
        await driver.GetAsync(url);
        var afterChange = await StatisticsAsync(driver);
        Assert.Equal(Counter(afterRepeats, "hits"), Counter(afterChange, "hits"));
        Assert.Equal(Counter(afterRepeats, "misses") + 1, Counter(afterChange, "misses"));
        Assert.Equal(0, Counter(afterChange, "capacityEvictions"));
    }

    [Fact]
    public async Task Clearing_the_cache_drops_every_entry_and_the_next_read_computes_the_same_answer_again()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();
        var url = $"/municipalities/{ags}/roadmap?today={Today}";
        using var first = await driver.Client.GetAsync(url);
        var body = await first.Content.ReadAsStringAsync();
        Assert.True(Counter(await StatisticsAsync(driver), "entries") > 0);

        using var cleared = await driver.Client.DeleteAsync("/admin/roadmap-cache");

        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        var after = await StatisticsAsync(driver);
        Assert.Equal(0, Counter(after, "entries"));
        Assert.Equal(0, Counter(after, "sizeBytes"));
        using var again = await driver.Client.GetAsync(url);
        Assert.Equal(body, await again.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        var afterRead = await StatisticsAsync(driver);
        Assert.Equal(Counter(after, "misses") + 1, Counter(afterRead, "misses"));
        Assert.Equal(Counter(after, "hits"), Counter(afterRead, "hits"));
        Assert.Equal(1, Counter(afterRead, "entries"));
    }

    [Fact]
    public async Task The_cached_body_has_exactly_the_bytes_the_apis_json_options_write_for_the_roadmap()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        var caseId = await driver.OpenCaseAsync("Gewerbe", (ags, procedure));
        await driver.EstimateAsync(caseId, 150_000.5m, ags);
        await driver.CatchUpAsync();

        using var response = await driver.Client.GetAsync($"/municipalities/{ags}/roadmap?today={Today}");
        var body = await response.Content.ReadAsByteArrayAsync();

        var live = await factory.Services.GetRequiredService<RoadmapQueries>()
            .GetLiveRoadmapAsync(Ags.Parse(ags), DateOnly.Parse(Today, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        var api = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(live.Roadmap, api), body);
        var text = System.Text.Encoding.UTF8.GetString(body);
        Assert.Contains("150000.5", text, StringComparison.Ordinal);
        Assert.Contains("\"effectiveEndOfSupport\":\"2028-12-31\"", text, StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> StatisticsAsync(RoadmapDriver driver) =>
        await driver.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/roadmap-cache");

    private static long Counter(System.Text.Json.JsonElement statistics, string name) => statistics.GetProperty(name).GetInt64();

    private async Task<long?> VersionAsync(string ags) =>
        await factory.Services.GetRequiredService<RoadmapQueries>().GetRoadmapVersionAsync(Ags.Parse(ags), CancellationToken.None);

    private static async Task<HttpResponseMessage> SendAsync(RoadmapDriver driver, string url, string ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await driver.Client.SendAsync(request);
    }
}

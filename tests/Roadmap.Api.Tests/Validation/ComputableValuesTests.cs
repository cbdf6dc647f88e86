using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Roadmap.Api.Tests.Roadmaps;

namespace Roadmap.Api.Tests.Validation;

/// <summary>The values issue 10 found giving a 500 or breaking a page for good, one by one.</summary>
[Collection(ValidationWorld.Collection)]
public sealed class ComputableValuesTests(ValidationWorld world) : IClassFixture<ValidationWorld>
{
    private HttpClient Client => world.Driver.Client;

    [Fact]
    public async Task Huge_shares_of_a_joint_estimate_are_a_400_on_their_total_not_an_overflow()
    {
        var driver = world.Driver;
        var county = RoadmapDriver.NewCounty();
        var (a, b, c) = (await driver.MunicipalityAsync(county), await driver.MunicipalityAsync(county), await driver.MunicipalityAsync(county));
        var release = await driver.ReleaseAsync("2030-12-31");
        var caseId = await driver.OpenCaseAsync("Gemeinsam",
            (a, await driver.ProcedureAsync(a, release)), (b, await driver.ProcedureAsync(b, release)), (c, await driver.ProcedureAsync(c, release)));
        var before = await world.EventCountAsync();

        // Each share is under the ceiling; their sum is not.
        var total = await EstimateAsync(caseId, "4000000000", a, b, c);
        Assert.Equal(HttpStatusCode.BadRequest, total.StatusCode);
        var (text, problem) = await ValidationWorld.ProblemAsync(total);
        Assert.Contains("add up to more than", problem.GetProperty("errors").GetProperty("shares")[0].GetString());
        ValidationWorld.AssertNoTypeNames(text);

        // decimal's own limit: each share alone is refused, nothing is added up.
        var beyond = await EstimateAsync(caseId, "79228162514264337593543950335", a, b, c);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        (text, problem) = await ValidationWorld.ProblemAsync(beyond);
        Assert.True(problem.GetProperty("errors").TryGetProperty("shares[0].netValue", out _), text);
        Assert.Equal(before, await world.EventCountAsync());

        // The ceiling itself is a value the service computes with.
        var atCeiling = await EstimateAsync(caseId, "3333333333.33", a, b, c);
        Assert.Equal(HttpStatusCode.OK, atCeiling.StatusCode);
        await driver.CatchUpAsync();
        await driver.GetAsync($"/procurements/{caseId}/timeline");
        await driver.GetAsync($"/municipalities/{a}/roadmap");
    }

    [Theory]
    [InlineData("-0", "more than 0")]
    [InlineData("0", "more than 0")]
    [InlineData("\"512000\"", "JSON number")]
    [InlineData("512000.125", "two decimals")]
    [InlineData("10000000000.01", "at most")]
    public async Task A_net_value_is_a_json_number_above_0_in_whole_cents_up_to_the_ceiling(string netValue, string reason)
    {
        await world.BuildAsync();
        var before = await world.EventCountAsync();

        var estimate = await world.PostRawAsync($"/procurements/{world.Case}/value-estimate",
            $$"""{"shares":[{"ags":"{{world.Ags}}","netValue":{{netValue}}}],"includesOptions":true}""");
        var award = await world.PostRawAsync($"/procurements/{world.Case}/award",
            $$"""{"awardedOn":"2026-11-20","vendorName":"Ammerdata AG","netValue":{{netValue}}}""");
        var cost = await world.PostRawAsync($"/procedures/{world.Procedure}/extended-support",
            $$"""{"until":"2031-12-31","reference":"EXT-1","cost":{{netValue}}}""");

        foreach (var (response, field) in new[] { (estimate, "shares[0].netValue"), (award, "netValue"), (cost, "cost") })
        {
            var (text, problem) = await ValidationWorld.ProblemAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            ValidationWorld.AssertNamesField(problem, field, text);
            Assert.Contains(reason, text, StringComparison.Ordinal);
            ValidationWorld.AssertNoTypeNames(text);
        }

        Assert.Equal(before, await world.EventCountAsync());
    }

    [Fact]
    public async Task An_end_of_support_on_9999_12_31_is_refused_and_the_last_accepted_day_keeps_every_page_rendering()
    {
        await world.BuildAsync();
        var before = await world.EventCountAsync();

        var refused = await Client.PostAsJsonAsync("/catalogue/releases", new { productId = world.Product, version = "forever", endOfSecuritySupport = "9999-12-31" });
        var (text, problem) = await ValidationWorld.ProblemAsync(refused);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("9999-12-31 is outside", problem.GetProperty("errors").GetProperty("endOfSecuritySupport")[0].GetString());
        var deprecation = await Client.PostAsJsonAsync($"/catalogue/releases/{world.Release}/deprecations",
            new { noticeId = "N-9999", announcedOn = "2026-01-01", source = "Letter", endOfSecuritySupport = "9999-12-31" });
        Assert.Equal(HttpStatusCode.BadRequest, deprecation.StatusCode);
        Assert.Equal(before, await world.EventCountAsync());

        // The window's edges: a release supported until 2100-12-31, bought support until then, introduced on 1990-01-01.
        var county = RoadmapDriver.NewCounty();
        var ags = await world.Driver.MunicipalityAsync(county);
        var release = await world.CreatedAsync("/catalogue/releases",
            new { productId = world.Product, version = "long", generalAvailability = "1990-01-01", endOfSecuritySupport = "2100-12-31", endOfLife = "2100-12-31" });
        var procedure = await world.CreatedAsync($"/municipalities/{ags}/procedures",
            new { category = "Gewerbe", releaseId = release, name = "Langläufer", introducedOn = "1990-01-01" });
        await world.Driver.OkAsync(await Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support",
            new { until = "2100-12-31", reference = "EXT-2100", cost = 0.01m }));
        await world.Driver.OkAsync(await Client.PostAsJsonAsync($"/procedures/{procedure}/replacement-plan",
            new { strategy = "Replace", targetGoLive = "2100-12-31" }));
        var caseId = await world.Driver.OpenCaseAsync("Langläufer", (ags, procedure));
        await world.Driver.OkAsync(await Client.PostAsJsonAsync($"/procurements/{caseId}/value-estimate",
            new { shares = new[] { new { ags, netValue = 10_000_000_000m } }, includesOptions = true }));
        // The rules may have no threshold that far ahead: a rule (409) may refuse it, a crash may not.
        var determination = await Client.PostAsJsonAsync($"/procurements/{caseId}/procedure-determination", new { plannedPublicationOn = "2100-12-31" });
        Assert.True((int)determination.StatusCode < 500, await determination.Content.ReadAsStringAsync());
        await world.Driver.CatchUpAsync();

        foreach (var today in new[] { "", "?today=2100-12-31", "?today=1990-01-01" })
        {
            await world.Driver.GetAsync($"/municipalities/{ags}/roadmap{today}");
            await OkAsync($"/municipalities/{ags}/roadmap.csv{today}");
            await world.Driver.GetAsync($"/procurements/{caseId}/timeline{today}");
            await world.Driver.GetAsync($"/counties/{county}/risk-board{today}");
        }

        foreach (var heute in new[] { "", "?heute=2100-12-31", "?heute=1990-01-01&stand=2100-12-31" })
        {
            await OkAsync($"/gemeinden/{ags}/roadmap{heute}");
            await OkAsync($"/municipalities/{ags}/roadmap.ics{heute.Replace("heute", "today").Replace("stand", "asOf")}");
            await OkAsync($"/gemeinden?kreis={county}{(heute.Length > 0 ? "&" + heute[1..] : "")}");
        }

        await OkAsync($"/municipalities/{ags}/roadmap?asOf=2100-12-31");
    }

    [Theory]
    [InlineData("asOf", "9999-12-31")]
    [InlineData("today", "9999-12-31")]
    [InlineData("asOf", "2026-02-30")]
    public async Task A_query_date_outside_the_window_is_a_400_that_names_it(string parameter, string value)
    {
        await world.BuildAsync();

        var response = await Client.GetAsync($"/municipalities/{world.Ags}/roadmap?{parameter}={value}");

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(value, problem.GetProperty("errors").GetProperty(parameter)[0].GetString());
        ValidationWorld.AssertNoTypeNames(text);
    }

    [Fact]
    public async Task A_nul_in_a_title_is_a_400_not_a_database_error()
    {
        await world.BuildAsync();
        var before = await world.EventCountAsync();

        var response = await world.PostRawAsync("/procurements",
            $$"""{"title":"Gewerbe\u0000","category":"Gewerbe","leadAgs":"{{world.Ags}}","participants":[{"ags":"{{world.Ags}}","procedureId":"{{world.Procedure}}"}]}""");

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NUL", problem.GetProperty("errors").GetProperty("title")[0].GetString());
        ValidationWorld.AssertNoTypeNames(text);
        Assert.Equal(before, await world.EventCountAsync());
        await world.AssertPagesRenderAsync("a NUL in a title");
    }

    [Fact]
    public async Task Multi_line_fields_keep_their_line_breaks_and_single_line_fields_refuse_them()
    {
        await world.BuildAsync();

        var reason = await world.PostRawAsync($"/catalogue/releases/{world.OtherRelease}/end-of-support",
            """{"reason":"Vendor letter:\r\n\tsupport extended","endOfSecuritySupport":"2036-12-31"}""");
        await world.Driver.OkAsync(reason);

        var name = await world.PostRawAsync($"/municipalities/{world.Ags}/name", """{"name":"Markt\nNeudorf"}""");
        var (text, problem) = await ValidationWorld.ProblemAsync(name);
        Assert.Equal(HttpStatusCode.BadRequest, name.StatusCode);
        Assert.Contains("single line", problem.GetProperty("errors").GetProperty("name")[0].GetString());
        ValidationWorld.AssertNoTypeNames(text);
    }

    private async Task<HttpResponseMessage> EstimateAsync(Guid caseId, string share, params string[] ags) =>
        await world.PostRawAsync($"/procurements/{caseId}/value-estimate",
            JsonSerializer.Serialize(new { shares = ags.Select(a => new { ags = a, netValue = "#" }), includesOptions = true })
                .Replace("\"#\"", share, StringComparison.Ordinal));

    private async Task OkAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

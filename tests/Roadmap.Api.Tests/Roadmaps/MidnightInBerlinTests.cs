using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests.Roadmaps;

/// <summary>
/// Rule 9, one calendar day for everything: half an hour after midnight in Berlin, UTC is still on the day before. The
/// decisions' "today", the default today of the roadmap and of the mayor's page, and the as-of days all follow the day
/// in Berlin (issue 10).
/// </summary>
public sealed class MidnightInBerlinTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Theory]
    [InlineData("2026-11-29T23:30:00Z", "2026-11-30")] // 00:30 CET on 30.11.
    [InlineData("2026-07-14T22:30:00Z", "2026-07-15")] // 00:30 CEST on 15.7.
    public async Task At_00_30_in_Berlin_an_award_and_a_cut_over_dated_today_are_accepted_and_the_roadmap_is_of_that_day(string utc, string berlinDay)
    {
        var now = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture);
        var today = DateOnly.ParseExact(berlinDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var driver = new RoadmapDriver(factory);
        factory.Clock.AdjustTime(now.AddDays(-40));
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/replacement-plan",
            new { strategy = "Replace", targetGoLive = "2027-06-30", targetReleaseId = await driver.ReleaseAsync("2031-12-31", version: "6.0") }));
        var caseId = await driver.OpenCaseAsync("Gewerbe neu", (ags, procedure));
        await driver.EstimateAsync(caseId, 80_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/procedure-determination", new { plannedPublicationOn = today.AddDays(-30) }));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/start", new { startedOn = today.AddDays(-30) }));
        factory.Clock.AdjustTime(now);

        var award = await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/award", new { awardedOn = today, vendorName = "Ammerdata AG", netValue = 80_000m });
        await driver.OkAsync(award);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/replacement-schedule", new { cutOverOn = today }));
        var tomorrow = await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/cut-over", new { completedOn = today.AddDays(1) });
        var cutOver = await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/cut-over", new { completedOn = today });

        Assert.Equal(HttpStatusCode.Conflict, tomorrow.StatusCode);
        Assert.Equal("/problems/cut-over-in-future", (await tomorrow.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        await driver.OkAsync(cutOver);
        var recorded = Assert.Single((await cutOver.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events").EnumerateArray());
        Assert.Equal(now, recorded.GetProperty("recordedAt").GetDateTimeOffset()); // the event store records the app's clock
        Assert.Equal(berlinDay, (await award.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events")[0].GetProperty("data").GetProperty("awardedOn").GetString());
        await driver.CatchUpAsync();

        var roadmap = await driver.GetAsync($"/municipalities/{ags}/roadmap");
        var asOfToday = await driver.GetAsync($"/municipalities/{ags}/roadmap?asOf={berlinDay}");
        var asOfYesterday = await driver.GetAsync($"/municipalities/{ags}/roadmap?asOf={today.AddDays(-1):yyyy-MM-dd}");
        var page = await driver.Client.GetStringAsync($"/gemeinden/{ags}/roadmap");

        Assert.Equal(berlinDay, RoadmapDriver.Date(roadmap, "today"));
        Assert.Contains($"Stand: {today:dd.MM.yyyy}", page, StringComparison.Ordinal);
        Assert.Equal("cut-over", RoadmapDriver.Entry(roadmap, procedure).GetProperty("lifecycleState").GetString());
        Assert.Equal("cut-over", RoadmapDriver.Entry(asOfToday, procedure).GetProperty("lifecycleState").GetString());
        Assert.Equal("planned", RoadmapDriver.Entry(asOfYesterday, procedure).GetProperty("lifecycleState").GetString());
    }
}

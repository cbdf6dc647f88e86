using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Tests.Roadmaps;

public sealed class RoadmapApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private const string Today = "2026-01-15";

    [Fact]
    public async Task The_worked_example_runs_from_end_of_support_to_the_latest_start_of_an_EU_negotiated_procedure()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();

        var roadmap = await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}");

        Assert.Equal(Today, RoadmapDriver.Date(roadmap, "today"));
        Assert.Equal(JsonValueKind.Null, roadmap.GetProperty("asOf").ValueKind);
        var entry = RoadmapDriver.Entry(roadmap, procedure);
        var m = entry.GetProperty("milestones");
        Assert.Equal("2028-12-31", RoadmapDriver.Date(m, "effectiveEndOfSupport"));
        Assert.Equal("2028-09-30", RoadmapDriver.Date(m, "requiredGoLive"));
        Assert.Equal(9, m.GetProperty("migrationMonths").GetInt32());
        Assert.Equal("2027-12-31", RoadmapDriver.Date(m, "latestAward"));
        Assert.Equal("2027-03-31", RoadmapDriver.Date(m, "latestProcurementStart"));
        var type = entry.GetProperty("procedureType");
        Assert.Equal("EuVerhandlungsverfahren", type.GetProperty("type").GetString());
        Assert.Equal("AssumedWithoutEstimate", type.GetProperty("basis").GetString());
        Assert.Equal(440, entry.GetProperty("slackDays").GetInt32());
        Assert.Equal("Low", entry.GetProperty("band").GetString());
        Assert.Equal("introduced", entry.GetProperty("lifecycleState").GetString());
        Assert.Equal("Lech-Gewerbe", entry.GetProperty("release").GetProperty("product").GetString());
        Assert.Equal(1, roadmap.GetProperty("counts").GetProperty("low").GetInt32());
    }

    [Theory]
    [InlineData("2026-01-15", 440, "Low")]
    [InlineData("2026-11-15", 136, "Moderate")]
    [InlineData("2027-01-15", 75, "High")]
    [InlineData("2027-03-31", 0, "Late")]
    public async Task Slack_and_band_follow_the_today_of_the_query(string today, int slack, string band)
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();

        var entry = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap?today={today}"), procedure);

        Assert.Equal(slack, entry.GetProperty("slackDays").GetInt32());
        Assert.Equal(band, entry.GetProperty("band").GetString());
    }

    [Fact]
    public async Task One_municipality_at_180000_euros_may_negotiate_but_three_buying_jointly_need_an_EU_procedure()
    {
        var driver = new RoadmapDriver(factory);
        var county = RoadmapDriver.NewCounty();
        var release = await driver.ReleaseAsync("2028-12-31");
        var alone = await driver.MunicipalityAsync(county);
        var aloneProcedure = await driver.ProcedureAsync(alone, release);
        var aloneCase = await driver.OpenCaseAsync("Gewerbe allein", (alone, aloneProcedure));
        await driver.EstimateAsync(aloneCase, 180_000m, alone);
        var joint = new List<(string Ags, Guid ProcedureId)>();
        for (var i = 0; i < 3; i++)
        {
            var ags = await driver.MunicipalityAsync(county);
            joint.Add((ags, await driver.ProcedureAsync(ags, release)));
        }

        var jointCase = await driver.OpenCaseAsync("Gemeinsame Beschaffung Gewerbe", [.. joint]);
        await driver.EstimateAsync(jointCase, 180_000m, [.. joint.Select(j => j.Ags)]);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{jointCase}/procedure-determination", new { plannedPublicationOn = "2027-03-01" }));
        await driver.CatchUpAsync();

        var aloneEntry = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{alone}/roadmap?today={Today}"), aloneProcedure);
        var jointEntry = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{joint[1].Ags}/roadmap?today={Today}"), joint[1].ProcedureId);

        Assert.Equal("Verhandlungsvergabe", aloneEntry.GetProperty("procedureType").GetProperty("type").GetString());
        Assert.Equal("SuggestedFromValue", aloneEntry.GetProperty("procedureType").GetProperty("basis").GetString());
        Assert.Equal("2027-09-30", RoadmapDriver.Date(aloneEntry.GetProperty("milestones"), "latestProcurementStart"));
        Assert.Equal(JsonValueKind.Null, aloneEntry.GetProperty("badges").GetProperty("jointProcurement").ValueKind);
        var type = jointEntry.GetProperty("procedureType");
        Assert.Equal("EuOffenesVerfahren", type.GetProperty("type").GetString());
        Assert.Equal("Chosen", type.GetProperty("basis").GetString());
        Assert.Equal(540_000m, type.GetProperty("estimatedTotalNetValue").GetDecimal());
        Assert.Equal(216_000m, type.GetProperty("threshold").GetDecimal());
        Assert.Equal("2026–2027", type.GetProperty("thresholdPeriod").GetString());
        Assert.False(type.GetProperty("provisional").GetBoolean());
        Assert.Contains("540.000 €", type.GetProperty("reason").GetString());
        Assert.Equal("2027-06-30", RoadmapDriver.Date(jointEntry.GetProperty("milestones"), "latestProcurementStart"));
        var badge = jointEntry.GetProperty("badges").GetProperty("jointProcurement");
        Assert.Equal(jointCase, badge.GetProperty("caseId").GetGuid());
        Assert.Equal(3, badge.GetProperty("participantAgs").GetArrayLength());
    }

    [Fact]
    public async Task A_threshold_period_not_yet_published_makes_the_procedure_type_provisional()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2029-12-31"));
        var caseId = await driver.OpenCaseAsync("Gewerbe 2028", (ags, procedure));
        await driver.EstimateAsync(caseId, 180_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/procedure-determination", new { plannedPublicationOn = "2028-03-01" }));
        await driver.CatchUpAsync();

        var type = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}"), procedure).GetProperty("procedureType");

        Assert.Equal("Verhandlungsvergabe", type.GetProperty("type").GetString());
        Assert.True(type.GetProperty("provisional").GetBoolean());
        Assert.Contains("vorläufig", type.GetProperty("thresholdPeriod").GetString());
    }

    [Fact]
    public async Task Extended_support_moves_every_date_and_shows_as_a_badge_like_an_accepted_risk()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2029-12-31", reference = "EXT-1" }));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/risk-acceptances",
            new { acceptedBy = "Erster Bürgermeister", until = "2030-06-30", reason = "Ablösung gemeinsam mit dem Landkreis" }));
        await driver.CatchUpAsync();

        var entry = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}"), procedure);

        var m = entry.GetProperty("milestones");
        Assert.Equal("2029-12-31", RoadmapDriver.Date(m, "effectiveEndOfSupport"));
        Assert.Equal("ExtendedSupport", m.GetProperty("endOfSupportBasis").GetString());
        Assert.Equal("2029-09-30", RoadmapDriver.Date(m, "requiredGoLive"));
        Assert.Equal("2028-12-31", RoadmapDriver.Date(m, "latestAward"));
        Assert.Equal("2028-03-31", RoadmapDriver.Date(m, "latestProcurementStart"));
        var badges = entry.GetProperty("badges");
        Assert.Equal("2029-12-31", RoadmapDriver.Date(badges, "extendedSupportUntil"));
        Assert.Equal("Erster Bürgermeister", badges.GetProperty("acceptedRisk").GetProperty("acceptedBy").GetString());
        Assert.Equal("2028-12-31", RoadmapDriver.Date(entry, "endOfSecuritySupport"));
    }

    [Fact]
    public async Task A_go_live_in_the_2028_election_freeze_moves_before_it()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2029-01-31", "Einwohnermeldewesen"), "Einwohnermeldewesen", "Einwohnermeldeamt");
        await driver.CatchUpAsync();

        var m = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}"), procedure).GetProperty("milestones");

        Assert.Equal("2028-07-31", RoadmapDriver.Date(m, "requiredGoLive"));
        Assert.Contains("Landtags", Assert.Single(m.GetProperty("freezeWindowsAvoided").EnumerateArray()).GetString());
        Assert.Equal(15, m.GetProperty("migrationMonths").GetInt32());
        Assert.Equal("2027-04-30", RoadmapDriver.Date(m, "latestAward"));
    }

    [Fact]
    public async Task As_of_an_earlier_day_the_roadmap_shows_what_was_known_then()
    {
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)); // 10:00 in Berlin
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var release = await driver.ReleaseAsync("2028-12-31");
        var procedure = await driver.ProcedureAsync(ags, release);
        factory.Clock.Advance(TimeSpan.FromDays(10));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/catalogue/releases/{release}/deprecations",
            new { noticeId = "LS-1", announcedOn = "2026-01-10", source = "Herstellerschreiben", endOfSecuritySupport = "2027-12-31" }));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2028-06-30", reference = "EXT-2" }));
        await driver.CatchUpAsync();
        const string asOf = "2026-01-10";

        var then = await driver.GetAsync($"/municipalities/{ags}/roadmap?asOf={asOf}&today={Today}");
        var now = await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}");

        Assert.Equal(asOf, RoadmapDriver.Date(then, "asOf"));
        Assert.Equal(asOf, RoadmapDriver.Date(then, "stand"));
        var before = RoadmapDriver.Entry(then, procedure);
        Assert.Equal("2028-12-31", RoadmapDriver.Date(before.GetProperty("milestones"), "effectiveEndOfSupport"));
        Assert.Equal(JsonValueKind.Null, before.GetProperty("badges").GetProperty("extendedSupportUntil").ValueKind);
        var after = RoadmapDriver.Entry(now, procedure);
        Assert.Equal("2028-06-30", RoadmapDriver.Date(after.GetProperty("milestones"), "effectiveEndOfSupport"));
        Assert.Equal("2027-12-31", RoadmapDriver.Date(after, "endOfSecuritySupport"));
        var beforeAnything = await driver.Client.GetAsync($"/municipalities/{ags}/roadmap?asOf=2026-01-04");
        Assert.Equal(HttpStatusCode.NotFound, beforeAnything.StatusCode);
    }

    [Fact]
    public async Task The_csv_has_a_header_and_one_line_per_procedure_for_Excel()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty(), "Gemeinde; mit \"Zeichen\"");
        var release = await driver.ReleaseAsync("2028-12-31");
        await driver.ProcedureAsync(ags, release, name: "Gewerbeamt");
        await driver.ProcedureAsync(ags, release, name: "=Gewerbe Außenstelle");
        await driver.CatchUpAsync();

        var response = await driver.Client.GetAsync($"/municipalities/{ags}/roadmap.csv?today={Today}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("AGS;Gemeinde;Stand;Verfahren;", lines[0]);
        Assert.All(lines[1..], l => Assert.StartsWith($"{ags};\"Gemeinde; mit \"\"Zeichen\"\"\";15.01.2026;", l));
        Assert.Contains(lines, l => l.Contains(";'=Gewerbe Außenstelle;", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(";31.03.2027;", StringComparison.Ordinal));
        // The page's words (issue 14): the status and the band in German, as the mayor's page shows them.
        Assert.All(lines[1..], l => Assert.Contains(";im Betrieb;31.12.2028;", l, StringComparison.Ordinal));
        Assert.All(lines[1..], l => Assert.Matches(";(verspätet|hohes Risiko|mittleres Risiko|geringes Risiko);", l));
        Assert.DoesNotContain(lines, l => l.Contains(";introduced;", StringComparison.Ordinal) || l.Contains(";High;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_milestone_whose_date_moved_gets_a_higher_sequence_and_the_feed_answers_conditional_requests()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var release = await driver.ReleaseAsync("2029-06-30");
        var procedure = await driver.ProcedureAsync(ags, release);
        await driver.CatchUpAsync();
        var url = $"/municipalities/{ags}/roadmap.ics?today={Today}";

        var first = await driver.Client.GetAsync(url);
        var firstCalendar = Ical.Net.Calendar.Load(await first.Content.ReadAsStringAsync())!;
        Assert.All(firstCalendar.Events, e => Assert.Equal(0, e.Sequence));
        var etag = first.Headers.ETag!;
        Assert.NotNull(first.Content.Headers.LastModified);

        using (var again = new HttpRequestMessage(HttpMethod.Get, url))
        {
            again.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await driver.Client.SendAsync(again)).StatusCode);
        }

        using (var since = new HttpRequestMessage(HttpMethod.Get, url))
        {
            since.Headers.IfModifiedSince = first.Content.Headers.LastModified;
            Assert.Equal(HttpStatusCode.NotModified, (await driver.Client.SendAsync(since)).StatusCode);
        }

        // The vendor moves the end of support: every milestone of the procedure moves with it.
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/catalogue/releases/{release}/end-of-support",
            new { reason = "Herstellerankündigung", endOfSecuritySupport = "2029-12-31" }));
        await driver.CatchUpAsync();
        var moved = await driver.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.NotEqual(etag, moved.Headers.ETag);
        var calendar = Ical.Net.Calendar.Load(await moved.Content.ReadAsStringAsync())!;
        var endOfSupport = calendar.Events.Single(e => e.Uid == $"{procedure}-end-of-support@roadmap");
        Assert.Equal(1, endOfSupport.Sequence);
        Assert.NotNull(endOfSupport.LastModified);
        Assert.True(endOfSupport.DtStamp!.AsUtc > firstCalendar.Events.Single(e => e.Uid == endOfSupport.Uid).DtStamp!.AsUtc);

        // Asked again with nothing changed: the same bytes (no second move counted).
        var same = await driver.Client.GetAsync(url);
        Assert.Equal(moved.Headers.ETag, same.Headers.ETag);
        Assert.Equal(1, Ical.Net.Calendar.Load(await same.Content.ReadAsStringAsync())!.Events.Single(e => e.Uid == endOfSupport.Uid).Sequence);
    }

    [Fact]
    public async Task The_csv_says_not_announced_where_the_page_does()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        await driver.ProcedureAsync(ags, await driver.ReleaseAsync("tba"));
        await driver.CatchUpAsync();

        var csv = Encoding.UTF8.GetString(await driver.Client.GetByteArrayAsync($"/municipalities/{ags}/roadmap.csv?today={Today}"));

        Assert.Contains(";im Betrieb;noch nicht angekündigt;noch nicht angekündigt;", csv, StringComparison.Ordinal);
        Assert.Contains(";unbekannt;", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("tba", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_risk_board_groups_releases_by_municipality_and_counts_the_bands()
    {
        var driver = new RoadmapDriver(factory);
        var county = RoadmapDriver.NewCounty();
        var soon = await driver.ReleaseAsync("2027-06-30", version: "4.0");
        var later = await driver.ReleaseAsync("2030-12-31", version: "6.0");
        var first = await driver.MunicipalityAsync(county);
        var second = await driver.MunicipalityAsync(county);
        await driver.ProcedureAsync(first, soon);
        await driver.ProcedureAsync(second, soon);
        await driver.ProcedureAsync(second, later);
        await driver.CatchUpAsync();

        var board = await driver.GetAsync($"/counties/{county}/risk-board?today={Today}");

        var counts = board.GetProperty("counts");
        Assert.Equal(2, counts.GetProperty("late").GetInt32());
        Assert.Equal(1, counts.GetProperty("low").GetInt32());
        var rows = board.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(soon, rows[0].GetProperty("release").GetProperty("releaseId").GetGuid());
        Assert.Equal(2, rows[0].GetProperty("cells").GetArrayLength());
        Assert.All(rows[0].GetProperty("cells").EnumerateArray(), c => Assert.Equal("Late", c.GetProperty("band").GetString()));
        Assert.Equal(later, rows[1].GetProperty("release").GetProperty("releaseId").GetGuid());

        var csv = await driver.Client.GetAsync($"/counties/{county}/risk-board.csv?today={Today}");
        var lines = Encoding.UTF8.GetString((await csv.Content.ReadAsByteArrayAsync())[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Landkreis;Stand;", lines[0]);
    }

    [Fact]
    public async Task The_timeline_follows_the_actual_start_and_plans_the_rest_with_legal_minimums_from_today()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        var caseId = await driver.OpenCaseAsync("Gewerbe EU", (ags, procedure));
        await driver.EstimateAsync(caseId, 300_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/procedure-determination", new { plannedPublicationOn = "2025-10-01" }));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/start", new { startedOn = "2025-09-01" }));
        await driver.CatchUpAsync();

        var timeline = await driver.GetAsync($"/procurements/{caseId}/timeline?today={Today}");

        Assert.Equal("EuOffenesVerfahren", timeline.GetProperty("procedureType").GetString());
        Assert.Equal("started", timeline.GetProperty("state").GetString());
        var phases = timeline.GetProperty("phases").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!);
        Assert.Equal(
            ["preparation", "offers", "evaluation", "award-notice", "standstill", "review-reserve", "contract", "migration", "cut-over"],
            phases.Keys);
        Assert.Equal("2025-09-01", RoadmapDriver.Date(phases["preparation"], "actualStart"));
        Assert.Equal("2025-09-01", RoadmapDriver.Date(phases["preparation"], "plannedStart"));
        // The preparation has not ended by today (nothing published yet): the rest is planned from tomorrow.
        Assert.Equal(Today, RoadmapDriver.Date(phases["preparation"], "plannedEnd"));
        Assert.Equal(30, phases["offers"].GetProperty("legalMinimumDays").GetInt32());
        Assert.Equal("2026-01-16", RoadmapDriver.Date(phases["offers"], "plannedStart"));
        Assert.Equal("2026-02-14", RoadmapDriver.Date(phases["offers"], "plannedEnd"));
        Assert.False(phases["offers"].GetProperty("cannotMeetMinimum").GetBoolean());
        Assert.Equal(10, phases["standstill"].GetProperty("legalMinimumDays").GetInt32());
        Assert.False(phases["standstill"].GetProperty("cannotMeetMinimum").GetBoolean());
        Assert.Equal("2026-05-02", RoadmapDriver.Date(phases["contract"], "plannedStart"));
        Assert.Equal("2028-09-30", RoadmapDriver.Date(timeline, "requiredGoLive"));
        Assert.Equal("2027-02-02", RoadmapDriver.Date(phases["cut-over"], "plannedStart"));
        Assert.False(timeline.GetProperty("provisional").GetBoolean());

        var ofMunicipality = await driver.GetAsync($"/municipalities/{ags}/procurement-timelines?today={Today}");
        Assert.Equal(caseId, Assert.Single(ofMunicipality.EnumerateArray()).GetProperty("caseId").GetGuid());
    }

    [Fact]
    public async Task A_timeline_squeezed_by_a_near_go_live_flags_the_legal_period_it_can_no_longer_meet()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2026-05-10"));
        var caseId = await driver.OpenCaseAsync("Gewerbe eilig", (ags, procedure));
        await driver.EstimateAsync(caseId, 300_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/procedure-determination", new { plannedPublicationOn = "2026-01-20" }));
        await driver.CatchUpAsync();

        var timeline = await driver.GetAsync($"/procurements/{caseId}/timeline?today={Today}");

        var phases = timeline.GetProperty("phases").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!);
        Assert.Equal("2026-02-10", RoadmapDriver.Date(phases["cut-over"], "plannedStart"));
        Assert.Equal("2026-02-10", RoadmapDriver.Date(timeline, "requiredGoLive"));
        Assert.True(phases["offers"].GetProperty("cannotMeetMinimum").GetBoolean());
        Assert.Contains(timeline.GetProperty("notes").EnumerateArray(), n => n.GetProperty("code").GetString() == "compressed-to-meet-go-live");
    }

    [Fact]
    public async Task Cases_that_together_reach_the_threshold_within_twelve_months_warn_of_splitting_on_the_case_the_roadmap_the_csv_and_the_page()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var release = await driver.ReleaseAsync("2029-12-31");
        var first = await driver.ProcedureAsync(ags, release, name: "Gewerbe Hauptamt");
        var second = await driver.ProcedureAsync(ags, release, name: "Gewerbe Außenstelle");
        var firstCase = await driver.OpenCaseAsync("Gewerbe Teil 1", (ags, first));
        var secondCase = await driver.OpenCaseAsync("Gewerbe Teil 2", (ags, second));
        await driver.EstimateAsync(firstCase, 120_000m, ags);
        await driver.EstimateAsync(secondCase, 110_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{firstCase}/procedure-determination", new { plannedPublicationOn = "2026-04-01" }));
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{secondCase}/procedure-determination", new { plannedPublicationOn = "2026-09-01" }));
        await driver.CatchUpAsync();

        var @case = await driver.GetAsync($"/procurements/{firstCase}");
        var warning = Assert.Single(@case.GetProperty("splittingWarnings").EnumerateArray());
        Assert.Equal(230_000m, warning.GetProperty("combinedNetValue").GetDecimal());
        Assert.Equal([firstCase, secondCase], warning.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("caseId").GetGuid()));

        var roadmap = await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}");
        Assert.Single(roadmap.GetProperty("splittingWarnings").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, RoadmapDriver.Entry(roadmap, second).GetProperty("splittingWarning").ValueKind);

        var csv = Encoding.UTF8.GetString(await driver.Client.GetByteArrayAsync($"/municipalities/{ags}/roadmap.csv?today={Today}"));
        Assert.Contains("Warnung Aufteilung (§ 3 Abs. 2 VgV)", csv, StringComparison.Ordinal);
        Assert.Equal(2, csv.Split("Mögliche unzulässige Aufteilung").Length - 1);

        var page = await driver.Client.GetStringAsync($"/gemeinden/{ags}/roadmap?heute={Today}");
        Assert.Contains("data-warning=\"splitting\"", page, StringComparison.Ordinal);
        Assert.Contains("„Gewerbe Teil 1“, „Gewerbe Teil 2“", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_estimate_starting_in_an_unpublished_threshold_period_is_provisional_in_the_json_the_csv_and_the_page()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2030-12-31"));
        var caseId = await driver.OpenCaseAsync("Gewerbe 2029", (ags, procedure));
        await driver.EstimateAsync(caseId, 180_000m, ags);
        await driver.CatchUpAsync();

        var entry = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}"), procedure);
        Assert.True(entry.GetProperty("procedureType").GetProperty("provisional").GetBoolean());
        Assert.True(entry.GetProperty("milestones").GetProperty("provisional").GetBoolean());

        var lines = Encoding.UTF8.GetString((await driver.Client.GetByteArrayAsync($"/municipalities/{ags}/roadmap.csv?today={Today}"))[3..])
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(';').ToList();
        Assert.Equal("ja", lines[1].Split(';')[header.IndexOf("Termine vorläufig")]);

        var page = await driver.Client.GetStringAsync($"/gemeinden/{ags}/roadmap?heute={Today}");
        Assert.Contains("Vergabeart und Termine vorläufig", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sector_authority_shows_on_the_roadmap_and_the_page_with_its_justification()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        var caseId = await driver.OpenCaseAsync("Leitsystem Wasser", (ags, procedure));
        await driver.EstimateAsync(caseId, 400_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procurements/{caseId}/procedure-determination",
            new { plannedPublicationOn = "2026-09-01", authorityKind = "Sector", authorityKindJustification = "Wasserversorgung des Zweckverbands: Sektorentätigkeit" }));
        await driver.CatchUpAsync();

        var type = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap?today={Today}"), procedure).GetProperty("procedureType");
        Assert.Equal("Sector", type.GetProperty("authorityKind").GetString());
        Assert.Equal("Wasserversorgung des Zweckverbands: Sektorentätigkeit", type.GetProperty("authorityKindJustification").GetString());
        Assert.Equal(432_000m, type.GetProperty("threshold").GetDecimal());

        var page = await driver.Client.GetStringAsync($"/gemeinden/{ags}/roadmap?heute={Today}");
        Assert.Contains("Auftraggeberart Sektorenauftraggeber, Begründung: Wasserversorgung des Zweckverbands: Sektorentätigkeit", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_dates_are_400_and_unknown_resources_404()
    {
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());

        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Client.GetAsync($"/municipalities/{ags}/roadmap?today=15.01.2026")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Client.GetAsync($"/municipalities/{ags}/roadmap.csv?asOf=2026-13-01")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Client.GetAsync($"/counties/{ags}/risk-board")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await driver.Client.GetAsync("/municipalities/09189999/roadmap")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await driver.Client.GetAsync($"/procurements/{Guid.NewGuid()}/timeline")).StatusCode);
    }

    [Fact]
    public async Task Rebuilding_the_roadmap_projection_gives_the_same_answers()
    {
        var driver = new RoadmapDriver(factory);
        var county = RoadmapDriver.NewCounty();
        var ags = await driver.MunicipalityAsync(county);
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        var caseId = await driver.OpenCaseAsync("Gewerbe", (ags, procedure));
        await driver.EstimateAsync(caseId, 150_000m, ags);
        await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/procedures/{procedure}/extended-support", new { until = "2029-03-31", reference = "EXT-3" }));
        await driver.CatchUpAsync();
        var roadmap = await driver.Client.GetStringAsync($"/municipalities/{ags}/roadmap?today={Today}");
        var board = await driver.Client.GetStringAsync($"/counties/{county}/risk-board?today={Today}");
        var asOf = await driver.Client.GetStringAsync($"/municipalities/{ags}/roadmap?today={Today}&asOf={CalendarDay.Today(factory.Clock):yyyy-MM-dd}");

        var admin = factory.Services.GetRequiredService<ProjectionAdmin>();
        var rebuiltBefore = (await admin.GetStatusAsync(RoadmapProjection.ProjectionName))!.RebuiltAt;
        Assert.True(await admin.RequestRebuildAsync(RoadmapProjection.ProjectionName));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await admin.GetStatusAsync(RoadmapProjection.ProjectionName))!.RebuiltAt == rebuiltBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, "The rebuild did not finish within a minute.");
            await Task.Delay(50);
        }

        Assert.Equal(roadmap, await driver.Client.GetStringAsync($"/municipalities/{ags}/roadmap?today={Today}"));
        Assert.Equal(board, await driver.Client.GetStringAsync($"/counties/{county}/risk-board?today={Today}"));
        Assert.Equal(StripAsOf(asOf), StripAsOf(roadmap));
    }

    /// <summary>The live and the as-of answer differ only in asOf; everything else must be the same fold.</summary>
    private static string StripAsOf(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        node["asOf"] = null;
        node["stand"] = null;
        return node.ToJsonString();
    }
}

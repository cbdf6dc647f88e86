using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Roadmap.Api.Tests.Procedures;

public sealed class ProcedureApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private static int _next = 100;

    private static string NewAgs() => $"09181{Interlocked.Increment(ref _next):D3}";

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object body, string? key = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Actor", "pm.mueller");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    private static async Task<string> MunicipalityAsync(HttpClient client)
    {
        var ags = NewAgs();
        var response = await PostAsync(client, "/municipalities", new { ags, name = "Kaufering", countyAgs = "09181000" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ags;
    }

    /// <summary>A vendor, product and release (supported until the end of 2026) registered through the catalogue endpoints.</summary>
    private async Task<Guid> ReleaseAsync(string version = "1.0")
    {
        var client = factory.CreateClient();
        var vendor = await CreatedIdAsync(await PostAsync(client, "/catalogue/vendors", new { name = "Lechtal Software GmbH" }));
        var product = await CreatedIdAsync(await PostAsync(client, "/catalogue/products", new { vendorId = vendor, name = "Lech-EWO", category = "Sonstiges" }));
        return await CreatedIdAsync(await PostAsync(client, "/catalogue/releases",
            new { productId = product, version, generalAvailability = "2018-01-01", endOfSecuritySupport = "2026-12-31" }));
    }

    private static async Task<Guid> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
    }

    private static async Task OkAsync(HttpResponseMessage response) =>
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

    private static object Introduction(Guid releaseId, string name = "Lech-EWO") =>
        new { category = "Sonstiges", releaseId, name, introducedOn = "2019-04-01" };

    private async Task<(HttpClient Client, string Ags, Guid ProcedureId, Guid ReleaseId)> IntroducedAsync()
    {
        var client = factory.CreateClient();
        var ags = await MunicipalityAsync(client);
        var releaseId = await ReleaseAsync();
        var response = await PostAsync(client, $"/municipalities/{ags}/procedures", Introduction(releaseId));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
        return (client, ags, id, releaseId);
    }

    private static async Task<JsonElement> ListedAsync(HttpClient client, string ags, Guid procedureId)
    {
        var list = await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}/procedures");
        return list.EnumerateArray().Single(p => p.GetProperty("procedureId").GetGuid() == procedureId);
    }

    private static async Task<string> ProblemTypeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString()!;

    [Fact]
    public async Task Introducing_a_procedure_answers_201_with_its_location_and_lists_it_as_introduced()
    {
        var client = factory.CreateClient();
        var ags = await MunicipalityAsync(client);
        var releaseId = await ReleaseAsync();

        var response = await PostAsync(client, $"/municipalities/{ags}/procedures", Introduction(releaseId));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Matches("^/procedures/[0-9a-f-]{36}$", response.Headers.Location?.ToString());
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        var id = Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
        Assert.Equal(7, id.Version);

        var read = await client.GetAsync($"/procedures/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Lech-EWO", view.GetProperty("name").GetString());
        Assert.Equal("introduced", view.GetProperty("state").GetString());

        var listed = await ListedAsync(client, ags, id);
        Assert.Equal("introduced", listed.GetProperty("state").GetString());
        Assert.Equal("Sonstiges", listed.GetProperty("category").GetString());
        Assert.Equal(releaseId, listed.GetProperty("releaseId").GetGuid());
    }

    [Fact]
    public async Task Introducing_in_an_unregistered_municipality_is_a_404()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync();

        var response = await PostAsync(client, "/municipalities/09181990/procedures", Introduction(releaseId));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("/problems/municipality-unknown", await ProblemTypeAsync(response));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/municipalities/09181990/procedures")).StatusCode);
    }

    [Fact]
    public async Task Introducing_an_unregistered_release_is_a_422_and_stores_nothing()
    {
        var client = factory.CreateClient();
        var ags = await MunicipalityAsync(client);

        var response = await PostAsync(client, $"/municipalities/{ags}/procedures", Introduction(Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("/problems/release-unknown", await ProblemTypeAsync(response));
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}/procedures")).EnumerateArray());
    }

    [Fact]
    public async Task An_empty_name_and_a_missing_release_are_listed_as_field_errors()
    {
        var client = factory.CreateClient();
        var ags = await MunicipalityAsync(client);

        var response = await PostAsync(client, $"/municipalities/{ags}/procedures",
            new { category = "Sonstiges", releaseId = Guid.Empty, name = "", introducedOn = "2019-04-01" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("releaseId", out _));
    }

    [Fact]
    public async Task An_unknown_category_is_a_400()
    {
        var client = factory.CreateClient();
        var ags = await MunicipalityAsync(client);

        var response = await PostAsync(client, $"/municipalities/{ags}/procedures",
            new { category = "Astrologie", releaseId = Guid.NewGuid(), name = "X", introducedOn = "2019-04-01" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("/problems/body-invalid-json", await ProblemTypeAsync(response));
    }

    [Fact]
    public async Task Every_decision_from_extended_support_to_retirement_is_stored_and_shown_in_the_index()
    {
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 11, 16, 8, 0, 0, TimeSpan.Zero)); // 9:00 in Berlin
        var today = new DateOnly(2026, 11, 16);
        var (client, ags, id, _) = await IntroducedAsync();
        var target = await ReleaseAsync("2.0");

        var support = await PostAsync(client, $"/procedures/{id}/extended-support", new { until = "2028-12-31", reference = "EV-2026-17", cost = 12000.50m });
        Assert.Equal(HttpStatusCode.OK, support.StatusCode);
        Assert.Equal("2028-12-31", (await ListedAsync(client, ags, id)).GetProperty("extendedSupportUntil").GetString());

        var risk = await PostAsync(client, $"/procedures/{id}/risk-acceptances",
            new { acceptedBy = "Bürgermeisterin Huber", until = today.AddDays(90), reason = "Nachfolger in Beschaffung" });
        Assert.Equal(HttpStatusCode.OK, risk.StatusCode);

        var plan = await PostAsync(client, $"/procedures/{id}/replacement-plan", new { strategy = "Upgrade", targetGoLive = "2027-06-01", targetReleaseId = target });
        Assert.Equal(HttpStatusCode.OK, plan.StatusCode);
        var planned = await ListedAsync(client, ags, id);
        Assert.Equal("planned", planned.GetProperty("state").GetString());
        Assert.Equal("Upgrade", planned.GetProperty("strategy").GetString());

        var cutOverOn = today.AddDays(-7);
        var schedule = await PostAsync(client, $"/procedures/{id}/replacement-schedule", new { cutOverOn });
        Assert.Equal(HttpStatusCode.OK, schedule.StatusCode);
        Assert.Equal("scheduled", (await ListedAsync(client, ags, id)).GetProperty("state").GetString());

        var cutOver = await PostAsync(client, $"/procedures/{id}/cut-over", new { completedOn = cutOverOn });
        Assert.Equal(HttpStatusCode.OK, cutOver.StatusCode);
        var switched = await ListedAsync(client, ags, id);
        Assert.Equal("cut-over", switched.GetProperty("state").GetString());
        Assert.Equal(target, switched.GetProperty("releaseId").GetGuid());
        Assert.Equal(JsonValueKind.Null, switched.GetProperty("extendedSupportUntil").ValueKind);

        var retirement = await PostAsync(client, $"/procedures/{id}/retirement", new { retiredOn = today, reason = "Zur Kreis-Lösung konsolidiert" });
        Assert.Equal(HttpStatusCode.OK, retirement.StatusCode);
        Assert.Equal("W/\"7\"", retirement.Headers.ETag?.ToString());
        var retired = await ListedAsync(client, ags, id);
        Assert.Equal("retired", retired.GetProperty("state").GetString());
        Assert.Equal(7, retired.GetProperty("version").GetInt64());

        var view = await client.GetFromJsonAsync<JsonElement>($"/procedures/{id}");
        Assert.Equal("retired", view.GetProperty("state").GetString());
        var history = await client.GetFromJsonAsync<JsonElement>($"/procedures/{id}/history");
        Assert.Equal<string>(
            ["procedure.introduced", "procedure.extended-support-purchased", "procedure.risk-accepted", "procedure.replacement-planned",
             "procedure.replacement-scheduled", "procedure.cut-over-completed", "procedure.retired"],
            history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()!).ToList());

        var afterRetirement = await PostAsync(client, $"/procedures/{id}/extended-support", new { until = "2029-12-31", reference = "EV-2" });
        Assert.Equal(HttpStatusCode.Conflict, afterRetirement.StatusCode);
        Assert.Equal("/problems/procedure-retired", await ProblemTypeAsync(afterRetirement));
    }

    [Fact]
    public async Task A_cut_over_of_an_assigned_procedure_waits_for_the_award_of_its_procurement_case()
    {
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 11, 16, 8, 0, 0, TimeSpan.Zero)); // 9:00 in Berlin
        var today = new DateOnly(2026, 11, 16);
        var (client, ags, id, _) = await IntroducedAsync();
        var cutOverOn = today.AddDays(-3);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, $"/procedures/{id}/replacement-plan",
            new { strategy = "Replace", targetGoLive = "2027-06-01", targetReleaseId = await ReleaseAsync("9.0") })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, $"/procedures/{id}/replacement-schedule", new { cutOverOn })).StatusCode);
        var caseId = await OpenCaseAsync(client, ags, id);
        Assert.Equal(caseId, (await ListedAsync(client, ags, id)).GetProperty("caseId").GetGuid());

        var early = await PostAsync(client, $"/procedures/{id}/cut-over", new { completedOn = cutOverOn });

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("/problems/cut-over-before-award", await ProblemTypeAsync(early));

        await AwardAsync(client, caseId, ags, today.AddDays(-10));
        var afterAward = await PostAsync(client, $"/procedures/{id}/cut-over", new { completedOn = cutOverOn });
        Assert.Equal(HttpStatusCode.OK, afterAward.StatusCode);
        Assert.Equal("cut-over", (await ListedAsync(client, ags, id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Index_and_view_follow_two_replacements_support_and_risk_lapse_only_when_the_release_changes()
    {
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 11, 16, 8, 0, 0, TimeSpan.Zero)); // 9:00 in Berlin
        var today = new DateOnly(2026, 11, 16);
        var (client, ags, id, _) = await IntroducedAsync();
        var target = await ReleaseAsync("3.0");
        await OkAsync(await PostAsync(client, $"/procedures/{id}/risk-acceptances",
            new { acceptedBy = "Bürgermeisterin Huber", until = today.AddDays(60), reason = "Nachfolger in Beschaffung" }));
        await OkAsync(await PostAsync(client, $"/procedures/{id}/extended-support", new { until = "2028-12-31", reference = "EV-1" }));
        await OkAsync(await PostAsync(client, $"/procedures/{id}/replacement-plan", new { strategy = "Upgrade", targetGoLive = "2027-06-01", targetReleaseId = target }));
        var caseId = await OpenCaseAsync(client, ags, id);
        await AwardAsync(client, caseId, ags, today.AddDays(-20));
        await OkAsync(await PostAsync(client, $"/procedures/{id}/replacement-schedule", new { cutOverOn = today.AddDays(-10) }));

        var scheduled = await ListedAsync(client, ags, id);
        Assert.Equal(today.AddDays(-10).ToString("O"), scheduled.GetProperty("cutOverOn").GetString());
        Assert.Equal(today.AddDays(60).ToString("O"), scheduled.GetProperty("riskAcceptedUntil").GetString());
        Assert.Equal(caseId, scheduled.GetProperty("caseId").GetGuid());

        await OkAsync(await PostAsync(client, $"/procedures/{id}/cut-over", new { completedOn = today.AddDays(-9) }));
        var switched = await ListedAsync(client, ags, id);
        Assert.Equal("cut-over", switched.GetProperty("state").GetString());
        Assert.Equal(today.AddDays(-9).ToString("O"), switched.GetProperty("cutOverOn").GetString());
        Assert.Equal(target, switched.GetProperty("releaseId").GetGuid());
        foreach (var lapsed in new[] { "extendedSupportUntil", "riskAcceptedUntil", "strategy", "targetGoLive", "caseId" })
        {
            Assert.Equal(JsonValueKind.Null, switched.GetProperty(lapsed).ValueKind);
        }

        // The next replacement keeps the release (an upgrade in place): support and risk bought for it stay.
        await OkAsync(await PostAsync(client, $"/procedures/{id}/extended-support", new { until = "2030-12-31", reference = "EV-2" }));
        await OkAsync(await PostAsync(client, $"/procedures/{id}/risk-acceptances",
            new { acceptedBy = "Bürgermeister Lechner", until = today.AddDays(30), reason = "Patch im Test" }));
        await OkAsync(await PostAsync(client, $"/procedures/{id}/replacement-plan", new { strategy = "Upgrade", targetGoLive = "2027-09-01" }));
        var replanned = await ListedAsync(client, ags, id);
        Assert.Equal("planned", replanned.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, replanned.GetProperty("cutOverOn").ValueKind);
        var replannedView = await client.GetFromJsonAsync<JsonElement>($"/procedures/{id}");
        Assert.Equal("planned", replannedView.GetProperty("state").GetString());
        Assert.Equal(today.AddDays(-9).ToString("O"), replannedView.GetProperty("cutOverOn").GetString());

        await OkAsync(await PostAsync(client, $"/procedures/{id}/replacement-schedule", new { cutOverOn = today.AddDays(-2) }));
        Assert.Equal(today.AddDays(-2).ToString("O"), (await ListedAsync(client, ags, id)).GetProperty("cutOverOn").GetString());
        await OkAsync(await PostAsync(client, $"/procedures/{id}/cut-over", new { completedOn = today.AddDays(-1) }));

        var listed = await ListedAsync(client, ags, id);
        var view = await client.GetFromJsonAsync<JsonElement>($"/procedures/{id}");
        Assert.Equal(target, listed.GetProperty("releaseId").GetGuid());
        Assert.Equal(today.AddDays(-1).ToString("O"), listed.GetProperty("cutOverOn").GetString());
        Assert.Equal("2030-12-31", listed.GetProperty("extendedSupportUntil").GetString());
        Assert.Equal(today.AddDays(30).ToString("O"), listed.GetProperty("riskAcceptedUntil").GetString());
        Assert.Equal("2030-12-31", view.GetProperty("extendedSupportUntil").GetString());
        Assert.Equal("Bürgermeister Lechner", view.GetProperty("riskAcceptedBy").GetString());
        Assert.Equal(today.AddDays(-1).ToString("O"), view.GetProperty("cutOverOn").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("scheduledCutOverOn").ValueKind);
        Assert.Equal(12, listed.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Scheduling_an_assigned_procedure_before_its_award_is_a_409()
    {
        var (client, ags, id, _) = await IntroducedAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, $"/procedures/{id}/replacement-plan",
            new { strategy = "Retire", targetGoLive = "2027-06-01" })).StatusCode);
        await OpenCaseAsync(client, ags, id);

        var response = await PostAsync(client, $"/procedures/{id}/replacement-schedule", new { cutOverOn = "2027-05-03" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("/problems/cut-over-before-award", await ProblemTypeAsync(response));
    }

    [Fact]
    public async Task A_decision_with_a_stale_If_Match_is_a_412_and_stores_nothing()
    {
        var (client, _, id, _) = await IntroducedAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, $"/procedures/{id}/extended-support",
            new { until = "2027-12-31", reference = "EV-1" }, ifMatch: "W/\"1\"")).StatusCode);

        var stale = await PostAsync(client, $"/procedures/{id}/extended-support", new { until = "2028-12-31", reference = "EV-2" }, ifMatch: "W/\"1\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("/problems/version-stale", await ProblemTypeAsync(stale));
        var read = await client.GetAsync($"/procedures/{id}");
        Assert.Equal("W/\"2\"", read.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task A_retried_introduction_with_the_same_idempotency_key_creates_one_procedure()
    {
        var client = factory.CreateClient();
        var ags = await MunicipalityAsync(client);
        var releaseId = await ReleaseAsync();
        var key = Guid.NewGuid().ToString();

        var first = await PostAsync(client, $"/municipalities/{ags}/procedures", Introduction(releaseId), key);
        var retry = await PostAsync(client, $"/municipalities/{ags}/procedures", Introduction(releaseId), key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}/procedures")).EnumerateArray());
    }

    [Fact]
    public async Task A_decision_for_an_unknown_procedure_is_a_404()
    {
        var client = factory.CreateClient();
        var id = Guid.NewGuid();

        var response = await PostAsync(client, $"/procedures/{id}/retirement", new { retiredOn = "2026-01-01", reason = "x" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("/problems/procedure-unknown", await ProblemTypeAsync(response));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/procedures/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/procedures/{id}/history")).StatusCode);
    }

    /// <summary>Opens a procurement case for the procedure, which assigns it to the case.</summary>
    private static async Task<Guid> OpenCaseAsync(HttpClient client, string ags, Guid procedureId) =>
        await CreatedIdAsync(await PostAsync(client, "/procurements", new
        {
            title = "Ablösung Lech-EWO",
            category = "Sonstiges",
            leadAgs = ags,
            participants = new[] { new { ags, procedureId } },
        }));

    /// <summary>Takes the case through estimate, determination and start to its award on <paramref name="awardedOn"/>.</summary>
    private static async Task AwardAsync(HttpClient client, Guid caseId, string ags, DateOnly awardedOn)
    {
        var startedOn = awardedOn.AddDays(-30);
        await OkAsync(await PostAsync(client, $"/procurements/{caseId}/value-estimate",
            new { shares = new[] { new { ags, netValue = 80_000m } }, includesOptions = true }));
        await OkAsync(await PostAsync(client, $"/procurements/{caseId}/procedure-determination", new { plannedPublicationOn = startedOn }));
        await OkAsync(await PostAsync(client, $"/procurements/{caseId}/start", new { startedOn }));
        await OkAsync(await PostAsync(client, $"/procurements/{caseId}/award", new { awardedOn, vendorName = "Windach Systems GmbH", netValue = 80_000m }));
    }
}

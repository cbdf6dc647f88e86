using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Tests.Procurements;

/// <summary>
/// Issue 10 over HTTP: each procurement-law rule is a 409 with its own problem type and a sentence citing the rule, and a
/// refused request leaves the stream as it was (same ETag, same history).
/// </summary>
public sealed class ProcurementLawApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private static int _next = 300;

    private HttpClient Client()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "pm.mueller");
        return client;
    }

    private async Task<(string Ags, Guid ProcedureId)> MunicipalityWithProcedureAsync(HttpClient client)
    {
        var ags = $"09181{Interlocked.Increment(ref _next):D3}";
        Assert.Equal(HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/municipalities", new { ags, name = $"Gemeinde {ags}", countyAgs = "09181000" })).StatusCode);
        var procedureId = Guid.NewGuid();
        var events = ProcedureInstance.Decider.Decide(
            new IntroduceProcedure(procedureId, Ags.Parse(ags), ProcedureCategory.Einwohnermeldewesen, Guid.NewGuid(), "Lech-EWO",
                new DateOnly(2015, 1, 1), DateTimeOffset.UtcNow, "test"),
            ProcedureInstance.Decider.Initial);
        await factory.Services.GetRequiredService<PostgresEventStore>().AppendAsync(ProcedureInstance.StreamId(procedureId),
            ExpectedVersion.NoStream, events.Select(e => new NewEvent(Guid.NewGuid(), e)).ToList());
        return (ags, procedureId);
    }

    /// <summary>A case of <paramref name="municipalities"/> municipalities estimated at <paramref name="share"/> each.</summary>
    private async Task<Guid> EstimatedCaseAsync(HttpClient client, int municipalities, decimal share)
    {
        var participants = new List<(string Ags, Guid ProcedureId)>();
        for (var i = 0; i < municipalities; i++)
        {
            participants.Add(await MunicipalityWithProcedureAsync(client));
        }

        var opened = await client.PostAsJsonAsync("/procurements", new
        {
            title = "Einwohnermeldewesen",
            category = "Einwohnermeldewesen",
            leadAgs = participants[0].Ags,
            participants = participants.Select(p => new { ags = p.Ags, procedureId = p.ProcedureId }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var id = Guid.Parse(opened.Headers.Location!.ToString().Split('/')[^1]);
        await OkAsync(client, id, "value-estimate", new
        {
            shares = participants.Select(p => new { ags = p.Ags, netValue = share }).ToArray(),
            includesOptions = true,
        });
        return id;
    }

    private static async Task OkAsync(HttpClient client, Guid id, string action, object body)
    {
        var response = await client.PostAsJsonAsync($"/procurements/{id}/{action}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Posts a decision the rules refuse: a 409 with the rule's problem type and citation, and nothing appended.</summary>
    private static async Task<JsonElement> RefusedAsync(HttpClient client, Guid id, string action, object body, string code, string citation)
    {
        var before = await client.GetAsync($"/procurements/{id}");
        var historyBefore = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}/history");

        var response = await client.PostAsJsonAsync($"/procurements/{id}/{action}", body);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/problems/{code}", problem.GetProperty("type").GetString());
        Assert.Contains(citation, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var after = await client.GetAsync($"/procurements/{id}");
        Assert.Equal(before.Headers.ETag, after.Headers.ETag);
        var historyAfter = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}/history");
        Assert.Equal(historyBefore.GetProperty("events").GetArrayLength(), historyAfter.GetProperty("events").GetArrayLength());
        return problem;
    }

    [Fact]
    public async Task Section_106_GWB_a_national_procedure_above_the_threshold_is_a_409_even_with_a_justification()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 3, 180_000m);

        await RefusedAsync(client, id, "procedure-determination",
            new { plannedPublicationOn = "2026-03-02", chosenType = "Verhandlungsvergabe", justification = "Dringlichkeit" },
            "eu-procedure-required", "§ 135 (1) no. 2 GWB");
    }

    [Fact]
    public async Task Land_limits_a_Direktauftrag_above_the_bavarian_limit_is_a_409()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 1, 120_000m);

        await RefusedAsync(client, id, "procedure-determination",
            new { plannedPublicationOn = "2026-03-02", chosenType = "Direktauftrag", justification = "Ausschließlichkeitsrecht" },
            "direct-award-above-limit", "100.000 €");
    }

    [Fact]
    public async Task Section_3_3_VgV_a_start_slipping_into_the_next_threshold_period_is_a_409_until_determined_again()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 1, 218_000m);
        await OkAsync(client, id, "procedure-determination", new { plannedPublicationOn = "2025-12-15" });

        await RefusedAsync(client, id, "start", new { startedOn = "2026-01-12" }, "procedure-determination-outdated", "Determine the procedure again");
        await OkAsync(client, id, "procedure-determination", new { plannedPublicationOn = "2026-01-12" });
        await OkAsync(client, id, "start", new { startedOn = "2026-01-12", noticeSentOn = "2026-01-12" });

        var view = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}");
        Assert.Equal("EuOffenesVerfahren", view.GetProperty("determination").GetProperty("chosenType").GetString());
        Assert.Equal("started", view.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Sections_15_to_18_VgV_eu_steps_need_the_notice_date_and_the_offer_deadline()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 3, 180_000m);
        await OkAsync(client, id, "procedure-determination", new { plannedPublicationOn = "2026-02-02" });
        await OkAsync(client, id, "start", new { startedOn = "2026-02-02", publishedOn = "2026-02-06" });

        await RefusedAsync(client, id, "award-intention", new { notifiedOn = "2026-03-16", intendedBidder = "Ammerdata AG" },
            "offer-deadline-missing", "§ 134 GWB");
        await RefusedAsync(client, id, "deadlines", new { offerDeadline = "2026-03-10" }, "notice-sent-date-missing", "§§ 15–18 VgV");
        // 30 days after the notice sent on Monday 2.2.2026 is Wednesday 4.3.2026.
        await RefusedAsync(client, id, "deadlines", new { offerDeadline = "2026-03-03", noticeSentOn = "2026-02-02" },
            "deadline-below-minimum", "4 March 2026");
        await OkAsync(client, id, "deadlines", new { offerDeadline = "2026-03-04", noticeSentOn = "2026-02-02" });

        var deadlines = (await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}")).GetProperty("deadlines");
        Assert.Equal("2026-02-02", deadlines.GetProperty("noticeSentOn").GetString());
    }

    [Fact]
    public async Task The_awarded_value_is_checked_zero_is_a_400_and_a_Direktauftrag_above_the_limit_a_409()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 1, 80_000m);
        await OkAsync(client, id, "procedure-determination", new { plannedPublicationOn = "2026-02-02" });
        await OkAsync(client, id, "start", new { startedOn = "2026-02-02" });

        // Zero never reaches the decider (which refuses it too, award-value-required): the edge answers 400 on netValue.
        var before = await client.GetAsync($"/procurements/{id}");
        var zero = await client.PostAsJsonAsync($"/procurements/{id}/award", new { awardedOn = "2026-03-02", vendorName = "Ammerdata AG", netValue = 0m });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.True((await zero.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("netValue", out _));
        Assert.Equal(before.Headers.ETag, (await client.GetAsync($"/procurements/{id}")).Headers.ETag);
        await RefusedAsync(client, id, "award", new { awardedOn = "2026-03-02", vendorName = "Ammerdata AG", netValue = 100_000.01m },
            "direct-award-value-above-limit", "cancel this procurement and open a new case");
        await OkAsync(client, id, "award", new { awardedOn = "2026-03-02", vendorName = "Ammerdata AG", netValue = 99_000m });
    }

    [Fact]
    public async Task Section_106_2_GWB_another_authority_kind_needs_a_justification_that_shows_on_the_case()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 3, 180_000m);

        await RefusedAsync(client, id, "procedure-determination", new { plannedPublicationOn = "2026-03-02", authorityKind = "Sector" },
            "authority-kind-needs-justification", "§ 106 (2) GWB");
        await OkAsync(client, id, "procedure-determination",
            new { plannedPublicationOn = "2026-03-02", authorityKind = "Sector", authorityKindJustification = "Gemeindewerke, Wasserversorgung" });

        var determination = (await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}")).GetProperty("determination");
        Assert.Equal("Sector", determination.GetProperty("authorityKind").GetString());
        Assert.Equal("Gemeindewerke, Wasserversorgung", determination.GetProperty("authorityKindJustification").GetString());
        Assert.Equal(432_000m, determination.GetProperty("threshold").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task Section_169_1_GWB_after_a_dismissed_review_the_award_waits_two_weeks_from_service()
    {
        var client = Client();
        var id = await EstimatedCaseAsync(client, 3, 180_000m);
        await OkAsync(client, id, "procedure-determination", new { plannedPublicationOn = "2026-02-02" });
        await OkAsync(client, id, "start", new { startedOn = "2026-02-02", noticeSentOn = "2026-02-02" });
        await OkAsync(client, id, "deadlines", new { offerDeadline = "2026-03-10" });
        await OkAsync(client, id, "award-intention", new { notifiedOn = "2026-03-16", intendedBidder = "Ammerdata AG" });
        await OkAsync(client, id, "reviews", new { filedOn = "2026-03-20", chamber = "Vergabekammer Südbayern" });

        await RefusedAsync(client, id, "review-conclusion", new { concludedOn = "2026-04-20", outcome = "Dismissed" },
            "decision-served-date-required", "§ 172 (1)");
        await OkAsync(client, id, "review-conclusion", new { concludedOn = "2026-04-20", outcome = "Dismissed", decisionServedOn = "2026-04-22" });
        await RefusedAsync(client, id, "award", new { awardedOn = "2026-05-06", vendorName = "Ammerdata AG", netValue = 530_000m },
            "appeal-period-not-over", "§ 169 (1) GWB");
        await OkAsync(client, id, "award", new { awardedOn = "2026-05-07", vendorName = "Ammerdata AG", netValue = 530_000m });

        var review = Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}")).GetProperty("reviews").EnumerateArray());
        Assert.Equal(("2026-04-22", "2026-05-06"),
            (review.GetProperty("decisionServedOn").GetString(), review.GetProperty("appealPeriodEndsOn").GetString()));
    }
}

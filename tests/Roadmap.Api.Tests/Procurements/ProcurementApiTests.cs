using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.Domain.Procedures;
using Roadmap.EventStore;

namespace Roadmap.Api.Tests.Procurements;

public sealed class ProcurementApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private static int _next = 500;

    private HttpClient Client()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "pm.mueller");
        return client;
    }

    /// <summary>A registered municipality of Landkreis Landsberg am Lech with one procedure, introduced through the API.</summary>
    private static async Task<(string Ags, Guid ProcedureId)> MunicipalityWithProcedureAsync(HttpClient client)
    {
        var ags = $"09181{Interlocked.Increment(ref _next):D3}";
        var registered = await client.PostAsJsonAsync("/municipalities", new { ags, name = $"Gemeinde {ags}", countyAgs = "09181000" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var introduced = await client.PostAsJsonAsync($"/municipalities/{ags}/procedures",
            new { category = "Einwohnermeldewesen", releaseId = await ApiSeeds.ReleaseAsync(client), name = "Lech-EWO", introducedOn = "2015-01-01" });
        return (ags, ApiSeeds.CreatedId(introduced));
    }

    private static Task<HttpResponseMessage> OpenAsync(HttpClient client, string leadAgs, IEnumerable<(string Ags, Guid ProcedureId)> participants) =>
        client.PostAsJsonAsync("/procurements", new
        {
            title = "Gemeinsame Beschaffung Einwohnermeldewesen",
            category = "Einwohnermeldewesen",
            leadAgs,
            participants = participants.Select(p => new { ags = p.Ags, procedureId = p.ProcedureId }).ToArray(),
        });

    private async Task<(Guid Id, IReadOnlyList<(string Ags, Guid ProcedureId)> Participants)> OpenCaseAsync(HttpClient client, int municipalities)
    {
        var participants = new List<(string, Guid)>();
        for (var i = 0; i < municipalities; i++)
        {
            participants.Add(await MunicipalityWithProcedureAsync(client));
        }

        var response = await OpenAsync(client, participants[0].Item1, participants);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
        return (id, participants);
    }

    private static Task<HttpResponseMessage> EstimateAsync(HttpClient client, Guid id, IEnumerable<(string Ags, Guid ProcedureId)> participants, decimal share) =>
        client.PostAsJsonAsync($"/procurements/{id}/value-estimate", new
        {
            shares = participants.Select(p => new { ags = p.Ags, netValue = share }).ToArray(),
            includesOptions = true,
        });

    private static async Task<string?> ProblemTypeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString();

    [Fact]
    public async Task Opening_a_joint_case_assigns_every_procedure_and_lists_the_case_for_each_municipality()
    {
        var client = Client();
        var participants = new[] { await MunicipalityWithProcedureAsync(client), await MunicipalityWithProcedureAsync(client), await MunicipalityWithProcedureAsync(client) };

        var response = await OpenAsync(client, participants[0].Ags, participants);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        var id = Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
        Assert.Equal($"/procurements/{id}", response.Headers.Location!.ToString());
        var store = factory.Services.GetRequiredService<PostgresEventStore>();
        foreach (var (_, procedureId) in participants)
        {
            var events = await store.ReadStreamAsync(ProcedureInstance.StreamId(procedureId));
            var assigned = Assert.IsType<ProcedureAssignedToProcurement>(events[^1].Data);
            Assert.Equal(id, assigned.CaseId);
        }

        var view = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}");
        Assert.Equal("open", view.GetProperty("state").GetString());
        Assert.Equal(3, view.GetProperty("participants").GetArrayLength());
        var list = await client.GetFromJsonAsync<JsonElement>($"/procurements?ags={participants[2].Ags}");
        var item = Assert.Single(list.EnumerateArray(), c => c.GetProperty("caseId").GetGuid() == id);
        Assert.Equal(3, item.GetProperty("participantAgs").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_procedure_or_one_of_another_municipality_is_a_422_and_nothing_is_stored()
    {
        var client = Client();
        var first = await MunicipalityWithProcedureAsync(client);
        var second = await MunicipalityWithProcedureAsync(client);
        var third = await MunicipalityWithProcedureAsync(client);

        var unknown = await OpenAsync(client, first.Ags, [first, (second.Ags, Guid.NewGuid())]);
        var foreign = await OpenAsync(client, first.Ags, [first, (second.Ags, third.ProcedureId)]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal("/problems/procedure-unknown", await ProblemTypeAsync(unknown));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, foreign.StatusCode);
        Assert.Equal("/problems/procedure-of-another-municipality", await ProblemTypeAsync(foreign));
        var events = await factory.Services.GetRequiredService<PostgresEventStore>().ReadStreamAsync(ProcedureInstance.StreamId(first.ProcedureId));
        Assert.Single(events);
        var list = await client.GetFromJsonAsync<JsonElement>($"/procurements?ags={first.Ags}");
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task Three_municipalities_at_180000_euros_each_are_suggested_an_EU_procedure()
    {
        var client = Client();
        var (id, participants) = await OpenCaseAsync(client, 3);

        var estimate = await EstimateAsync(client, id, participants, 180_000m);
        var determination = await client.PostAsJsonAsync($"/procurements/{id}/procedure-determination", new { plannedPublicationOn = "2026-03-02" });

        Assert.Equal(HttpStatusCode.OK, estimate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, determination.StatusCode);
        var view = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}");
        Assert.Equal(540_000m, view.GetProperty("totalNetValue").GetDecimal());
        var determined = view.GetProperty("determination");
        Assert.StartsWith("Eu", determined.GetProperty("suggestedType").GetString());
        Assert.Equal(determined.GetProperty("suggestedType").GetString(), determined.GetProperty("chosenType").GetString());
        Assert.Equal(216_000m, determined.GetProperty("threshold").GetProperty("amount").GetDecimal());
        Assert.False(determined.GetProperty("threshold").GetProperty("provisional").GetBoolean());
        var list = await client.GetFromJsonAsync<JsonElement>($"/procurements?ags={participants[1].Ags}");
        var item = Assert.Single(list.EnumerateArray());
        Assert.Equal(540_000m, item.GetProperty("totalNetValue").GetDecimal());
        Assert.Equal(determined.GetProperty("chosenType").GetString(), item.GetProperty("procedureType").GetString());
    }

    [Fact]
    public async Task A_Direktauftrag_above_the_limit_without_justification_is_a_409_with_the_rule_as_type()
    {
        var client = Client();
        var (id, participants) = await OpenCaseAsync(client, 3);
        await EstimateAsync(client, id, participants, 180_000m);

        var response = await client.PostAsJsonAsync($"/procurements/{id}/procedure-determination",
            new { plannedPublicationOn = "2026-03-02", chosenType = "Direktauftrag" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("/problems/eu-procedure-required", await ProblemTypeAsync(response));
    }

    [Fact]
    public async Task An_award_after_the_cancellation_is_a_409()
    {
        var client = Client();
        var (id, _) = await OpenCaseAsync(client, 1);
        var cancelled = await client.PostAsJsonAsync($"/procurements/{id}/cancellation", new { cancelledOn = "2026-01-05", reason = "Bedarf entfallen" });

        var award = await client.PostAsJsonAsync($"/procurements/{id}/award", new { awardedOn = "2026-01-06", vendorName = "Ammerdata AG", netValue = 50_000m });

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, award.StatusCode);
        Assert.Equal("/problems/award-after-cancellation", await ProblemTypeAsync(award));
        var view = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}");
        Assert.Equal("cancelled", view.GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_unknown_case_is_a_404_for_reads_and_decisions()
    {
        var client = Client();
        var id = Guid.NewGuid();

        var read = await client.GetAsync($"/procurements/{id}");
        var history = await client.GetAsync($"/procurements/{id}/history");
        var cancel = await client.PostAsJsonAsync($"/procurements/{id}/cancellation", new { cancelledOn = "2026-01-05", reason = "x" });

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("/problems/procurement-case-unknown", await ProblemTypeAsync(read));
        Assert.Equal(HttpStatusCode.NotFound, history.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal("/problems/procurement-case-unknown", await ProblemTypeAsync(cancel));
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_412_and_stores_nothing()
    {
        var client = Client();
        var (id, participants) = await OpenCaseAsync(client, 1);
        await EstimateAsync(client, id, participants, 50_000m);

        var request = new HttpRequestMessage(HttpMethod.Post, $"/procurements/{id}/value-estimate")
        {
            Content = JsonContent.Create(new { shares = new[] { new { ags = participants[0].Ags, netValue = 60_000m } }, includesOptions = true }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var read = await client.GetAsync($"/procurements/{id}");
        Assert.Equal("W/\"2\"", read.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task A_retried_award_intention_with_the_same_Idempotency_Key_is_stored_once()
    {
        var client = Client();
        var (id, participants) = await OpenCaseAsync(client, 1);
        await EstimateAsync(client, id, participants, 50_000m);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/procurements/{id}/procedure-determination", new { plannedPublicationOn = "2026-01-10" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/procurements/{id}/start", new { startedOn = "2026-01-10" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/procurements/{id}/deadlines", new { offerDeadline = "2026-01-20" })).StatusCode);

        async Task<HttpResponseMessage> NotifyAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/procurements/{id}/award-intention")
            {
                Content = JsonContent.Create(new { notifiedOn = "2026-01-21", intendedBidder = "Ammerdata AG" }),
            };
            request.Headers.Add("Idempotency-Key", "award-intention-1");
            return await client.SendAsync(request);
        }

        var first = await NotifyAsync();
        var second = await NotifyAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        var history = await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}/history");
        Assert.Single(history.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString()!.Contains("intention", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_retried_opening_with_the_same_Idempotency_Key_opens_one_case()
    {
        var client = Client();
        var participant = await MunicipalityWithProcedureAsync(client);

        async Task<HttpResponseMessage> OpenWithKeyAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/procurements")
            {
                Content = JsonContent.Create(new
                {
                    title = "Einzelbeschaffung", category = "Einwohnermeldewesen", leadAgs = participant.Ags,
                    participants = new[] { new { ags = participant.Ags, procedureId = participant.ProcedureId } },
                }),
            };
            request.Headers.Add("Idempotency-Key", $"open-{participant.ProcedureId}");
            return await client.SendAsync(request);
        }

        var first = await OpenWithKeyAsync();
        var second = await OpenWithKeyAsync();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var events = await factory.Services.GetRequiredService<PostgresEventStore>().ReadStreamAsync(ProcedureInstance.StreamId(participant.ProcedureId));
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task A_negative_share_is_a_400_with_the_field_named()
    {
        var client = Client();
        var (id, participants) = await OpenCaseAsync(client, 1);

        var response = await EstimateAsync(client, id, participants, -1m);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("shares[0].netValue", out _), problem.ToString());
    }
}

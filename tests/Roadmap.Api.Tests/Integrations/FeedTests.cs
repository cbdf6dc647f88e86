using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests.Integrations;

/// <summary>
/// The pull feed and the live stream over HTTP on the real database. Each test has its own API and schema, so the
/// log holds exactly what the test wrote.
/// </summary>
public sealed class FeedTests : IAsyncLifetime
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] IntegrationTypes =
        ["de.roadmap.release.deprecation-announced.v1", "de.roadmap.release.end-of-support-changed.v1"];

    // Long-polls and keep-alives are timed with the clock while waiting in real time.
    private readonly RoadmapApiFactory _factory = new() { SystemClock = true };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _factory.DisposeAsync();

    // Writing through the API -------------------------------------------------------------------------------------

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Actor", "pm.huber");
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static async Task<Guid> CreatedIdAsync(HttpClient client, string url, object body) =>
        Guid.Parse((await PostAsync(client, url, body)).Headers.Location!.ToString().Split('/')[^1]);

    private static async Task<Guid> ReleaseAsync(HttpClient client, string product)
    {
        var vendorId = await CreatedIdAsync(client, "/catalogue/vendors", new { name = $"Ammerdata {product}" });
        var productId = await CreatedIdAsync(client, "/catalogue/products", new { vendorId, name = product, category = "Einwohnermeldewesen" });
        return await CreatedIdAsync(client, "/catalogue/releases", new
        {
            productId, version = "2024.1", generalAvailability = "2024-03-01", endOfSecuritySupport = "2028-12-31", endOfLife = "tba",
        });
    }

    /// <summary>The id of the one event a decision stored.</summary>
    private static async Task<Guid> DecidedEventIdAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events")[0].GetProperty("eventId").GetGuid();

    private static async Task<Guid> DeprecateAsync(HttpClient client, Guid releaseId, string noticeId) =>
        await DecidedEventIdAsync(await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", new
        {
            noticeId, announcedOn = "2025-05-12", endOfSecuritySupport = "2027-06-30", endOfLife = "2027-12-31",
            source = "https://ammerdata.example/abkuendigung",
        }));

    private static async Task<Guid> ChangeEndOfSupportAsync(HttpClient client, Guid releaseId, int year) =>
        await DecidedEventIdAsync(await PostAsync(client, $"/catalogue/releases/{releaseId}/end-of-support", new
        {
            reason = $"Vendor extended support until {year}", endOfSecuritySupport = $"{year}-06-30", endOfLife = $"{year}-12-31",
        }));

    private static Task RegisterMunicipalityAsync(HttpClient client, string ags, string name) =>
        PostAsync(client, "/municipalities", new { ags, name, countyAgs = "09181000" });

    // Reading the feed ---------------------------------------------------------------------------------------------

    private sealed record Page(IReadOnlyList<JsonElement> Events, string Next, string? Link);

    private static async Task<Page> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/feeds/deprecations{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var link = response.Headers.TryGetValues("Link", out var values) ? values.Single() : null;
        return new Page(body.GetProperty("events").EnumerateArray().ToList(), body.GetProperty("next").GetString()!, link);
    }

    private static Guid IdOf(JsonElement cloudEvent) => Guid.Parse(cloudEvent.GetProperty("id").GetString()!);

    [Fact]
    public async Task Paging_with_limit_2_returns_every_deprecation_and_end_of_support_change_once_in_order_and_nothing_else()
    {
        var client = _factory.CreateClient();
        var releaseA = await ReleaseAsync(client, "Lech-EWO");
        var releaseB = await ReleaseAsync(client, "Lech-FIS");
        var expected = new List<Guid>();
        await RegisterMunicipalityAsync(client, "09181118", "Kaufering");
        expected.Add(await DeprecateAsync(client, releaseA, "AMD-1"));
        await RegisterMunicipalityAsync(client, "09181132", "Landsberg am Lech");
        expected.Add(await DeprecateAsync(client, releaseB, "AMD-2"));
        expected.Add(await ChangeEndOfSupportAsync(client, releaseA, 2029));
        await RegisterMunicipalityAsync(client, "09181139", "Penzing");
        expected.Add(await ChangeEndOfSupportAsync(client, releaseB, 2030));
        expected.Add(await ChangeEndOfSupportAsync(client, releaseA, 2031));
        await RegisterMunicipalityAsync(client, "09181140", "Prittriching");

        var seen = new List<JsonElement>();
        string? cursor = null;
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (seen.Count < expected.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The feed returned {seen.Count} of {expected.Count} events within {CatchUpTimeout}.");
            // wait only helps when another transaction in the cluster briefly holds the log back.
            var page = await PageAsync(client, cursor is null ? "?limit=2&wait=2s" : $"?after={cursor}&limit=2&wait=2s");
            Assert.True(page.Events.Count <= 2, $"A page of limit 2 had {page.Events.Count} events.");
            Assert.Equal($"</feeds/deprecations?after={page.Next}&limit=2>; rel=\"next\"", page.Link);
            seen.AddRange(page.Events);
            cursor = page.Next;
        }

        Assert.Equal(expected, seen.Select(IdOf));
        Assert.All(seen, e =>
        {
            Assert.Contains(e.GetProperty("type").GetString(), IntegrationTypes);
            Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        });
        Assert.Equal(
            [$"release/{releaseA}", $"release/{releaseB}", $"release/{releaseA}", $"release/{releaseB}", $"release/{releaseA}"],
            seen.Select(e => e.GetProperty("subject").GetString()));
        Assert.Equal("2031-06-30", seen[^1].GetProperty("data").GetProperty("end_of_security_support").GetString());
        Assert.Empty((await PageAsync(client, $"?after={cursor}&limit=2")).Events);
    }

    [Fact]
    public async Task A_malformed_cursor_is_a_400_cursor_invalid_and_a_bad_limit_or_wait_a_400_validation()
    {
        var client = _factory.CreateClient();
        // A cursor is one log sequence number since the move to Marten (docs/0011); the two-part cursors of before are malformed now.
        string[] cursors = ["abc", "12-5", "12-", "-12", "012", "12.5", "%2B12", "99999999999999999999", ""];
        string[] badQueries = ["?limit=0", "?limit=1001", "?limit=ten", "?wait=61s", "?wait=30m", "?wait=-1"];

        foreach (var cursor in cursors)
        {
            var response = await client.GetAsync($"/feeds/deprecations?after={cursor}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"after={cursor}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("/problems/cursor-invalid", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        foreach (var query in badQueries)
        {
            var response = await client.GetAsync($"/feeds/deprecations{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
            Assert.Equal("/problems/validation", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task A_long_poll_returns_a_deprecation_that_arrives_while_it_waits()
    {
        var client = _factory.CreateClient();
        var releaseId = await ReleaseAsync(client, "Lech-Gewerbe");

        var polling = PageAsync(client, "?wait=10s");
        await Task.Delay(500);
        Assert.False(polling.IsCompleted, "The long poll answered before there was anything to return.");
        var eventId = await DeprecateAsync(client, releaseId, "AMD-7");

        var page = await polling;
        var cloudEvent = Assert.Single(page.Events);
        Assert.Equal(eventId, IdOf(cloudEvent));
        Assert.Equal($"release/{releaseId}", cloudEvent.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task A_long_poll_with_nothing_new_returns_an_empty_page_and_the_same_cursor()
    {
        var client = _factory.CreateClient();
        await RegisterMunicipalityAsync(client, "09181118", "Kaufering");
        var cursor = "0-0";
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (cursor == "0-0")
        {
            // The feed moves its cursor past the unrelated registration once the registration is readable.
            Assert.True(DateTime.UtcNow < deadline, "The feed never moved past the municipality's registration.");
            var first = await PageAsync(client, "?wait=1s");
            Assert.Empty(first.Events);
            cursor = first.Next;
        }

        var page = await PageAsync(client, $"?after={cursor}&wait=1s");

        Assert.Empty(page.Events);
        Assert.Equal(cursor, page.Next);
    }

    // The live stream ----------------------------------------------------------------------------------------------

    private sealed record ServerSentEvent(string? Id, string? Type, string Data);

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/feeds/deprecations/stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return response;
    }

    /// <summary>Reads <paramref name="count"/> events, skipping comments, as an EventSource would.</summary>
    private static async Task<List<ServerSentEvent>> ReadEventsAsync(StreamReader reader, int count)
    {
        using var timeout = new CancellationTokenSource(CatchUpTimeout);
        var events = new List<ServerSentEvent>();
        string? id = null, type = null;
        var data = new List<string>();
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The stream ended.");
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    events.Add(new ServerSentEvent(id, type, string.Join('\n', data)));
                }

                (id, type) = (null, null);
                data.Clear();
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line[6..]);
            }
        }

        return events;
    }

    private static Guid IdOf(ServerSentEvent sse) => IdOf(JsonDocument.Parse(sse.Data).RootElement);

    [Fact]
    public async Task A_CloudEvent_keeps_the_municipalities_of_the_moment_it_was_recorded_on_the_feed_and_the_stream()
    {
        var client = _factory.CreateClient();
        await RegisterMunicipalityAsync(client, "09181128", "Kaufering");
        await RegisterMunicipalityAsync(client, "09181139", "Penzing");
        var releaseId = await ReleaseAsync(client, "Lech-Kasse");
        await PostAsync(client, "/municipalities/09181128/procedures",
            new { category = "Einwohnermeldewesen", releaseId, name = "Meldewesen", introducedOn = "2024-04-01" });
        var deprecation = await DeprecateAsync(client, releaseId, "AMD-5");

        // Penzing introduces the release after the notice: the notice's CloudEvent stays as recorded; the next event's has both.
        await PostAsync(client, "/municipalities/09181139/procedures",
            new { category = "Einwohnermeldewesen", releaseId, name = "Meldewesen", introducedOn = "2026-01-01" });
        var change = await ChangeEndOfSupportAsync(client, releaseId, 2029);

        var seen = new List<JsonElement>();
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (seen.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The feed returned {seen.Count} of 2 events within {CatchUpTimeout}.");
            seen = (await PageAsync(client, "?wait=2s")).Events.ToList();
        }

        Assert.Equal([deprecation, change], seen.Select(IdOf));
        Assert.Equal(["09181128"], Affected(seen[0]));
        Assert.Equal(["09181128", "09181139"], Affected(seen[1]));
        Assert.Equal("Lech-Kasse", seen[0].GetProperty("data").GetProperty("product_name").GetString());

        // The live stream sends the same CloudEvents, byte for byte what was stored.
        using var response = await OpenStreamAsync(client);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var streamed = await ReadEventsAsync(reader, 2);
        Assert.Equal(["09181128"], Affected(JsonDocument.Parse(streamed[0].Data).RootElement));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(seen[0].GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(streamed[0].Data)));

        // Filters: by municipality (Penzing is affected only by the later change) and by type.
        Assert.Equal([change], (await PageAsync(client, "?municipality=09181139")).Events.Select(IdOf));
        Assert.Equal([deprecation], (await PageAsync(client, "?type=de.roadmap.release.deprecation-announced.v1")).Events.Select(IdOf));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/feeds/deprecations?type=de.roadmap.municipality.deadline-missed.v1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/feeds/deprecations?municipality=9181")).StatusCode);
    }

    [Fact]
    public async Task An_event_appended_outside_a_decision_gets_its_CloudEvent_at_the_first_read_and_keeps_it()
    {
        var client = _factory.CreateClient();
        await RegisterMunicipalityAsync(client, "09181128", "Kaufering");
        var releaseId = await ReleaseAsync(client, "Lech-Archiv");
        await PostAsync(client, "/municipalities/09181128/procedures",
            new { category = "Einwohnermeldewesen", releaseId, name = "Archiv", introducedOn = "2024-04-01" });
        var release = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{releaseId}");
        var productId = release.GetProperty("productId").GetGuid();

        // As the demo loader appends: straight to the log, with no CloudEvent stored by a decision.
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Roadmap.EventStore.PostgresEventStore>(_factory.Services);
        var eventId = Guid.NewGuid();
        await store.AppendAsync(Roadmap.Domain.Catalogue.Release.StreamId(releaseId), Roadmap.EventStore.ExpectedVersion.Any,
        [
            new Roadmap.EventStore.NewEvent(eventId, new Roadmap.Domain.Catalogue.VendorDeprecationAnnounced(
                releaseId, productId, "LOADED-1", new DateOnly(2026, 5, 1), new DateOnly(2028, 6, 30), null, false, true, "loader", "demo",
                DateTimeOffset.UtcNow)),
        ]);

        JsonElement first = default;
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (first.ValueKind == JsonValueKind.Undefined)
        {
            Assert.True(DateTime.UtcNow < deadline, "The feed did not show the appended notice.");
            first = (await PageAsync(client, "?wait=2s")).Events.FirstOrDefault(e => IdOf(e) == eventId);
        }

        Assert.Equal("Lech-Archiv", first.GetProperty("data").GetProperty("product_name").GetString());
        Assert.Equal(["09181128"], Affected(first));

        // Stored at that read: a municipality that joins later does not change it.
        await RegisterMunicipalityAsync(client, "09181139", "Penzing");
        await PostAsync(client, "/municipalities/09181139/procedures",
            new { category = "Einwohnermeldewesen", releaseId, name = "Archiv", introducedOn = "2026-01-01" });
        var again = (await PageAsync(client, "")).Events.Single(e => IdOf(e) == eventId);
        Assert.Equal(first.GetRawText(), again.GetRawText());
    }

    private static string[] Affected(JsonElement cloudEvent) =>
        cloudEvent.GetProperty("data").GetProperty("affected_municipalities").EnumerateArray().Select(a => a.GetString()!).ToArray();

    [Fact]
    public async Task The_live_stream_resumes_after_the_last_event_id_when_a_client_reconnects()
    {
        var client = _factory.CreateClient();
        var releaseId = await ReleaseAsync(client, "Lech-Wahl");
        var first = await DeprecateAsync(client, releaseId, "AMD-9");
        var second = await ChangeEndOfSupportAsync(client, releaseId, 2029);

        List<ServerSentEvent> before;
        using (var response = await OpenStreamAsync(client))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            before = await ReadEventsAsync(reader, 2);
        }

        Assert.Equal([first, second], before.Select(IdOf));
        Assert.Equal(["de.roadmap.release.deprecation-announced.v1", "de.roadmap.release.end-of-support-changed.v1"], before.Select(e => e.Type));
        Assert.All(before, e => Assert.False(string.IsNullOrEmpty(e.Id)));

        var third = await ChangeEndOfSupportAsync(client, releaseId, 2030);
        using (var response = await OpenStreamAsync(client, lastEventId: before[0].Id))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            var after = await ReadEventsAsync(reader, 2);
            Assert.Equal([second, third], after.Select(IdOf));
            Assert.Equal(before[1].Id, after[0].Id);
        }
    }

    [Fact]
    public async Task The_live_stream_delivers_an_event_appended_while_it_is_open_and_refuses_a_malformed_last_event_id()
    {
        var client = _factory.CreateClient();
        var releaseId = await ReleaseAsync(client, "Archivar");

        using var bad = new HttpRequestMessage(HttpMethod.Get, "/feeds/deprecations/stream");
        bad.Headers.Add("Last-Event-ID", "not-a-cursor");
        var refused = await client.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("/problems/cursor-invalid", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        using var response = await OpenStreamAsync(client);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var reading = ReadEventsAsync(reader, 1);
        await Task.Delay(300);
        var eventId = await DeprecateAsync(client, releaseId, "AMD-11");

        Assert.Equal(eventId, IdOf((await reading).Single()));
    }
}

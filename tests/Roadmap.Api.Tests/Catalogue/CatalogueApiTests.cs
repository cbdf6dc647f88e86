using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Roadmap.Api.Tests.Catalogue;

public sealed class CatalogueApiTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> PostAsync(
        HttpClient client, string url, object body, string? key = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Actor", "pm.huber");
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

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/problems/{code}", problem.GetProperty("type").GetString());
        return problem;
    }

    private static Guid IdFrom(HttpResponseMessage created) =>
        Guid.Parse(created.Headers.Location!.ToString().Split('/')[^1]);

    private async Task<Guid> VendorAsync(HttpClient client, string name = "Ammerdata AG")
    {
        var response = await PostAsync(client, "/catalogue/vendors", new { name, website = "https://ammerdata.example" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return IdFrom(response);
    }

    private async Task<Guid> ProductAsync(HttpClient client, Guid? vendorId = null, string name = "Lech-EWO")
    {
        var response = await PostAsync(client, "/catalogue/products",
            new { vendorId = vendorId ?? await VendorAsync(client), name, category = "Einwohnermeldewesen" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return IdFrom(response);
    }

    private async Task<Guid> ReleaseAsync(HttpClient client, Guid? productId = null, string version = "2024.1")
    {
        var response = await PostAsync(client, "/catalogue/releases", new
        {
            productId = productId ?? await ProductAsync(client),
            version,
            generalAvailability = "2024-03-01",
            endOfSales = "2026-12-31",
            endOfSecuritySupport = "2028-12-31",
            endOfLife = "tba",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return IdFrom(response);
    }

    private static object Notice(string noticeId = "AMD-2025-017", string endOfSecuritySupport = "2027-06-30") => new
    {
        noticeId,
        announcedOn = "2025-05-12",
        endOfSecuritySupport,
        endOfLife = "2027-12-31",
        source = "https://ammerdata.example/abkuendigung/ok-ewo-2024-1",
    };

    private static async Task<int> HistoryLengthAsync(HttpClient client, string url) =>
        (await client.GetFromJsonAsync<JsonElement>($"{url}/history")).GetProperty("events").GetArrayLength();

    // Vendors ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Registering_a_vendor_answers_201_with_a_server_chosen_id_and_reads_back_in_the_list_and_history()
    {
        var client = factory.CreateClient();

        var response = await PostAsync(client, "/catalogue/vendors", new { name = "Ammerdata AG", website = "https://ammerdata.example" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var vendorId = IdFrom(response);
        Assert.Equal(7, vendorId.Version);
        Assert.Equal($"/catalogue/vendors/{vendorId}", response.Headers.Location?.ToString());
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());

        var read = await client.GetAsync($"/catalogue/vendors/{vendorId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Ammerdata AG", view.GetProperty("name").GetString());
        Assert.Equal("https://ammerdata.example/", view.GetProperty("website").GetString());
        Assert.Equal(1, view.GetProperty("streamVersion").GetInt64());

        var list = await client.GetFromJsonAsync<JsonElement>("/catalogue/vendors");
        Assert.Contains(list.EnumerateArray(), v => v.GetProperty("vendorId").GetGuid() == vendorId);

        var history = await client.GetFromJsonAsync<JsonElement>($"/catalogue/vendors/{vendorId}/history");
        var entry = Assert.Single(history.GetProperty("events").EnumerateArray());
        Assert.Equal("vendor.registered", entry.GetProperty("type").GetString());
        Assert.Equal("pm.huber (it.admin)", entry.GetProperty("by").GetString());
    }

    [Fact]
    public async Task A_vendor_id_sent_by_the_client_is_used_and_a_second_registration_under_it_is_a_409()
    {
        var client = factory.CreateClient();
        var vendorId = Guid.NewGuid();

        var first = await PostAsync(client, "/catalogue/vendors", new { vendorId, name = "Paarwinkel IT" });
        var second = await PostAsync(client, "/catalogue/vendors", new { vendorId, name = "Paarwinkel IT AöR" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"/catalogue/vendors/{vendorId}", first.Headers.Location?.ToString());
        var problem = await ProblemAsync(second, HttpStatusCode.Conflict, "vendor-already-registered");
        Assert.Equal("vendorId", problem.GetProperty("field").GetString());
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/vendors/{vendorId}"));
    }

    [Fact]
    public async Task A_refused_decision_keeps_nothing_of_its_idempotency_key_so_a_retry_is_decided_again()
    {
        var client = factory.CreateClient();
        var vendorId = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, "/catalogue/vendors", new { vendorId, name = "Lechtal IT" })).StatusCode);
        var key = $"refused-{Guid.NewGuid()}";

        var refused = await PostAsync(client, "/catalogue/vendors", new { vendorId, name = "Lechtal IT GmbH" }, key);
        var retried = await PostAsync(client, "/catalogue/vendors", new { vendorId, name = "Lechtal IT GmbH" }, key);

        // Not "idempotency-key-in-flight": the refusal stored no claim, and the retry met the rule again.
        await ProblemAsync(refused, HttpStatusCode.Conflict, "vendor-already-registered");
        await ProblemAsync(retried, HttpStatusCode.Conflict, "vendor-already-registered");
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/vendors/{vendorId}"));
    }

    [Fact]
    public async Task Concurrent_retries_of_a_vendor_registration_with_one_idempotency_key_register_one_vendor_under_one_id()
    {
        var client = factory.CreateClient();
        var key = Guid.NewGuid().ToString();
        var name = $"Vendor {key}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(client, "/catalogue/vendors", new { name }, key: key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location?.ToString()).Distinct());
        var list = await client.GetFromJsonAsync<JsonElement>("/catalogue/vendors");
        Assert.Single(list.EnumerateArray(), v => v.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task A_vendor_without_name_and_with_a_non_web_address_is_a_400_with_both_fields()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync("/catalogue/vendors", Json("""{"name":"","website":"ftp://ammerdata.example"}"""));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.Contains("http", errors.GetProperty("website")[0].GetString());
    }

    [Fact]
    public async Task Unknown_vendors_are_404_problems_whether_the_id_is_a_uuid_or_not()
    {
        var client = factory.CreateClient();

        await ProblemAsync(await client.GetAsync($"/catalogue/vendors/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "vendor-unknown");
        await ProblemAsync(await client.GetAsync("/catalogue/vendors/ammerdata"), HttpStatusCode.NotFound, "vendor-unknown");
        await ProblemAsync(await client.GetAsync($"/catalogue/vendors/{Guid.NewGuid()}/history"), HttpStatusCode.NotFound, "vendor-unknown");
    }

    // Products ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Registering_a_product_reads_back_and_is_listed_under_its_vendor_only()
    {
        var client = factory.CreateClient();
        var vendorId = await VendorAsync(client);
        var otherVendorId = await VendorAsync(client, "Windach Systems GmbH");

        var response = await PostAsync(client, "/catalogue/products", new { vendorId, name = "Lech-EWO", category = "Einwohnermeldewesen" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var productId = IdFrom(response);
        Assert.Equal($"/catalogue/products/{productId}", response.Headers.Location?.ToString());
        var read = await client.GetAsync($"/catalogue/products/{productId}");
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(vendorId, view.GetProperty("vendorId").GetGuid());
        Assert.Equal("Einwohnermeldewesen", view.GetProperty("category").GetString());

        var mine = await client.GetFromJsonAsync<JsonElement>($"/catalogue/products?vendorId={vendorId}");
        Assert.Equal(productId, Assert.Single(mine.EnumerateArray()).GetProperty("productId").GetGuid());
        var others = await client.GetFromJsonAsync<JsonElement>($"/catalogue/products?vendorId={otherVendorId}");
        Assert.Empty(others.EnumerateArray());
        var all = await client.GetFromJsonAsync<JsonElement>("/catalogue/products");
        Assert.Contains(all.EnumerateArray(), p => p.GetProperty("productId").GetGuid() == productId);
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/products/{productId}"));
    }

    [Fact]
    public async Task A_product_of_an_unregistered_vendor_is_a_422_vendor_unknown_and_nothing_is_stored()
    {
        var client = factory.CreateClient();
        var vendorId = Guid.NewGuid();
        var productId = Guid.NewGuid();

        var response = await PostAsync(client, "/catalogue/products", new { productId, vendorId, name = "Lech-EWO", category = "Einwohnermeldewesen" });

        var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "vendor-unknown");
        Assert.Equal("vendorId", problem.GetProperty("field").GetString());
        Assert.Contains(vendorId.ToString(), problem.GetProperty("detail").GetString());
        await ProblemAsync(await client.GetAsync($"/catalogue/products/{productId}"), HttpStatusCode.NotFound, "product-unknown");
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/catalogue/products?vendorId={vendorId}")).EnumerateArray());
    }

    [Fact]
    public async Task An_unknown_category_is_a_400()
    {
        var client = factory.CreateClient();
        var vendorId = await VendorAsync(client);

        var response = await client.PostAsync("/catalogue/products", Json($$"""{"vendorId":"{{vendorId}}","name":"X","category":"Raumfahrt"}"""));

        await ProblemAsync(response, HttpStatusCode.BadRequest, "body-invalid-json");
    }

    // Releases ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Registering_a_release_with_a_tba_end_of_life_reads_back_with_its_lifecycle_and_is_listed_under_its_product()
    {
        var client = factory.CreateClient();
        var productId = await ProductAsync(client);

        var response = await PostAsync(client, "/catalogue/releases", new
        {
            productId,
            version = "2024.1",
            generalAvailability = "2024-03-01",
            endOfSales = "2026-12-31",
            endOfSecuritySupport = "2028-12-31",
            endOfLife = "tba",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var releaseId = IdFrom(response);
        Assert.Equal($"/catalogue/releases/{releaseId}", response.Headers.Location?.ToString());
        var read = await client.GetAsync($"/catalogue/releases/{releaseId}");
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2024.1", view.GetProperty("version").GetString());
        var lifecycle = view.GetProperty("lifecycle");
        Assert.Equal("2024-03-01", lifecycle.GetProperty("generalAvailability").GetString());
        Assert.Equal("2026-12-31", lifecycle.GetProperty("endOfSales").GetString());
        Assert.Equal("2028-12-31", lifecycle.GetProperty("endOfSecuritySupport").GetString());
        Assert.Equal("tba", lifecycle.GetProperty("endOfLife").GetString());
        Assert.Equal("2028-12-31", lifecycle.GetProperty("effectiveEndOfSupport").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("successorReleaseId").ValueKind);
        Assert.Empty(view.GetProperty("deprecationNotices").EnumerateArray());

        var list = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases?productId={productId}");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(releaseId, listed.GetProperty("releaseId").GetGuid());
        Assert.Equal("tba", listed.GetProperty("lifecycle").GetProperty("endOfLife").GetString());
        Assert.Equal(1, listed.GetProperty("streamVersion").GetInt64());
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/releases/{releaseId}"));
    }

    [Fact]
    public async Task Bad_dates_and_tba_on_general_availability_or_end_of_sales_are_400_field_errors()
    {
        var client = factory.CreateClient();
        var productId = await ProductAsync(client);

        var response = await PostAsync(client, "/catalogue/releases", new
        {
            productId,
            version = "2024.1",
            generalAvailability = "tba",
            endOfSales = "31.12.2026",
            endOfSecuritySupport = "2028-02-30",
            endOfLife = "TBD",
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.Contains("\"tba\"", errors.GetProperty("generalAvailability")[0].GetString());
        Assert.Contains("yyyy-MM-dd", errors.GetProperty("endOfSales")[0].GetString());
        Assert.Contains("2028-02-30", errors.GetProperty("endOfSecuritySupport")[0].GetString());
        Assert.Contains("TBD", errors.GetProperty("endOfLife")[0].GetString());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases?productId={productId}")).EnumerateArray());
    }

    [Fact]
    public async Task A_release_of_an_unregistered_product_is_a_422_product_unknown()
    {
        var client = factory.CreateClient();

        var response = await PostAsync(client, "/catalogue/releases", new { productId = Guid.NewGuid(), version = "1.0" });

        var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "product-unknown");
        Assert.Equal("productId", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_lifecycle_whose_end_of_sales_precedes_general_availability_is_a_409_with_the_rule()
    {
        var client = factory.CreateClient();
        var productId = await ProductAsync(client);

        var response = await PostAsync(client, "/catalogue/releases",
            new { productId, version = "1.0", generalAvailability = "2024-03-01", endOfSales = "2023-12-31" });

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict, "lifecycle-dates-out-of-order");
        Assert.Equal("endOfSales", problem.GetProperty("field").GetString());
    }

    // Deprecation notices ----------------------------------------------------------------------------------------

    [Fact]
    public async Task A_deprecation_notice_sets_the_end_dates_and_shows_on_the_release_and_in_the_list()
    {
        var client = factory.CreateClient();
        var productId = await ProductAsync(client);
        var releaseId = await ReleaseAsync(client, productId);

        var response = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", new
        {
            noticeId = "AMD-2025-017",
            announcedOn = "2025-05-12",
            endOfSecuritySupport = "2027-06-30",
            endOfLife = "tba",
            source = "https://ammerdata.example/abkuendigung/ok-ewo-2024-1",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("W/\"2\"", response.Headers.ETag?.ToString());
        var decision = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("release.deprecation-announced", decision.GetProperty("events")[0].GetProperty("type").GetString());

        var read = await client.GetAsync($"/catalogue/releases/{releaseId}");
        Assert.Equal("W/\"2\"", read.Headers.ETag?.ToString());
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2027-06-30", view.GetProperty("lifecycle").GetProperty("endOfSecuritySupport").GetString());
        Assert.Equal("tba", view.GetProperty("lifecycle").GetProperty("endOfLife").GetString());
        var notice = Assert.Single(view.GetProperty("deprecationNotices").EnumerateArray());
        Assert.Equal("AMD-2025-017", notice.GetProperty("noticeId").GetString());
        Assert.Equal("2025-05-12", notice.GetProperty("announcedOn").GetString());
        Assert.Equal("tba", notice.GetProperty("endOfLife").GetString());
        Assert.Equal("pm.huber (it.admin)", notice.GetProperty("by").GetString());

        var listed = Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases?productId={productId}")).EnumerateArray());
        Assert.Equal("2025-05-12", listed.GetProperty("deprecatedOn").GetString());
        Assert.Equal("2027-06-30", listed.GetProperty("lifecycle").GetProperty("endOfSecuritySupport").GetString());
        Assert.Equal(2, listed.GetProperty("streamVersion").GetInt64());
    }

    [Fact]
    public async Task A_deprecation_notice_for_an_unknown_release_is_a_404_release_unknown()
    {
        var client = factory.CreateClient();

        await ProblemAsync(await PostAsync(client, $"/catalogue/releases/{Guid.NewGuid()}/deprecations", Notice()),
            HttpStatusCode.NotFound, "release-unknown");
        await ProblemAsync(await PostAsync(client, "/catalogue/releases/ok-ewo-2024/deprecations", Notice()),
            HttpStatusCode.NotFound, "release-unknown");
    }

    [Fact]
    public async Task A_deprecation_notice_without_a_source_is_a_400()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);

        var blank = await client.PostAsync($"/catalogue/releases/{releaseId}/deprecations",
            Json("""{"noticeId":"N-1","announcedOn":"2025-05-12","endOfLife":"2027-12-31","source":" "}"""));
        var missing = await client.PostAsync($"/catalogue/releases/{releaseId}/deprecations",
            Json("""{"noticeId":"N-1","announcedOn":"2025-05-12","endOfLife":"2027-12-31"}"""));

        var problem = await ProblemAsync(blank, HttpStatusCode.BadRequest, "validation");
        Assert.Contains("source", problem.GetProperty("errors").GetProperty("source")[0].GetString());
        var unreadable = await ProblemAsync(missing, HttpStatusCode.BadRequest, "body-invalid-json");
        Assert.Contains("source", unreadable.GetProperty("detail").GetString());
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/releases/{releaseId}"));
    }

    [Fact]
    public async Task A_deprecation_notice_with_a_bad_announcement_date_or_end_date_is_a_400()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);

        var response = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations",
            new { noticeId = "N-1", announcedOn = "tba", endOfLife = "2027-13-01", source = "Rundschreiben" });

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest, "validation")).GetProperty("errors");
        Assert.True(errors.TryGetProperty("announcedOn", out _));
        Assert.True(errors.TryGetProperty("endOfLife", out _));
    }

    [Fact]
    public async Task Recording_the_same_notice_id_twice_is_a_409_and_stores_one_notice()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);
        await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", Notice("AMD-2025-017"));

        var again = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", Notice("AMD-2025-017", "2027-03-31"));

        var problem = await ProblemAsync(again, HttpStatusCode.Conflict, "notice-already-recorded");
        Assert.Equal("noticeId", problem.GetProperty("field").GetString());
        var view = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{releaseId}");
        Assert.Single(view.GetProperty("deprecationNotices").EnumerateArray());
        Assert.Equal("2027-06-30", view.GetProperty("lifecycle").GetProperty("endOfSecuritySupport").GetString());
    }

    [Fact]
    public async Task A_deprecation_with_a_stale_if_match_is_a_412_and_stores_nothing()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);
        var etag = (await client.GetAsync($"/catalogue/releases/{releaseId}")).Headers.ETag!.ToString();
        var first = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", Notice("N-1"), ifMatch: etag);

        var stale = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", Notice("N-2", "2027-03-31"), ifMatch: etag);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var problem = await ProblemAsync(stale, HttpStatusCode.PreconditionFailed, "version-stale");
        Assert.Equal(1, problem.GetProperty("expectedVersion").GetInt64());
        Assert.Equal(2, problem.GetProperty("actualVersion").GetInt64());
        Assert.Equal(2, await HistoryLengthAsync(client, $"/catalogue/releases/{releaseId}"));
    }

    [Fact]
    public async Task A_retried_deprecation_with_the_same_idempotency_key_gets_the_same_answer_and_stores_one_event()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);
        var key = Guid.NewGuid().ToString();

        var first = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", Notice(), key: key);
        var retry = await PostAsync(client, $"/catalogue/releases/{releaseId}/deprecations", Notice(), key: key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var retryBody = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            firstBody.GetProperty("events")[0].GetProperty("eventId").GetGuid(),
            retryBody.GetProperty("events")[0].GetProperty("eventId").GetGuid());
        var history = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{releaseId}/history");
        var events = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(new[] { "release.registered", "release.deprecation-announced" }, events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(key, events[1].GetProperty("idempotencyKey").GetString());
    }

    // End of support and successor -------------------------------------------------------------------------------

    [Fact]
    public async Task Changing_the_end_of_support_with_a_reason_replaces_both_end_dates()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);

        var response = await PostAsync(client, $"/catalogue/releases/{releaseId}/end-of-support",
            new { reason = "Vendor extended support for all customers (mail of 2025-03-04).", endOfSecuritySupport = "2029-06-30", endOfLife = "2029-12-31" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("W/\"2\"", response.Headers.ETag?.ToString());
        var lifecycle = (await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{releaseId}")).GetProperty("lifecycle");
        Assert.Equal("2029-06-30", lifecycle.GetProperty("endOfSecuritySupport").GetString());
        Assert.Equal("2029-12-31", lifecycle.GetProperty("endOfLife").GetString());
        var history = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{releaseId}/history");
        var changed = history.GetProperty("events")[1];
        Assert.Equal("release.end-of-support-changed", changed.GetProperty("type").GetString());
        Assert.Equal("2028-12-31", changed.GetProperty("data").GetProperty("previousEndOfSecuritySupport").GetString());
    }

    [Fact]
    public async Task Changing_the_end_of_support_without_a_reason_is_a_400()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);

        var blank = await PostAsync(client, $"/catalogue/releases/{releaseId}/end-of-support", new { reason = "", endOfSecuritySupport = "2029-06-30" });
        var missing = await PostAsync(client, $"/catalogue/releases/{releaseId}/end-of-support", new { endOfSecuritySupport = "2029-06-30" });

        var problem = await ProblemAsync(blank, HttpStatusCode.BadRequest, "validation");
        Assert.Contains("reason", problem.GetProperty("errors").GetProperty("reason")[0].GetString());
        var unreadable = await ProblemAsync(missing, HttpStatusCode.BadRequest, "body-invalid-json");
        Assert.Contains("reason", unreadable.GetProperty("detail").GetString());
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/releases/{releaseId}"));
    }

    [Fact]
    public async Task Changing_the_end_of_support_to_the_dates_it_has_is_a_409()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);

        var response = await PostAsync(client, $"/catalogue/releases/{releaseId}/end-of-support",
            new { reason = "Confirmed by the vendor.", endOfSecuritySupport = "2028-12-31", endOfLife = "tba" });

        await ProblemAsync(response, HttpStatusCode.Conflict, "end-of-support-unchanged");
    }

    [Fact]
    public async Task Designating_a_successor_shows_on_the_release_and_in_the_list()
    {
        var client = factory.CreateClient();
        var productId = await ProductAsync(client);
        var releaseId = await ReleaseAsync(client, productId, "2024.1");
        var successorId = await ReleaseAsync(client, productId, "2025.1");

        var response = await PostAsync(client, $"/catalogue/releases/{releaseId}/successor", new { successorReleaseId = successorId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases/{releaseId}");
        Assert.Equal(successorId, view.GetProperty("successorReleaseId").GetGuid());
        var list = await client.GetFromJsonAsync<JsonElement>($"/catalogue/releases?productId={productId}");
        Assert.Contains(list.EnumerateArray(), r =>
            r.GetProperty("releaseId").GetGuid() == releaseId && r.GetProperty("successorReleaseId").GetGuid() == successorId);
    }

    [Fact]
    public async Task A_successor_that_is_not_registered_is_a_422_and_the_release_itself_a_409()
    {
        var client = factory.CreateClient();
        var releaseId = await ReleaseAsync(client);

        var unknown = await PostAsync(client, $"/catalogue/releases/{releaseId}/successor", new { successorReleaseId = Guid.NewGuid() });
        var itself = await PostAsync(client, $"/catalogue/releases/{releaseId}/successor", new { successorReleaseId = releaseId });
        var unknownRelease = await PostAsync(client, $"/catalogue/releases/{Guid.NewGuid()}/successor", new { successorReleaseId = releaseId });

        var problem = await ProblemAsync(unknown, HttpStatusCode.UnprocessableEntity, "release-unknown");
        Assert.Equal("successorReleaseId", problem.GetProperty("field").GetString());
        await ProblemAsync(itself, HttpStatusCode.Conflict, "successor-is-same-release");
        await ProblemAsync(unknownRelease, HttpStatusCode.NotFound, "release-unknown");
        Assert.Equal(1, await HistoryLengthAsync(client, $"/catalogue/releases/{releaseId}"));
    }

    // OpenAPI ----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/catalogue/vendors", "post", "201,400,409,412,422")]
    [InlineData("/catalogue/products", "post", "201,400,409,412,422")]
    [InlineData("/catalogue/releases/{id}/deprecations", "post", "200,400,404,409,412,422")]
    [InlineData("/catalogue/releases/{id}/successor", "post", "200,400,404,409,412,422")]
    [InlineData("/catalogue/releases/{id}", "get", "200,404")]
    public async Task The_openapi_document_lists_every_status_code_of_the_catalogue(string path, string method, string statuses)
    {
        var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var responses = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");
        foreach (var status in statuses.Split(','))
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{method} {path} does not document {status}.");
        }
    }

    [Theory]
    [InlineData("/catalogue/vendors", "RegisterVendorRequest", "website")]
    [InlineData("/catalogue/products", "RegisterProductRequest", "category")]
    [InlineData("/catalogue/releases", "RegisterReleaseRequest", "generalAvailability")]
    [InlineData("/catalogue/releases/{id}/deprecations", "AnnounceDeprecationRequest", "noticeId")]
    [InlineData("/catalogue/releases/{id}/end-of-support", "ChangeEndOfSupportRequest", "reason")]
    [InlineData("/catalogue/releases/{id}/successor", "DesignateSuccessorRequest", "successorReleaseId")]
    public async Task The_openapi_document_describes_each_request_body_with_its_own_schema(string path, string schema, string field)
    {
        var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var body = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody");
        var reference = body.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal($"#/components/schemas/{schema}", reference);
        Assert.True(document.GetProperty("components").GetProperty("schemas").GetProperty(schema).GetProperty("properties").TryGetProperty(field, out _));
    }
}

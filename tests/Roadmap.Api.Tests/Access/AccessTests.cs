using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Roadmap.Api.Access;

namespace Roadmap.Api.Tests.Access;

/// <summary>
/// Who may do what (issue 13): every operation of the OpenAPI document without credentials, under every role, and
/// across scopes; keys shown once and stored as hashes; the actor taken from the key; link tokens that open one
/// municipality's page and calendar and nothing else.
/// </summary>
public sealed class AccessTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    private const string Kaufering = "09181118";
    private const string Landsberg = "09181130";
    private const string County = "09181000";

    /// <summary>Path values that name nothing that exists, so no allowed call changes anything.</summary>
    private static readonly Dictionary<string, string> PathValues = new()
    {
        ["ags"] = Kaufering, ["countyAgs"] = County, ["id"] = "0190a7d0-0000-7000-8000-000000000001", ["name"] = "no-such-projection",
        ["prefix"] = "rmk_nosuchkey", ["deliveryId"] = "1",
    };

    [Fact]
    public async Task Every_operation_but_health_rules_and_the_document_refuses_a_caller_without_credentials_with_401()
    {
        var anonymous = factory.CreateAnonymousClient();
        // Swagger UI opens without a key (it asks for one: "Authorize"), as does the document it shows.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        var operations = await OperationsAsync();
        Assert.True(operations.Count > 60, $"only {operations.Count} operations in the document");

        foreach (var operation in operations)
        {
            var response = await SendAsync(anonymous, operation);
            if (operation.Roles is null)
            {
                Assert.True(response.StatusCode != HttpStatusCode.Unauthorized, $"{operation} is documented as open but answered 401");
                Assert.True(operation.Path.StartsWith("/health", StringComparison.Ordinal) || operation.Path.StartsWith("/rules", StringComparison.Ordinal)
                    || operation.Path.StartsWith("/regeln", StringComparison.Ordinal), $"{operation} is open to anyone");
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{operation}: {(int)response.StatusCode} without credentials");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("/problems/unauthenticated", problem.GetProperty("type").GetString());
            Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task Every_role_is_refused_with_403_where_the_document_does_not_list_it_and_let_in_where_it_does()
    {
        var clients = new Dictionary<string, HttpClient>
        {
            [Roles.Admin] = factory.CreateClient(factory.CreateKey("matrix admin", Roles.Admin)),
            [Roles.Planner] = factory.CreateClient(factory.CreateKey("matrix planner", Roles.Planner, county: County)),
            [Roles.Reader] = factory.CreateClient(factory.CreateKey("matrix reader", Roles.Reader, county: County)),
            [Roles.Integration] = factory.CreateClient(factory.CreateKey("matrix integration", Roles.Integration, county: County)),
            [Roles.Link] = factory.CreateClient(factory.CreateKey("matrix link", Roles.Link, [Kaufering])),
        };

        var checkedCalls = 0;
        foreach (var operation in (await OperationsAsync()).Where(o => o.Roles is not null))
        {
            foreach (var (role, client) in clients)
            {
                if (operation.Path.EndsWith("/stream", StringComparison.Ordinal) && operation.Roles!.Contains(role))
                {
                    continue; // the live stream of an allowed caller never ends (its own tests open it)
                }

                var response = await SendAsync(client, operation);
                var status = response.StatusCode;
                if (operation.Roles!.Contains(role))
                {
                    Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                        $"{operation} lists {role} but answered {(int)status}: {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    Assert.True(status == HttpStatusCode.Forbidden, $"{operation} does not list {role} but answered {(int)status}");
                }

                checkedCalls++;
            }
        }

        Assert.True(checkedCalls > 300, $"only {checkedCalls} calls");
    }

    [Fact]
    public async Task The_document_names_the_roles_of_the_operations_that_matter_most()
    {
        var operations = (await OperationsAsync()).ToDictionary(o => $"{o.Method} {o.Path}");
        Assert.Equal([Roles.Admin], operations["POST /admin/projections/{name}/stop"].Roles);
        Assert.Equal([Roles.Admin], operations["POST /admin/keys"].Roles);
        Assert.Equal([Roles.Admin], operations["POST /municipalities"].Roles);
        Assert.Equal([Roles.Admin, Roles.Planner], operations["POST /procedures/{id}/risk-acceptances"].Roles);
        Assert.Equal([Roles.Admin, Roles.Planner, Roles.Reader], operations["GET /municipalities/{ags}/roadmap"].Roles);
        Assert.Equal([Roles.Admin, Roles.Planner, Roles.Reader, Roles.Link], operations["GET /gemeinden/{ags}/roadmap"].Roles);
        Assert.Equal([Roles.Admin, Roles.Integration], operations["POST /subscriptions/{id}/secret"].Roles);
        Assert.Equal([Roles.Admin, Roles.Integration], operations["GET /feeds/deprecations"].Roles);
    }

    [Fact]
    public async Task A_planner_decides_and_reads_only_in_its_municipalities_and_sees_only_them_in_lists()
    {
        var admin = factory.CreateClient();
        await EnsureMunicipalityAsync(admin, Kaufering, "Kaufering");
        await EnsureMunicipalityAsync(admin, Landsberg, "Landsberg am Lech");
        var planner = factory.CreateClient(factory.CreateKey("Bauamt Kaufering", Roles.Planner, [Kaufering]));

        Assert.NotEqual(HttpStatusCode.Forbidden, (await planner.GetAsync($"/municipalities/{Kaufering}")).StatusCode);
        var foreign = await planner.GetAsync($"/municipalities/{Landsberg}");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal("/problems/out-of-scope", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.PostAsJsonAsync($"/municipalities/{Landsberg}/name", new { name = "Landsberg" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.GetAsync($"/counties/{County}/risk-board")).StatusCode);

        var listed = await planner.GetFromJsonAsync<JsonElement>("/municipalities");
        Assert.Equal([Kaufering], listed.EnumerateArray().Select(m => m.GetProperty("ags").GetString()));

        // A procedure of another municipality does not exist for this key (404, as an unknown id).
        var procedure = await IntroduceProcedureAsync(admin, Landsberg);
        var hidden = await planner.GetAsync($"/procedures/{procedure}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/procedures/{procedure}")).StatusCode);

        // A county key covers every municipality of the county, and the county's own board.
        var county = factory.CreateClient(factory.CreateKey("Landratsamt", Roles.Planner, county: County));
        Assert.Equal(HttpStatusCode.OK, (await county.GetAsync($"/procedures/{procedure}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, (await county.GetAsync($"/counties/{County}/risk-board")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await county.GetAsync("/municipalities/09162000")).StatusCode); // München, another county
    }

    [Fact]
    public async Task The_history_names_the_key_that_decided_and_X_Actor_only_adds_a_display_name()
    {
        var admin = factory.CreateClient();
        await EnsureMunicipalityAsync(admin, "09181119", "Kinsau");
        var planner = factory.CreateClient(factory.CreateKey("Kämmerei Kinsau", Roles.Planner, ["09181119"]));
        planner.DefaultRequestHeaders.Add("X-Actor", "Anna Berger");
        Assert.Equal(HttpStatusCode.OK, (await planner.PostAsJsonAsync("/municipalities/09181119/name", new { name = "Gemeinde Kinsau" })).StatusCode);

        var impostor = factory.CreateAnonymousClient();
        impostor.DefaultRequestHeaders.Add("X-Actor", "it.admin");
        Assert.Equal(HttpStatusCode.Unauthorized, (await impostor.PostAsJsonAsync("/municipalities/09181119/name", new { name = "Kinsau" })).StatusCode);

        var history = await admin.GetFromJsonAsync<JsonElement>("/municipalities/09181119/history");
        Assert.Equal("Anna Berger (Kämmerei Kinsau)", history.GetProperty("events")[1].GetProperty("by").GetString());
        Assert.Equal(2, history.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task A_key_is_shown_once_stored_only_as_a_hash_listed_by_prefix_and_refused_once_revoked()
    {
        var admin = factory.CreateClient();
        var created = await admin.PostAsJsonAsync("/admin/keys", new { name = "Bürgermeisteramt Kaufering", role = "reader", municipalities = new[] { Kaufering } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var prefix = body.GetProperty("info").GetProperty("prefix").GetString()!;
        Assert.StartsWith(ApiKeyStore.KeyPrefix, key);
        Assert.StartsWith(prefix, key);
        Assert.True(key.Length >= 47, key); // 32 random bytes

        var listed = await admin.GetStringAsync("/admin/keys");
        Assert.Contains(prefix, listed);
        Assert.DoesNotContain(key, listed);
        await using (var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var dump = new NpgsqlCommand($"select count(*) from {factory.Schema}.api_keys k where row(k.*)::text like '%' || $1 || '%'", connection);
            dump.Parameters.AddWithValue(key[ApiKeyStore.KeyPrefix.Length..]);
            Assert.Equal(0L, await dump.ExecuteScalarAsync());
        }

        var reader = factory.CreateClient(key);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await reader.GetAsync($"/municipalities/{Kaufering}/roadmap")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync($"/municipalities/{Kaufering}/name", new { name = "Kaufering" })).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"/admin/keys/{prefix}")).StatusCode); // only an admin revokes
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/keys/{prefix}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync($"/municipalities/{Kaufering}/roadmap")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/admin/keys/{prefix}")).StatusCode);

        foreach (var bad in new object[]
                 {
                     new { name = "Zu weit", role = "planner" },
                     new { name = "Null\u0000Byte", role = "reader", municipalities = new[] { Kaufering } },
                     new { name = "Rolle", role = "mayor", municipalities = new[] { Kaufering } },
                     new { name = "Kein AGS", role = "reader", municipalities = new[] { "Kaufering" } },
                 })
        {
            var invalid = await admin.PostAsJsonAsync("/admin/keys", bad);
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Equal("/problems/key-invalid", (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task A_link_token_opens_its_municipalitys_page_and_calendar_and_nothing_else_and_an_api_key_never_goes_in_a_url()
    {
        var admin = factory.CreateClient();
        await EnsureMunicipalityAsync(admin, Kaufering, "Kaufering");
        await new Roadmap.Api.Tests.Roadmaps.RoadmapDriver(factory).CatchUpAsync(); // the page needs the roadmap projection to know it
        var token = factory.CreateKey("Link Kaufering", Roles.Link, [Kaufering]);
        var browser = factory.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/gemeinden/{Kaufering}/roadmap?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/municipalities/{Kaufering}/roadmap.ics?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"/gemeinden/{Landsberg}/roadmap?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"/municipalities/{Kaufering}/roadmap?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"/gemeinden?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"/municipalities/{Kaufering}/history?token={token}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync($"/gemeinden/{Kaufering}/roadmap?token={factory.AdminKey}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync($"/gemeinden/{Kaufering}/roadmap?token=rmk_{new string('x', 43)}")).StatusCode);
    }

    [Fact]
    public async Task A_subscription_belongs_to_the_key_that_created_it_and_feeds_show_a_scoped_key_its_municipalities_only()
    {
        var a = factory.CreateClient(factory.CreateKey("Integration A", Roles.Integration, [Kaufering]));
        var b = factory.CreateClient(factory.CreateKey("Integration B", Roles.Integration, [Kaufering]));
        var admin = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await a.PostAsJsonAsync("/subscriptions", new { targetUrl = "https://a.example/hooks" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await a.PostAsJsonAsync("/subscriptions", new { targetUrl = "https://a.example/hooks", municipalities = new[] { Landsberg } })).StatusCode);
        var created = await a.PostAsJsonAsync("/subscriptions", new { targetUrl = "https://a.example/hooks", municipalities = new[] { Kaufering } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscription").GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Contains(id!, await a.GetStringAsync("/subscriptions"));
        Assert.DoesNotContain(id!, await b.GetStringAsync("/subscriptions"));
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync($"/subscriptions/{id}/secret", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync($"/subscriptions/{id}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.DeleteAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/subscriptions/{id}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/subscriptions/{id}")).StatusCode); // B changed nothing

        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync("/feeds/deprecations")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync($"/feeds/deadlines?municipality={Landsberg}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/feeds/deprecations?municipality={Kaufering}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/feeds/deprecations")).StatusCode);
    }

    private static async Task EnsureMunicipalityAsync(HttpClient admin, string ags, string name)
    {
        var response = await admin.PostAsJsonAsync("/municipalities", new { ags, name, countyAgs = County });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{ags}: {(int)response.StatusCode}");
    }

    private static async Task<Guid> IntroduceProcedureAsync(HttpClient admin, string ags)
    {
        var release = await ApiSeeds.ReleaseAsync(admin);
        return await CreatedIdAsync(admin, $"/municipalities/{ags}/procedures",
            new { category = "Einwohnermeldewesen", releaseId = release, name = "Einwohnermeldewesen", introducedOn = "2024-02-01" });
    }

    private static async Task<Guid> CreatedIdAsync(HttpClient client, string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return Guid.Parse((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private sealed record Operation(string Method, string Path, IReadOnlyList<string>? Roles)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    private async Task<IReadOnlyList<Operation>> OperationsAsync()
    {
        var document = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                var roles = operation.Value.TryGetProperty("x-roles", out var listed)
                    ? listed.EnumerateArray().Select(r => r.GetString()!).ToList()
                    : null;
                operations.Add(new Operation(operation.Name.ToUpperInvariant(), path.Name, roles));
            }
        }

        return operations;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Operation operation)
    {
        var path = PathValues.Aggregate(operation.Path, (p, value) => p.Replace($"{{{value.Key}}}", value.Value, StringComparison.Ordinal));
        if (path.StartsWith("/feeds/", StringComparison.Ordinal))
        {
            path += $"?municipality={Kaufering}"; // a scoped key reads the feeds of its municipalities only
        }

        Assert.DoesNotContain("{", path);
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
        if (operation.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var attempt = 1; ; attempt++)
        {
            using var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content is null ? null : new StringContent("{}", Encoding.UTF8, "application/json") };
            var response = await client.SendAsync(copy, timeout.Token);
            await response.Content.LoadIntoBufferAsync(timeout.Token);
            // Callers without credentials share a small rate (RateLimits): a polite client waits as told and tries again.
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 10)
            {
                return response;
            }

            await Task.Delay(TimeSpan.FromSeconds(int.Parse(response.Headers.GetValues("Retry-After").Single())), timeout.Token);
        }
    }
}

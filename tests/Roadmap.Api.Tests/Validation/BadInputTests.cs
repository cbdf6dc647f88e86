using System.Net;
using System.Text.Json.Nodes;

namespace Roadmap.Api.Tests.Validation;

/// <summary>
/// Every value the service accepts is one it can compute with (issue 10): each bad value, sent to every endpoint that
/// takes such a field, is a 400 that names the field and no .NET type, stores nothing, and leaves every page rendering.
/// </summary>
[Collection(ValidationWorld.Collection)]
public sealed class BadInputTests(ValidationWorld world) : IClassFixture<ValidationWorld>
{
    /// <summary>A body that is fine but for the one field a case replaces; ids come from the world.</summary>
    private sealed record Endpoint(string Url, string Body, string[] Dates, string[] Money, string[] Texts, string[] MultiLineTexts, string[] Lists, string[] Ids, string[] Enums, string[] Flags);

    private static readonly Endpoint[] Endpoints =
    [
        new("/municipalities", """{"ags":"{county5}990","name":"Neudorf","countyAgs":"{county}","land":"09"}""",
            [], [], ["ags", "name", "countyAgs", "land"], [], [], [], [], []),
        new("/municipalities/{ags}/name", """{"name":"Markt Neudorf"}""", [], [], ["name"], [], [], [], [], []),
        new("/catalogue/vendors", """{"name":"Ammerdata AG","website":"https://ammerdata.example"}""", [], [], ["name", "website"], [], [], [], [], []),
        new("/catalogue/products", """{"vendorId":"{vendor}","name":"Ammer-EWO","category":"Gewerbe"}""",
            [], [], ["name"], [], [], ["vendorId"], ["category"], []),
        new("/catalogue/releases",
            """{"productId":"{product}","version":"9.1","generalAvailability":"2020-01-01","endOfSales":"2025-01-01","endOfSecuritySupport":"2030-12-31","endOfLife":"2031-12-31"}""",
            ["generalAvailability", "endOfSales", "endOfSecuritySupport", "endOfLife"], [], ["version"], [], [], ["productId"], [], []),
        new("/catalogue/releases/{release}/deprecations",
            """{"noticeId":"N-1","announcedOn":"2026-01-01","source":"Letter","endOfSecuritySupport":"2030-06-30","endOfLife":"2031-06-30"}""",
            ["announcedOn", "endOfSecuritySupport", "endOfLife"], [], ["noticeId"], ["source"], [], [], [], []),
        new("/catalogue/releases/{release}/end-of-support", """{"reason":"Extended","endOfSecuritySupport":"2030-06-30","endOfLife":"2031-06-30"}""",
            ["endOfSecuritySupport", "endOfLife"], [], [], ["reason"], [], [], [], []),
        new("/catalogue/releases/{release}/successor", """{"successorReleaseId":"{otherRelease}"}""", [], [], [], [], [], ["successorReleaseId"], [], []),
        new("/municipalities/{ags}/procedures", """{"category":"Gewerbe","releaseId":"{release}","name":"Gewerbeamt III","introducedOn":"2018-01-01"}""",
            ["introducedOn"], [], ["name"], [], [], ["releaseId"], ["category"], []),
        new("/procedures/{procedure}/extended-support", """{"until":"2031-12-31","reference":"EXT-1","cost":1000}""",
            ["until"], ["cost"], ["reference"], [], [], [], [], []),
        new("/procedures/{procedure}/risk-acceptances", """{"acceptedBy":"Bürgermeister","until":"2031-06-30","reason":"Replacement procured"}""",
            ["until"], [], ["acceptedBy"], ["reason"], [], [], [], []),
        new("/procedures/{procedure}/replacement-plan", """{"strategy":"Replace","targetGoLive":"2030-06-30","targetReleaseId":"{otherRelease}"}""",
            ["targetGoLive"], [], [], [], [], ["targetReleaseId"], ["strategy"], []),
        new("/procedures/{procedure}/replacement-schedule", """{"cutOverOn":"2030-06-03","parallelRunFrom":"2030-05-01","parallelRunUntil":"2030-05-31"}""",
            ["cutOverOn", "parallelRunFrom", "parallelRunUntil"], [], [], [], [], [], [], []),
        new("/procedures/{procedure}/cut-over", """{"completedOn":"2026-01-05","newReleaseId":"{otherRelease}"}""",
            ["completedOn"], [], [], [], [], ["newReleaseId"], [], []),
        new("/procedures/{procedure}/retirement", """{"retiredOn":"2026-01-05","reason":"Merged"}""", ["retiredOn"], [], [], ["reason"], [], [], [], []),
        new("/procurements", """{"title":"Gewerbe","category":"Gewerbe","leadAgs":"{ags}","participants":[{"ags":"{ags}","procedureId":"{procedure}"}]}""",
            [], [], ["title", "leadAgs", "participants[0].ags"], [], ["participants"], ["participants[0].procedureId"], ["category"], []),
        new("/procurements/{case}/value-estimate", """{"shares":[{"ags":"{ags}","netValue":180000}],"includesOptions":true,"justification":"All options"}""",
            [], ["shares[0].netValue"], ["shares[0].ags"], ["justification"], ["shares"], [], [], ["includesOptions"]),
        new("/procurements/{case}/procedure-determination", """{"plannedPublicationOn":"2027-03-01","chosenType":"EuOffenesVerfahren","justification":"Why","authorityKind":"SubCentral"}""",
            ["plannedPublicationOn"], [], [], ["justification"], [], [], ["chosenType", "authorityKind"], []),
        new("/procurements/{case}/start", """{"startedOn":"2026-07-01","publishedOn":"2026-07-27"}""", ["startedOn", "publishedOn"], [], [], [], [], [], [], []),
        new("/procurements/{case}/deadlines",
            """{"offerDeadline":"2026-08-31","participationDeadline":"2026-08-10","electronicSubmission":true,"urgent":true,"urgencyReason":"Flood","publishedOn":"2026-07-27"}""",
            ["offerDeadline", "participationDeadline", "publishedOn"], [], [], ["urgencyReason"], [], [], [], ["electronicSubmission", "urgent"]),
        new("/procurements/{case}/award-intention", """{"notifiedOn":"2026-11-02","intendedBidder":"Ammerdata AG","sentElectronically":true}""",
            ["notifiedOn"], [], ["intendedBidder"], [], [], [], [], ["sentElectronically"]),
        new("/procurements/{case}/reviews", """{"filedOn":"2026-11-10","chamber":"Vergabekammer Südbayern"}""", ["filedOn"], [], ["chamber"], [], [], [], [], []),
        new("/procurements/{case}/review-conclusion", """{"concludedOn":"2026-12-04","outcome":"Dismissed"}""", ["concludedOn"], [], [], [], [], [], ["outcome"], []),
        new("/procurements/{case}/award", """{"awardedOn":"2026-11-20","vendorName":"Ammerdata AG","netValue":512000,"releaseId":"{otherRelease}"}""",
            ["awardedOn"], ["netValue"], ["vendorName"], [], [], ["releaseId"], [], []),
        new("/procurements/{case}/cancellation", """{"cancelledOn":"2026-09-01","reason":"No offers"}""", ["cancelledOn"], [], [], ["reason"], [], [], [], []),
        new("/subscriptions",
            """{"targetUrl":"https://hooks.example.org/roadmap","eventTypes":["de.roadmap.release.deprecation-announced.v1"],"municipalities":["{ags}"],"productIds":["{product}"],"releaseIds":["{release}"]}""",
            [], [], ["targetUrl", "eventTypes[0]", "municipalities[0]"], [], ["eventTypes", "municipalities"], ["productIds[0]", "releaseIds[0]"], [], []),
    ];

    private static readonly string TooLong = $"\"{new string('x', 4001)}\"";

    /// <summary>Bad values per kind of field, as raw JSON.</summary>
    private static readonly (string Kind, string Json)[] BadDates =
        [("far future", "\"9999-12-31\""), ("before 1990", "\"1989-12-31\""), ("no such day", "\"2026-02-30\""), ("number", "20281231")];

    private static readonly (string Kind, string Json)[] BadMoney =
        [("string", "\"100\""), ("zero", "0"), ("minus zero", "-0"), ("negative", "-1"), ("three decimals", "1.005"), ("above ceiling", "10000000000.01"),
         ("beyond decimal", "1e40"), ("bool", "true")];

    private static readonly (string Kind, string Json)[] BadTexts =
        [("NUL", "\"a\\u0000b\""), ("bell", "\"a\\u0007b\""), ("lone surrogate", "\"a\\ud800b\""), ("4001 characters", TooLong)];

    private static readonly (string Kind, string Json)[] BadSingleLines = [("line break", "\"a\\nb\"")];

    private static readonly (string Kind, string Json)[] BadLists = [("null entry", "[null]"), ("object", "{}")];

    private static readonly (string Kind, string Json)[] BadIds = [("not a UUID", "\"not-a-uuid\"")];

    private static readonly (string Kind, string Json)[] BadEnums = [("unknown name", "\"Nope\"")];

    private static readonly (string Kind, string Json)[] BadFlags = [("string", "\"yes\"")];

    public static TheoryData<string, string, string, string> BodyCases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var endpoint in Endpoints)
        {
            void Add(IEnumerable<string> fields, IEnumerable<(string Kind, string Json)> values)
            {
                foreach (var field in fields)
                {
                    foreach (var (kind, json) in values)
                    {
                        data.Add(endpoint.Url, field, kind, json);
                    }
                }
            }

            Add(endpoint.Dates, BadDates);
            Add(endpoint.Money, BadMoney);
            Add(endpoint.Texts, BadTexts.Concat(BadSingleLines));
            Add(endpoint.MultiLineTexts, BadTexts);
            Add(endpoint.Lists, BadLists);
            Add(endpoint.Ids, BadIds);
            Add(endpoint.Enums, BadEnums);
            Add(endpoint.Flags, BadFlags);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task A_bad_value_in_a_body_is_a_400_that_names_the_field_and_stores_nothing(string url, string field, string kind, string badJson)
    {
        await world.BuildAsync();
        var endpoint = Endpoints.Single(e => e.Url == url);
        var path = Resolve(url);
        var body = WithValue(Resolve(endpoint.Body), field, badJson);
        var before = await world.EventCountAsync();

        using var response = await world.PostRawAsync(path, body);

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{kind} in {field}: {(int)response.StatusCode} {text}\n{body[..Math.Min(body.Length, 300)]}");
        ValidationWorld.AssertNamesField(problem, ExpectedField(field, kind), text);
        ValidationWorld.AssertNoTypeNames(text);
        Assert.Equal(before, await world.EventCountAsync());
        await world.AssertPagesRenderAsync($"{kind} in {url} {field}");
    }

    public static TheoryData<string, string, string> QueryCases()
    {
        var data = new TheoryData<string, string, string>();
        string[] values = ["9999-12-31", "1989-12-31", "2026-02-30"];
        (string Url, string[] Parameters)[] pages =
        [
            ("/municipalities/{ags}/roadmap", ["today", "asOf"]),
            ("/municipalities/{ags}/roadmap.csv", ["today", "asOf"]),
            ("/municipalities/{ags}/procurement-timelines", ["today"]),
            ("/counties/{county}/risk-board", ["today", "asOf"]),
            ("/counties/{county}/risk-board.csv", ["today", "asOf"]),
            ("/procurements/{case}/timeline", ["today"]),
            ("/municipalities/{ags}/roadmap.ics", ["today", "asOf"]),
            ("/gemeinden/{ags}/roadmap", ["stand", "heute", "asOf", "today"]),
            ("/gemeinden", ["stand", "heute", "asOf", "today"]),
        ];
        foreach (var (url, parameters) in pages)
        {
            foreach (var parameter in parameters)
            {
                foreach (var value in values)
                {
                    data.Add(url, parameter, value);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task A_bad_date_in_a_query_is_a_400_that_names_the_parameter(string url, string parameter, string value)
    {
        await world.BuildAsync();

        using var response = await world.Driver.Client.GetAsync($"{Resolve(url)}?{parameter}={value}");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{parameter}={value}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
        if (response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            Assert.Contains($"„{parameter}“", text, StringComparison.Ordinal); // the mayor's pages answer in German
        }
        else
        {
            var (_, problem) = await ValidationWorld.ProblemAsync(response);
            ValidationWorld.AssertNamesField(problem, parameter, text);
            ValidationWorld.AssertNoTypeNames(text);
        }

        await world.AssertPagesRenderAsync($"{parameter}={value} on {url}");
    }

    /// <summary>A list that is null or not a list is named by the list; a null entry by its index.</summary>
    private static string ExpectedField(string field, string kind) => kind == "null entry" ? $"{field}[0]" : field;

    private string Resolve(string template) => template
        .Replace("{county5}", world.County[..5], StringComparison.Ordinal)
        .Replace("{county}", world.County, StringComparison.Ordinal)
        .Replace("{ags}", world.Ags, StringComparison.Ordinal)
        .Replace("{vendor}", world.Vendor.ToString(), StringComparison.Ordinal)
        .Replace("{product}", world.Product.ToString(), StringComparison.Ordinal)
        .Replace("{otherRelease}", world.OtherRelease.ToString(), StringComparison.Ordinal)
        .Replace("{release}", world.Release.ToString(), StringComparison.Ordinal)
        .Replace("{procedure}", world.Procedure.ToString(), StringComparison.Ordinal)
        .Replace("{case}", world.Case.ToString(), StringComparison.Ordinal);

    /// <summary>The body with the value at <paramref name="field"/> ("shares[0].netValue") replaced by raw JSON, which may be invalid Unicode.</summary>
    private static string WithValue(string body, string field, string rawJson)
    {
        const string Marker = "__bad_value__";
        var root = JsonNode.Parse(body)!;
        var segments = field.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        var parent = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            parent = Step(parent, segments[i]);
        }

        var last = segments[^1];
        if (last.StartsWith('['))
        {
            parent.AsArray()[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = Marker;
        }
        else
        {
            parent.AsObject()[last] = Marker;
        }

        return root.ToJsonString().Replace($"\"{Marker}\"", rawJson, StringComparison.Ordinal);
    }

    private static JsonNode Step(JsonNode node, string segment) =>
        segment.StartsWith('[') ? node.AsArray()[int.Parse(segment[1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[segment]!;
}

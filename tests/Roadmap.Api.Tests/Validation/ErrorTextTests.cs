using System.Net;
using System.Text;

namespace Roadmap.Api.Tests.Validation;

/// <summary>Every way a request can fail to be read answers a sentence about the field, never a .NET type name.</summary>
[Collection(ValidationWorld.Collection)]
public sealed class ErrorTextTests(ValidationWorld world) : IClassFixture<ValidationWorld>
{
    public static TheoryData<string, string, string, string> UnreadableBodies() => new()
    {
        // failure, url, body, what the answer must say
        { "wrong type", "/procurements/{case}/value-estimate", """{"shares":[{"ags":5,"netValue":1}],"includesOptions":true}""", "'shares[0].ags': Must be a string" },
        { "bool as string", "/procurements/{case}/value-estimate", """{"shares":[],"includesOptions":"yes"}""", "'includesOptions': Must be true or false" },
        { "object for a list", "/procurements/{case}/value-estimate", """{"shares":{},"includesOptions":true}""", "'shares': Must be a list" },
        { "number for an object", "/procurements/{case}/value-estimate", """{"shares":[1],"includesOptions":true}""", "'shares[0]': Must be an object" },
        { "bad enum", "/procurements/{case}/review-conclusion", """{"concludedOn":"2026-12-04","outcome":"Nope"}""", "'outcome': Must be one of Dismissed, Upheld, Withdrawn" },
        { "enum as number", "/procurements/{case}/review-conclusion", """{"concludedOn":"2026-12-04","outcome":1}""", "'outcome': Must be one of" },
        { "bad Guid", "/procurements/{case}/award", """{"awardedOn":"2026-11-20","vendorName":"A","netValue":1,"releaseId":"nope"}""", "'releaseId': Must be a UUID" },
        { "bad date", "/procurements/{case}/award", """{"awardedOn":"2026-02-30","vendorName":"A","netValue":1}""", "'awardedOn': '2026-02-30' is not a date (yyyy-MM-dd" },
        { "date as number", "/procurements/{case}/award", """{"awardedOn":20261120,"vendorName":"A","netValue":1}""", "'awardedOn': A date is a string yyyy-MM-dd" },
        { "date out of window", "/procurements/{case}/award", """{"awardedOn":"9999-12-31","vendorName":"A","netValue":1}""", "'awardedOn': 9999-12-31 is outside" },
        { "number overflow", "/procurements/{case}/award", """{"awardedOn":"2026-11-20","vendorName":"A","netValue":1e40}""", "'netValue': 1e40 is not an amount" },
        { "string for a number", "/procurements/{case}/award", """{"awardedOn":"2026-11-20","vendorName":"A","netValue":"1"}""", "'netValue': An amount is a JSON number without quotes" },
        { "null for a required field", "/procurements", """{"title":null,"category":"Gewerbe","leadAgs":"{ags}","participants":[]}""", "'title': Cannot be null" },
        { "missing field", "/municipalities", """{"ags":"09181999","name":"X"}""", "Required fields are missing: 'countyAgs'" },
        { "unknown field", "/municipalities", """{"ags":"09181999","name":"X","countyAgs":"09181000","mayor":"Y"}""", "'mayor': Not a field of this request" },
        { "lone surrogate", "/procurements/{case}/award", """{"awardedOn":"2026-11-20","vendorName":"A\ud800","netValue":1}""", "'vendorName': Not valid Unicode text" },
        { "malformed JSON", "/municipalities", """{"ags":"09181999","name":"X" """, "The body is not valid JSON" },
        { "an array for the body", "/municipalities", "[]", "The body must be a JSON object" },
        { "null for the body", "/municipalities", "null", "The request needs a JSON object" },
        { "no body", "/municipalities", "", "The request needs a JSON object" },
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task An_unreadable_body_is_explained_without_type_names(string failure, string url, string body, string expected)
    {
        await world.BuildAsync();
        var before = await world.EventCountAsync();

        using var response = await world.PostRawAsync(Resolve(url), Resolve(body));

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{failure}: {(int)response.StatusCode} {text}");
        Assert.Equal("/problems/body-invalid-json", problem.GetProperty("type").GetString());
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        ValidationWorld.AssertNoTypeNames(text);
        Assert.Equal(before, await world.EventCountAsync());
    }

    [Theory]
    [InlineData("/catalogue/products?vendorId=not-a-uuid", "vendorId")]
    [InlineData("/catalogue/releases?productId=42", "productId")]
    public async Task A_query_value_of_the_wrong_form_is_explained_without_type_names(string url, string parameter)
    {
        using var response = await world.Driver.Client.GetAsync(url);

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        ValidationWorld.AssertNamesField(problem, parameter, text);
        Assert.Contains("UUID", text, StringComparison.Ordinal);
        ValidationWorld.AssertNoTypeNames(text);
    }

    [Fact]
    public async Task A_body_with_a_wrong_content_type_says_which_one_is_expected()
    {
        using var response = await world.Driver.Client.PostAsync("/municipalities", new StringContent("ags=1", Encoding.UTF8, "application/x-www-form-urlencoded"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        ValidationWorld.AssertNoTypeNames(text);
    }

    private string Resolve(string template) => template
        .Replace("{case}", world.Case.ToString(), StringComparison.Ordinal)
        .Replace("{ags}", world.Ags, StringComparison.Ordinal);
}

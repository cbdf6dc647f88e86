using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Roadmap.Api.Tests.Validation;

/// <summary>
/// Inputs the hostile-requests fault scenario (<c>faults hostile</c>, issue 13 point 15) found answered with a 500 or
/// stored: each is now refused with a problem, and nothing is stored.
/// </summary>
[Collection(ValidationWorld.Collection)]
public sealed class HostileInputTests(ValidationWorld world) : IClassFixture<ValidationWorld>
{
    /// <summary>
    /// "0918111\0" has 8 characters; the AGS check took the NUL for "no character that is not a digit" and PostgreSQL
    /// refused the query (500). In a path Kestrel refuses a NUL itself.
    /// </summary>
    [Theory]
    [InlineData("/municipalities?county=0918111%00")]
    [InlineData("/procurements?ags=0918111%00")]
    [InlineData("/gemeinden?kreis=0918111%00")]
    public async Task An_ags_with_a_NUL_in_the_query_is_a_400_before_it_reaches_the_database(string url)
    {
        using var response = await world.Driver.Client.GetAsync(url);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
    }

    /// <summary>The framework's JSON reader threw an InvalidOperationException for the charset, which became a 500.</summary>
    [Theory]
    [InlineData("ebcdic")]
    [InlineData("no-such-charset")]
    public async Task A_json_body_in_an_unknown_charset_is_a_415_problem(string charset)
    {
        await world.BuildAsync();
        var before = await world.EventCountAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"name":"Charset GmbH"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");

        using var response = await world.Driver.Client.PostAsync("/catalogue/vendors", content);

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{(int)response.StatusCode} {text}");
        Assert.Equal("/problems/body-charset-unsupported", problem.GetProperty("type").GetString());
        Assert.Contains(charset, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        ValidationWorld.AssertNoTypeNames(text);
        Assert.Equal(before, await world.EventCountAsync());
    }

    /// <summary>
    /// The optional bodies of the subscription actions were not checked at all: a NUL in the reason was a 500 (PostgreSQL
    /// cannot store it), a control character was stored with the pause, and a rotation or redelivery went ahead.
    /// </summary>
    [Theory]
    [InlineData("pause", """{"reason":"\u0000"}""")]
    [InlineData("pause", """{"reason":"\u001b[31mred"}""")]
    [InlineData("resume", """{"reason":"a\u0000b"}""")]
    [InlineData("resume", """{"reason":"\u0007"}""")]
    [InlineData("secret", """{"reason":"\u001b[31mred"}""")]
    [InlineData("dead-letters/redeliver", """{"reason":"\u0000"}""")]
    [InlineData("dead-letters/1/redeliver", """{"reason":"\u000b"}""")]
    public async Task A_subscription_action_with_control_characters_in_its_reason_is_a_400_that_stores_nothing(string action, string body)
    {
        var client = world.Driver.Client;
        var created = await client.PostAsJsonAsync("/subscriptions", new { targetUrl = "https://hooks.example.org/roadmap" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        if (action == "resume")
        {
            // Resuming a paused subscription records an event: the one the bad body must not cause.
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/subscriptions/{id}/pause", new { reason = "maintenance" })).StatusCode);
        }

        var before = await world.EventCountAsync();

        using var response = await world.PostRawAsync($"/subscriptions/{id}/{action}", body);

        var (text, problem) = await ValidationWorld.ProblemAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{action}: {(int)response.StatusCode} {text}");
        ValidationWorld.AssertNamesField(problem, "reason", text);
        Assert.Equal(before, await world.EventCountAsync());
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("secret")]
    [InlineData("dead-letters/redeliver")]
    public async Task A_subscription_action_without_a_body_or_with_a_plain_reason_still_works(string action)
    {
        var client = world.Driver.Client;
        var created = await client.PostAsJsonAsync("/subscriptions", new { targetUrl = "https://hooks.example.org/roadmap" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var withoutBody = await client.PostAsync($"/subscriptions/{id}/{action}", null);
        using var withReason = await world.PostRawAsync($"/subscriptions/{id}/{action}", """{"reason":"Wartung bis Montag"}""");

        Assert.Equal(HttpStatusCode.OK, withoutBody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withReason.StatusCode);
    }
}

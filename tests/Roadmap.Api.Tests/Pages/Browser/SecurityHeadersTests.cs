using System.Net;
using System.Text;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Tests.Pages.Browser;

/// <summary>
/// The headers a browser needs on every answer, read from the real Kestrel server (the in-memory test server adds no
/// Server header, so only a real one can show that none is sent).
/// </summary>
public sealed class SecurityHeadersTests(PagesServerFactory factory) : IClassFixture<PagesServerFactory>
{
    [Theory]
    [InlineData("/gemeinden", SecurityHeaders.PagePolicy)]
    [InlineData("/gemeinden/" + PagesServerFactory.Ags + "/roadmap?heute=" + PagesServerFactory.Today, SecurityHeaders.PagePolicy)]
    [InlineData("/gemeinden/09181999/roadmap", SecurityHeaders.PagePolicy)] // the German 404 page
    [InlineData("/regeln", SecurityHeaders.PagePolicy)]
    [InlineData("/swagger/index.html", SecurityHeaders.SwaggerPolicy)]
    [InlineData("/municipalities", SecurityHeaders.ApiPolicy)]
    [InlineData("/openapi/v1.json", SecurityHeaders.ApiPolicy)]
    [InlineData("/municipalities/99999999", SecurityHeaders.ApiPolicy)] // a 404 problem too
    public async Task Every_answer_forbids_sniffing_framing_and_referrers_and_names_no_server(string path, string policy)
    {
        await factory.SeedAsync();
        using var client = factory.CreateKestrelClient();

        var response = await client.GetAsync(path);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        Assert.False(response.Headers.Contains("Server"), $"{path} names its server: {string.Join(",", response.Headers.Server)}");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal(policy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", policy);
    }

    [Fact]
    public async Task A_body_nested_deeper_than_the_limit_is_a_400_problem()
    {
        await factory.SeedAsync();
        using var client = factory.CreateKestrelClient();
        var depth = JsonInput.MaxDepth + 8;
        var body = "{\"ags\":\"09181140\",\"name\":\"Tief\",\"countyAgs\":\"09181000\",\"x\":" + new string('[', depth) + new string(']', depth) + "}";

        var response = await client.PostAsync("/municipalities", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/municipalities/09181140")).StatusCode);
    }
}

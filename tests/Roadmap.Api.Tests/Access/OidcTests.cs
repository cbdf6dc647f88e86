using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Roadmap.Api.Access;

namespace Roadmap.Api.Tests.Access;

/// <summary>A county that runs Keycloak: the API configured for its realm, with tokens the test signs itself.</summary>
public sealed class OidcFactory : RoadmapApiFactory
{
    public const string Authority = "https://login.landkreis.example/realms/landkreis";
    public const string Audience = "roadmap";

    public RsaSecurityKey SigningKey { get; } = new(RSA.Create(2048)) { KeyId = "test-key" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:Auth:Oidc:Authority", Authority);
        builder.UseSetting("Roadmap:Auth:Oidc:Audience", Audience);
    }

    protected override void ConfigureTestServices(IServiceCollection services) =>
        // The realm's keys as its discovery document would give them (the test never reaches login.landkreis.example).
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = Authority };
            configuration.SigningKeys.Add(SigningKey);
            jwt.Configuration = configuration;
            jwt.TokenValidationParameters.ValidIssuer = Authority;
            jwt.TokenValidationParameters.IssuerSigningKey = SigningKey;
        });

    public string Token(
        string role, string[]? municipalities = null, string? county = null, string name = "anna.berger", SecurityKey? key = null,
        string issuer = Authority, string audience = Audience, DateTime? expires = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = $"user-{name}", ["preferred_username"] = name, ["roadmap_role"] = role };
        if (municipalities is not null)
        {
            claims["roadmap_municipalities"] = municipalities;
        }

        if (county is not null)
        {
            claims["roadmap_county"] = county;
        }

        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = expiry.AddMinutes(-20),
            IssuedAt = expiry.AddMinutes(-20),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    public HttpClient WithToken(string token)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class OidcTests(OidcFactory factory) : IClassFixture<OidcFactory>
{
    private const string Kaufering = "09181118";
    private const string Landsberg = "09181130";

    [Fact]
    public async Task A_token_of_the_realm_opens_what_its_role_and_municipalities_allow_and_names_its_user_in_the_history()
    {
        var admin = factory.CreateClient();
        foreach (var (ags, name) in new[] { (Kaufering, "Kaufering"), (Landsberg, "Landsberg am Lech") })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/municipalities", new { ags, name, countyAgs = "09181000" })).StatusCode);
        }

        var planner = factory.WithToken(factory.Token("planner", [Kaufering]));
        var first = await planner.GetAsync($"/municipalities/{Kaufering}");
        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.GetAsync($"/municipalities/{Landsberg}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.GetAsync("/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await planner.PostAsJsonAsync($"/municipalities/{Kaufering}/name", new { name = "Markt Kaufering" })).StatusCode);

        var history = await admin.GetFromJsonAsync<JsonElement>($"/municipalities/{Kaufering}/history");
        Assert.Equal("anna.berger", history.GetProperty("events")[1].GetProperty("by").GetString());

        var countyAdmin = factory.WithToken(factory.Token("admin", name: "it.landratsamt"));
        Assert.Equal(HttpStatusCode.OK, (await countyAdmin.GetAsync("/admin/keys")).StatusCode);
        var countyReader = factory.WithToken(factory.Token("reader", county: "09181000"));
        Assert.Equal(HttpStatusCode.OK, (await countyReader.GetAsync($"/municipalities/{Landsberg}")).StatusCode);
    }

    [Fact]
    public async Task Expired_foreign_misaddressed_and_roleless_tokens_are_refused_with_401()
    {
        var foreignKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-key" };
        foreach (var token in new[]
                 {
                     factory.Token("planner", [Kaufering], expires: DateTime.UtcNow.AddMinutes(-10)),
                     factory.Token("planner", [Kaufering], key: foreignKey),
                     factory.Token("planner", [Kaufering], issuer: "https://login.elsewhere.example/realms/x"),
                     factory.Token("planner", [Kaufering], audience: "another-app"),
                     factory.Token("mayor", [Kaufering]),
                     factory.Token("link", [Kaufering]),
                     "not-a-token",
                 })
        {
            var response = await factory.WithToken(token).GetAsync($"/municipalities/{Kaufering}");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} for {token[..Math.Min(token.Length, 30)]}");
            Assert.Equal("/problems/unauthenticated", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        // API keys keep working beside the tokens.
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/municipalities")).StatusCode);
    }
}

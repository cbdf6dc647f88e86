using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Roadmap.Api.Access;

/// <summary>
/// OpenID Connect bearer tokens (Keycloak, Active Directory / Entra ID), the alternative to API keys: configured by
/// <c>Roadmap:Auth:Oidc</c> (Authority, Audience, and which claims carry the name, the role and the scope). A valid
/// token's claims become the same role and scope claims an API key gives (<see cref="AccessClaims"/>), so the
/// policies do not know how a caller signed in. A role that is not one of ours, or a link role, opens nothing.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Roadmap:Auth:Oidc";

    /// <summary>The issuer's URL (its /.well-known/openid-configuration is read); empty: bearer tokens are not accepted.</summary>
    public string Authority { get; set; } = "";

    public string Audience { get; set; } = "";

    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>The claim with the role (one of admin, planner, reader, integration; a list is allowed: the first of ours counts).</summary>
    public string RoleClaim { get; set; } = "roadmap_role";

    /// <summary>The claim with the AGS of the municipalities (repeated or a JSON array).</summary>
    public string MunicipalitiesClaim { get; set; } = "roadmap_municipalities";

    /// <summary>The claim with the county's AGS.</summary>
    public string CountyClaim { get; set; } = "roadmap_county";

    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => Authority.Length > 0;
}

public static class OidcAuthentication
{
    public const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Chooses the scheme by what the request carries: a bearer token, else an API key or link token.</summary>
    public const string SelectorScheme = "Roadmap";

    public static AuthenticationBuilder AddRoadmapOidc(this AuthenticationBuilder authentication)
    {
        // Read when first needed, not at registration: configuration sources added by the host later count too.
        authentication.Services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section);
        authentication.AddPolicyScheme(SelectorScheme, "API key or bearer token", selector =>
            selector.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<OidcOptions>>().Value.Enabled
                    ? SchemeName
                    : ApiKeyAuthentication.SchemeName);
        authentication.AddJwtBearer(SchemeName);
        authentication.Services.AddOptions<JwtBearerOptions>(SchemeName).Configure<Microsoft.Extensions.Options.IOptions<OidcOptions>>((jwt, oidc) =>
        {
            var options = oidc.Value;
            if (!options.Enabled)
            {
                return; // never selected
            }

            jwt.Authority = options.Authority;
            jwt.Audience = options.Audience;
            jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.ValidateAudience = options.Audience.Length > 0;
            jwt.TokenValidationParameters.NameClaimType = options.NameClaim;
            jwt.Events = new JwtBearerEvents { OnTokenValidated = context => MapClaims(context, options) };
        });
        return authentication;
    }

    /// <summary>The token's claims as ours: name, subject as owner, one of our roles, the scope.</summary>
    private static Task MapClaims(TokenValidatedContext context, OidcOptions options)
    {
        var token = context.Principal!;
        var role = token.FindAll(options.RoleClaim).Select(c => c.Value).FirstOrDefault(r => Roles.All.Contains(r) && r != Roles.Link);
        if (role is null)
        {
            context.Fail($"The token carries no role of Roadmap's in '{options.RoleClaim}' ({string.Join(", ", Roles.All.Where(r => r != Roles.Link))}).");
            return Task.CompletedTask;
        }

        var subject = token.FindFirstValue("sub") ?? "";
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, $"oidc:{subject}"),
            new(ClaimTypes.Name, token.FindFirstValue(options.NameClaim) ?? subject),
            new(ClaimTypes.Role, role),
        };
        if (role != Roles.Admin)
        {
            claims.AddRange(token.FindAll(options.MunicipalitiesClaim).Select(c => new Claim(AccessClaims.Municipality, c.Value)));
            if (token.FindFirstValue(options.CountyClaim) is { Length: > 0 } county)
            {
                claims.Add(new Claim(AccessClaims.County, county));
            }
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return Task.CompletedTask;
    }
}

using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Roadmap.Api.Access;

/// <summary>
/// Authenticates a request by its <c>X-Api-Key</c> header, or, for a link token only, by <c>?token=</c> (calendar apps
/// and browsers opening a mayor's page cannot send headers). An API key in a URL is refused: URLs end up in logs and
/// browser histories.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string TokenParameter = "token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers[Header].ToString();
        var token = Request.Query[TokenParameter].ToString();
        if (header.Length == 0 && token.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var fromUrl = header.Length == 0;
        var principal = await keys.FindAsync(fromUrl ? token : header, Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        if (fromUrl && principal.Role != Roles.Link)
        {
            return AuthenticateResult.Fail("An API key is sent in the X-Api-Key header, never in the URL; only link tokens go in ?token=.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, principal.Prefix),
            new(ClaimTypes.Name, principal.Name),
            new(ClaimTypes.Role, principal.Role),
        };
        if (principal.Scope.County is { } county)
        {
            claims.Add(new Claim(AccessClaims.County, county));
        }

        claims.AddRange(principal.Scope.Municipalities.Select(ags => new Claim(AccessClaims.Municipality, ags)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}

/// <summary>The claims that carry a caller's scope, whichever way it authenticated.</summary>
public static class AccessClaims
{
    public const string Municipality = "roadmap:municipality";
    public const string County = "roadmap:county";

    /// <summary>Who owns what this caller creates (its subscriptions): the key's prefix, a token's subject.</summary>
    public static string? OwnerOf(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    public static AccessScope ScopeOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin)
            ? AccessScope.All
            : new AccessScope(false, user.FindFirstValue(County), user.FindAll(Municipality).Select(c => c.Value).ToList());
}

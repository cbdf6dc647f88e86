using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Access;

/// <summary>What an endpoint needs from its caller: one of <see cref="Roles"/>, and the resource in the caller's scope.</summary>
/// <param name="Writes">A decision: on a procurement case, the lead municipality must be in scope (reading needs any participant).</param>
/// <param name="CountyWide">Only an admin or a key for a whole county (the shared catalogue).</param>
public sealed record AccessRequirement(IReadOnlyList<string> Roles, bool Writes = false, bool CountyWide = false) : IAuthorizationRequirement;

/// <summary>The access policies every endpoint names (docs/0015). Endpoints without one need an authenticated caller.</summary>
public static class Access
{
    public const string Admin = "admin";
    public const string Plan = "plan";
    public const string PlanCatalogue = "plan-catalogue";
    public const string Read = "read";
    public const string ReadPages = "read-pages";
    public const string ReadCatalogue = "read-catalogue";
    public const string Integrate = "integrate";

    /// <summary>Which roles each policy lets in (the OpenAPI document lists them per operation).</summary>
    public static readonly IReadOnlyDictionary<string, AccessRequirement> Policies = new Dictionary<string, AccessRequirement>
    {
        [Admin] = new([Roles.Admin]),
        [Plan] = new([Roles.Admin, Roles.Planner], Writes: true),
        [PlanCatalogue] = new([Roles.Admin, Roles.Planner], Writes: true, CountyWide: true),
        [Read] = new([Roles.Admin, Roles.Planner, Roles.Reader]),
        [ReadPages] = new([Roles.Admin, Roles.Planner, Roles.Reader, Roles.Link]),
        [ReadCatalogue] = new([Roles.Admin, Roles.Planner, Roles.Reader, Roles.Integration]),
        [Integrate] = new([Roles.Admin, Roles.Integration]),
    };

    public static IServiceCollection AddRoadmapAccess(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication(OidcAuthentication.SelectorScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddRoadmapOidc();
        services.AddAuthorization(options =>
        {
            // An endpoint that names no policy still needs a caller: nothing is open by forgetting.
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (var (name, requirement) in Policies)
            {
                options.AddPolicy(name, policy => policy.RequireAuthenticatedUser().AddRequirements(requirement));
            }
        });
        services.AddSingleton<IAuthorizationHandler, AccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessProblems>();
        return services;
    }

    /// <summary>
    /// Every endpoint of the group needs <paramref name="reads"/> for GET and <paramref name="writes"/> for every other
    /// method (an endpoint may add a narrower policy of its own: all must pass).
    /// </summary>
    public static RouteGroupBuilder RequireAccess(this RouteGroupBuilder group, string reads, string writes)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().SelectMany(m => m.HttpMethods);
            var policy = methods.Any(m => m is "GET" or "HEAD") ? reads : writes;
            endpoint.Metadata.Add(new AuthorizeAttribute(policy));
        });
        return group;
    }

    /// <summary>
    /// A feed or stream read by a scoped key must name one of its municipalities (<c>?municipality=</c>): the events of
    /// the others are not its business. An admin reads everything.
    /// </summary>
    public static RouteGroupBuilder RequireMunicipalityInScope(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var scope = AccessClaims.ScopeOf(http.User);
            var municipality = http.Request.Query["municipality"].ToString();
            if (!scope.Everything && (municipality.Length == 0 || !scope.Covers(municipality)))
            {
                return Problems.Create(StatusCodes.Status403Forbidden, "out-of-scope", "Outside your scope",
                    $"This key covers {scope}: read the feed with ?municipality= one of them.");
            }

            return await next(context);
        });
        return group;
    }

    /// <summary>The endpoint (or group) needs <paramref name="policy"/>.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, string policy) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy);
}

/// <summary>
/// Checks the caller's role and scope against the request's resource: the <c>{ags}</c> or <c>{countyAgs}</c> in the
/// route, or the municipality of the procedure or procurement case named by <c>{id}</c> (from the inline indexes, so
/// as of the last commit). Lists and request bodies are narrowed to the scope by their endpoints.
/// </summary>
internal sealed class AccessHandler(NpgsqlDataSource dataSource, EventStoreOptions options) : AuthorizationHandler<AccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        if (!requirement.Roles.Any(context.User.IsInRole))
        {
            context.Fail(new AuthorizationFailureReason(this, "role"));
            return;
        }

        var scope = AccessClaims.ScopeOf(context.User);
        if (requirement.CountyWide && !scope.Everything && scope.County is null)
        {
            context.Fail(new AuthorizationFailureReason(this, "scope"));
            return;
        }

        if (context.Resource is not HttpContext http || scope.Everything)
        {
            context.Succeed(requirement);
            return;
        }

        // A subscription belongs to the key that created it: another integration's is as if it did not exist.
        if (http.Request.Path.StartsWithSegments("/subscriptions") && http.Request.RouteValues.TryGetValue("id", out var subscription)
            && Guid.TryParse(subscription as string, out var subscriptionId)
            && await OwnerOfSubscriptionAsync(subscriptionId, http.RequestAborted) is { } owner
            && owner != (AccessClaims.OwnerOf(context.User) ?? ""))
        {
            context.Fail(new AuthorizationFailureReason(this, "hidden"));
            return;
        }

        var route = http.Request.RouteValues;
        if (route.TryGetValue("ags", out var ags) && ags is string municipality && !scope.Covers(municipality))
        {
            context.Fail(new AuthorizationFailureReason(this, "scope"));
            return;
        }

        if (route.TryGetValue("countyAgs", out var county) && county is string countyAgs && !scope.CoversCounty(countyAgs))
        {
            context.Fail(new AuthorizationFailureReason(this, "scope"));
            return;
        }

        if (route.TryGetValue("id", out var id) && Guid.TryParse(id as string, out var resourceId)
            && await MunicipalitiesOfAsync(http.Request.Path, resourceId, requirement.Writes, http.RequestAborted) is { } owners
            && !owners.Any(scope.Covers))
        {
            context.Fail(new AuthorizationFailureReason(this, "hidden"));
            return;
        }

        context.Succeed(requirement);
    }

    /// <summary>The subscription's owner ("" for one from before owners); null when there is no such subscription.</summary>
    private async Task<string?> OwnerOfSubscriptionAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(owner, '') from {options.Schema}.webhook_subscriptions where subscription_id = $1");
        command.Parameters.AddWithValue(id);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The municipalities a procedure or case belongs to; null when the id names none (the endpoint answers 404).</summary>
    private async Task<IReadOnlyList<string>?> MunicipalitiesOfAsync(PathString path, Guid id, bool writes, CancellationToken cancellationToken)
    {
        string sql;
        if (path.StartsWithSegments("/procedures"))
        {
            sql = $"select array[ags] from {options.Schema}.procedure_index where procedure_id = $1";
        }
        else if (path.StartsWithSegments("/procurements"))
        {
            sql = writes
                ? $"select array[lead_ags] from {options.Schema}.procurement_index where case_id = $1"
                : $"select array_append(participant_ags, lead_ags) from {options.Schema}.procurement_index where case_id = $1";
        }
        else
        {
            return null;
        }

        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(id);
        return await command.ExecuteScalarAsync(cancellationToken) as string[];
    }
}

/// <summary>401, 403 and 404 as problem details: no key, a key that may not do this, and a resource outside the scope.</summary>
internal sealed class AccessProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, http, policy, authorizeResult);
            return;
        }

        var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).ToList() ?? [];
        var (status, code, title, detail) = authorizeResult.Challenged
            ? (StatusCodes.Status401Unauthorized, "unauthenticated", "Credentials required",
                http.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.Message
                ?? $"Send an API key in the {ApiKeyAuthentication.Header} header (an admin creates one: ./roadmap keys create).")
            : reasons.Contains("hidden")
                ? (StatusCodes.Status404NotFound, "not-found", "Not found", "No such resource.")
                : reasons.Contains("scope")
                    ? (StatusCodes.Status403Forbidden, "out-of-scope", "Outside your scope",
                        "This key does not cover the municipality or county the request is about.")
                    : (StatusCodes.Status403Forbidden, "forbidden", "Not allowed for this role",
                        "This key's role may not call this operation.");
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<OidcOptions>>().Value.Enabled
                ? new Microsoft.Extensions.Primitives.StringValues([$"{ApiKeyAuthentication.SchemeName} header=\"{ApiKeyAuthentication.Header}\"", "Bearer"])
                : $"{ApiKeyAuthentication.SchemeName} header=\"{ApiKeyAuthentication.Header}\"";
        }

        await Problems.WriteAsync(http, status, code, title, detail);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Roadmap.Api.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /municipalities/{ags}/roadmap.</summary>
public static class GetRoadmap
{
    public static void Map(RouteGroupBuilder group) => group.MapGet("/roadmap", HandleAsync)
        .Produces<MunicipalityRoadmap>()
        .Produces(StatusCodes.Status304NotModified)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("The municipality's replacement roadmap: per procedure the end of support, required go-live, latest award and latest procurement start, the procurement procedure and why, planned and actual dates, badges and slack.")
        .WithDescription(
            "`today` (yyyy-MM-dd, default: the current day in Europe/Berlin) counts the slack. `asOf` (yyyy-MM-dd) answers with the roadmap as known " +
            "at the end of that day (only events recorded up to then), for council reports; today then defaults to asOf. The live answer reads the " +
            "async read model as it stands; it carries an `ETag` (municipality, today and the version of the roadmap's inputs), and `If-None-Match` " +
            "with the current one answers 304. 400 for a malformed date, 404 `municipality-unknown`.");

    private static async Task<IResult> HandleAsync(
        string ags, string? today, string? asOf, HttpContext http, IRoadmapQueries queries, RoadmapCache cache, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!RoadmapDays.TryParse(today, asOf, clock, out var days, out var problem))
        {
            return problem!;
        }

        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return ProcedureLookups.MunicipalityUnknown(ags);
        }

        if (days.AsOf is not null)
        {
            var roadmap = await queries.GetRoadmapAsync(parsed, days.Today, days.AsOf, cancellationToken);
            return roadmap is null ? ProcedureLookups.MunicipalityUnknown(ags) : TypedResults.Ok(roadmap);
        }

        var version = await cache.VersionAsync(parsed, cancellationToken);
        if (version is { } v && IsCurrent(http.Request, RoadmapCache.ETag(parsed, days.Today, v)) is { } current)
        {
            http.Response.Headers.ETag = current;
            http.Response.Headers.CacheControl = "no-cache";
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var body = await cache.GetBodyAsync(parsed, days.Today, version, cancellationToken);
        return body is null ? ProcedureLookups.MunicipalityUnknown(ags) : new RoadmapJsonResult(body);
    }

    /// <summary>The entity tag when If-None-Match names it (or is *), else null.</summary>
    private static string? IsCurrent(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0)
        {
            return null;
        }

        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return null;
        }

        // Weak comparison, as RFC 9110 asks of If-None-Match.
        return tags.Any(t => t.Tag == "*" || t.Tag.Equals(etag, StringComparison.Ordinal)) ? etag : null;
    }

    /// <summary>The cached UTF-8 JSON, copied as is.</summary>
    private sealed class RoadmapJsonResult(RoadmapBody body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Utf8Json.Length;
            if (body.ETag is not null)
            {
                response.Headers.ETag = body.ETag;
                response.Headers.CacheControl = "no-cache";
            }

            return response.Body.WriteAsync(body.Utf8Json, httpContext.RequestAborted).AsTask();
        }
    }
}

using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Stream versions on the wire: <c>ETag: W/"7"</c> on every read of a stream-backed resource, and
/// <c>If-Match</c> on a decision becomes the expected version (after emmett-expressjs's etag handling).
/// </summary>
public static class HttpVersioning
{
    public static string ETagFor(long version) => string.Create(CultureInfo.InvariantCulture, $"W/\"{version}\"");

    public static void SetETag(HttpContext http, long version) => http.Response.Headers.ETag = ETagFor(version);

    /// <summary>The version an If-Match names: null when absent, an error sentence when it is not a version we issued.</summary>
    public static (long? Version, string? Error) ParseIfMatch(HttpRequest request)
    {
        var raw = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(raw))
        {
            return (null, null);
        }

        if (!EntityTagHeaderValue.TryParseList([raw], out var tags) || tags.Count != 1)
        {
            return (null, $"If-Match '{raw}' must be one entity tag such as W/\"3\", as sent in the ETag of the resource.");
        }

        var tag = tags[0].Tag.Value?.Trim('"');
        return long.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, $"If-Match '{raw}' is not a version of this resource; send the ETag you received.");
    }
}

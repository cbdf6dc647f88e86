using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>GET /feeds/deprecations?after=CURSOR&amp;limit=N&amp;wait=30s: deprecation CloudEvents a page at a time, with long polling.</summary>
public static class GetDeprecationFeed
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <param name="Events">The CloudEvents of this page, oldest first.</param>
    /// <param name="Next">The cursor to ask for the next page with (also in the Link header); the same as `after` when nothing was new.</param>
    public sealed record FeedResponse(
        [property: JsonPropertyName("events")] IReadOnlyList<CloudEvent> Events,
        [property: JsonPropertyName("next")] string Next);

    public static void Map(RouteGroupBuilder group) => group.MapGet("/", GetAsync)
        .WithSummary("Deprecation notices and end-of-support changes as CloudEvents, oldest first, a page at a time; `wait=30s` long-polls.")
        .WithDescription(
            "Start without `after`, then pass the `next` of each answer (also in `Link: <…>; rel=\"next\"`). Every event appears exactly once " +
            "and in the order it became visible, also when transactions commit late. `limit` 1–1000 (default 100). `wait` (`30s` or `30`, at most 60) " +
            "holds an empty answer open until an event arrives or the time is up; on timeout `events` is empty and `next` unchanged. " +
            "400 `cursor-invalid` for a cursor the feed did not hand out, `validation` for a bad `limit` or `wait`.")
        .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<Results<Ok<FeedResponse>, ProblemHttpResult>> GetAsync(
        string? after, string? limit, string? wait, HttpContext http, FeedReader reader, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!FeedCursor.TryParse(after, out var checkpoint))
        {
            return FeedCursor.Invalid(after);
        }

        if (!TryParseLimit(limit, out var pageSize))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid limit",
                $"limit is a whole number from 1 to {FeedReader.MaxLimit} (default {FeedReader.DefaultLimit}).");
        }

        if (!TryParseWait(wait, out var waitFor))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid wait",
                $"wait is a number of seconds from 0 to {MaxWait.TotalSeconds:0}, like 30 or 30s.");
        }

        var page = await reader.ReadOrWaitAsync(checkpoint, pageSize, waitFor, clock, cancellationToken);
        var next = FeedCursor.Format(page.Next);
        var link = $"{http.Request.PathBase}{http.Request.Path}?after={Uri.EscapeDataString(next)}"
            + (limit is null ? "" : $"&limit={pageSize.ToString(CultureInfo.InvariantCulture)}");
        http.Response.Headers.Append("Link", $"<{link}>; rel=\"next\"");
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new FeedResponse(page.Items.Select(i => i.Event).ToList(), next));
    }

    private static bool TryParseLimit(string? text, out int limit)
    {
        limit = FeedReader.DefaultLimit;
        return text is null
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= FeedReader.MaxLimit);
    }

    /// <summary>"30s" or "30": whole seconds, at most <see cref="MaxWait"/>; absent is no wait.</summary>
    public static bool TryParseWait(string? text, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (text is null)
        {
            return true;
        }

        var digits = text.EndsWith('s') ? text[..^1] : text;
        if (digits.Length is 0 or > 2 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxWait.TotalSeconds)
        {
            return false;
        }

        wait = TimeSpan.FromSeconds(seconds);
        return true;
    }
}

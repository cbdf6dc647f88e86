using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Integrations.Feeds;

/// <param name="Events">The CloudEvents of this page, oldest first, each as stored when its event was recorded.</param>
/// <param name="Next">The cursor to ask for the next page with (also in the Link header); the same as `after` when nothing was new.</param>
public sealed record FeedResponse<TData>(
    [property: JsonPropertyName("events")] IReadOnlyList<CloudEvent<TData>> Events,
    [property: JsonPropertyName("next")] string Next);

/// <summary>GET /feeds/{feed}?after=CURSOR&amp;limit=N&amp;wait=30s&amp;type=T&amp;municipality=AGS: CloudEvents a page at a time, with long polling.</summary>
public static class GetFeed
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    public static void Map<TData>(RouteGroupBuilder group, IReadOnlyList<string> types, string summary) => group.MapGet("/",
            (string? after, string? limit, string? wait, string? type, string? municipality, HttpContext http, FeedReader reader, TimeProvider clock,
                CancellationToken cancellationToken) =>
                GetAsync<TData>(types, after, limit, wait, type, municipality, http, reader, clock, cancellationToken))
        .WithSummary(summary)
        .WithDescription(
            "Start without `after`, then pass the `next` of each answer (also in `Link: <…>; rel=\"next\"`). Every event appears exactly once " +
            "and in the order it became visible, also when transactions commit late; its CloudEvent is the one stored when it was recorded, the same " +
            "as on webhooks and the live stream. `limit` 1–1000 (default 100). `wait` (`30s` or `30`, at most 60) " +
            "holds an empty answer open until an event arrives or the time is up; on timeout `events` is empty and `next` is where the read reached. " +
            $"`type` (one of {string.Join(", ", types)}) and `municipality` (an AGS: events affecting it) narrow the feed. " +
            "400 `cursor-invalid` for a cursor the feed did not hand out, `validation` for a bad `limit`, `wait`, `type` or `municipality`.")
        .ProducesProblem(StatusCodes.Status400BadRequest);

    /// <summary>The filter from the query (`type`, `municipality`), or the problem.</summary>
    public static bool TryFilter(IReadOnlyList<string> types, string? type, string? municipality, out FeedFilter filter, out ProblemHttpResult? problem)
    {
        filter = new FeedFilter(types);
        problem = null;
        if (type is not null && !types.Contains(type, StringComparer.Ordinal))
        {
            problem = Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid type", $"type is one of {string.Join(", ", types)}.");
            return false;
        }

        if (municipality is not null && !Roadmap.Domain.Shared.Ags.TryParse(municipality, out _, out _))
        {
            problem = Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid municipality", "municipality is an 8-digit AGS, e.g. 09181128.");
            return false;
        }

        filter = new FeedFilter(type is null ? types : [type], municipality);
        return true;
    }

    /// <summary>The stored CloudEvent as the feed's typed answer (the same JSON: it was serialized from this type).</summary>
    public static CloudEvent<TData> Typed<TData>(IntegrationEvent e) =>
        JsonSerializer.Deserialize<CloudEvent<TData>>(e.Body, IntegrationEventTypes.Json)!;

    private static async Task<Results<Ok<FeedResponse<TData>>, ProblemHttpResult>> GetAsync<TData>(
        IReadOnlyList<string> types, string? after, string? limit, string? wait, string? type, string? municipality, HttpContext http,
        FeedReader reader, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!FeedCursor.TryParse(after, out var checkpoint))
        {
            return FeedCursor.Invalid(after);
        }

        if (!TryFilter(types, type, municipality, out var filter, out var filterProblem))
        {
            return filterProblem!;
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

        var page = await reader.ReadOrWaitAsync(checkpoint, pageSize, filter, waitFor, clock, cancellationToken);
        var next = FeedCursor.Format(page.Next);
        var link = $"{http.Request.PathBase}{http.Request.Path}?after={Uri.EscapeDataString(next)}"
            + (limit is null ? "" : $"&limit={pageSize.ToString(CultureInfo.InvariantCulture)}")
            + (type is null ? "" : $"&type={Uri.EscapeDataString(type)}")
            + (municipality is null ? "" : $"&municipality={Uri.EscapeDataString(municipality)}");
        http.Response.Headers.Append("Link", $"<{link}>; rel=\"next\"");
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new FeedResponse<TData>(page.Items.Select(i => Typed<TData>(i.Event)).ToList(), next));
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

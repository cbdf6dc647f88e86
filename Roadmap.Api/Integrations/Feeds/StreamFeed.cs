using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>GET /feeds/{feed}/stream: a feed's CloudEvents live, as Server-Sent Events, resuming from Last-Event-ID.</summary>
public static class StreamFeed
{
    public const string ContentType = "text/event-stream";

    public static void Map(RouteGroupBuilder group, IReadOnlyList<string> types, string summary) => group.MapGet("/stream",
            (string? after, string? type, string? municipality, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, FeedReader reader,
                FeedListener listener, TimeProvider clock, IHostApplicationLifetime lifetime) =>
                Open(types, after, type, municipality, lastEventId, reader, listener, clock, lifetime))
        .WithSummary(summary)
        .WithDescription(
            "Each event is `id: <cursor>`, `event: <CloudEvent type>`, `data: <CloudEvent JSON>` (the CloudEvent stored when the event was recorded). " +
            "Without Last-Event-ID the stream starts at `after` (a cursor of the pull feed) or at the start of the log, replays what is there and then " +
            "follows new events. `type` and `municipality` narrow it as on the pull feed. A comment line every 15 s keeps idle connections open. " +
            "400 `cursor-invalid` for a Last-Event-ID or `after` the feed did not hand out, `validation` for a bad `type` or `municipality`.")
        .Produces<string>(StatusCodes.Status200OK, ContentType)
        .ProducesProblem(StatusCodes.Status400BadRequest);

    private static Results<FeedEventStream, ProblemHttpResult> Open(
        IReadOnlyList<string> types, string? after, string? type, string? municipality, string? lastEventId, FeedReader reader, FeedListener listener,
        TimeProvider clock, IHostApplicationLifetime lifetime)
    {
        // A browser's EventSource reconnects to the same URL (after= included) and adds Last-Event-ID: that wins.
        var resumeFrom = string.IsNullOrEmpty(lastEventId) ? after : lastEventId;
        if (!GetFeed.TryFilter(types, type, municipality, out var filter, out var problem))
        {
            return problem!;
        }

        return FeedCursor.TryParse(resumeFrom, out var checkpoint)
            ? new FeedEventStream(checkpoint, filter, reader, listener, clock, lifetime.ApplicationStopping)
            : FeedCursor.Invalid(resumeFrom);
    }
}

/// <summary>Writes the stream until the client disconnects or the server stops; flushes after every event.</summary>
public sealed class FeedEventStream(
    GlobalCheckpoint from, FeedFilter filter, FeedReader reader, FeedListener listener, TimeProvider clock, CancellationToken serverStopping) : IResult
{
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);
    private const int BatchSize = 100;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = StreamFeed.ContentType;
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise hold events back in their buffers.
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, serverStopping);
        var token = stop.Token;
        try
        {
            await response.StartAsync(token);
            await WriteAsync(response, ": connected\n\n", token);
            var cursor = from;
            var lastWrite = clock.GetUtcNow();
            while (!token.IsCancellationRequested)
            {
                var notification = listener.NextNotification();
                var page = await reader.ReadAsync(cursor, BatchSize, filter, token);
                foreach (var item in page.Items)
                {
                    await WriteAsync(response, Format(item), token);
                    lastWrite = clock.GetUtcNow();
                }

                cursor = page.Next;
                if (page.Items.Count == BatchSize)
                {
                    continue;
                }

                if (clock.GetUtcNow() - lastWrite >= KeepAliveInterval)
                {
                    await WriteAsync(response, ": keep-alive\n\n", token);
                    lastWrite = clock.GetUtcNow();
                }

                await FeedListener.WaitAsync(notification, KeepAliveInterval, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream simply ends.
        }
        catch (IOException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // A write raced with the disconnect.
        }
    }

    /// <summary>One SSE event; the JSON has no line breaks, so one data line carries it.</summary>
    public static string Format(FeedItem item) =>
        new StringBuilder()
            .Append("id: ").Append(item.Cursor).Append('\n')
            .Append("event: ").Append(item.Event.Type).Append('\n')
            .Append("data: ").Append(item.Event.Body).Append("\n\n")
            .ToString();

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.EventStore;

namespace Roadmap.Api.Infrastructure;

/// <summary>One entry of a resource's audit trail: what happened, who recorded it, when, under which correlation.</summary>
public sealed record HistoryEntry(
    long Version, Guid EventId, string Type, DateTimeOffset RecordedAt, string? By, string? CorrelationId, string? IdempotencyKey, object Data);

/// <summary>The audit trail of one stream-backed resource, oldest first.</summary>
public sealed record History(string StreamId, long Version, IReadOnlyList<HistoryEntry> Events);

public static class StreamReads
{
    /// <summary>GET .../history: every event of the stream with its metadata; 404 when the resource does not exist.</summary>
    public static async Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        HttpContext http, PostgresEventStore store, string streamId, string notFoundCode, string notFoundDetail, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamAsync(streamId, cancellationToken: cancellationToken);
        if (events.Count == 0)
        {
            return Problems.NotFound(notFoundCode, notFoundDetail);
        }

        HttpVersioning.SetETag(http, events[^1].Version);
        return TypedResults.Ok(new History(streamId, events[^1].Version, events
            .Select(e => new HistoryEntry(e.Version, e.EventId, e.EventType, e.RecordedAt, e.Metadata.Actor, e.Metadata.CorrelationId, e.Metadata.CausationId, e.Data))
            .ToList()));
    }

    /// <summary>Folds a stream to its current state with its version; null when the stream has no events.</summary>
    public static async Task<(TState State, long Version)?> LoadAsync<TState>(
        PostgresEventStore store, string streamId, TState initial, Func<TState, object, TState> evolve, CancellationToken cancellationToken)
    {
        var result = await store.AggregateStreamAsync(streamId, initial, evolve, cancellationToken: cancellationToken);
        return result.Version == 0 ? null : (result.State, result.Version);
    }
}

using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using Roadmap.Domain.Deciding;
using Roadmap.EventStore;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Folded decider states by stream, so a decision reads only the events appended since the state it knows
/// (Marten's live aggregation with a snapshot, kept in memory). Streams only grow and events never change, so a
/// state at version v stays right; a state that another node moved on is caught up by the events after v. Only
/// committed states are cached. Bounded; an evicted stream is simply folded from the start again.
/// </summary>
public sealed class StreamStateCache(PostgresEventStore store) : IDisposable
{
    private const int MaxStreams = 50_000;

    private readonly MemoryCache _states = new(new MemoryCacheOptions { SizeLimit = MaxStreams });

    private sealed record Entry(object State, long Version);

    /// <summary>
    /// The stream's state and version, read on the caller's connection and transaction. With
    /// <paramref name="trustCache"/> a known state is returned without asking the database: the append's expected
    /// version still refuses it if another node moved the stream, and the caller then asks again without trust.
    /// </summary>
    public async Task<(TState State, long Version, bool Unread)> LoadAsync<TCommand, TEvent, TState>(
        NpgsqlTransaction transaction, string streamId, Decider<TCommand, TEvent, TState> decider,
        bool trustCache, CancellationToken cancellationToken)
    {
        var (state, version) = _states.TryGetValue(streamId, out Entry? cached) && cached!.State is TState known
            ? (known, cached.Version)
            : (decider.Initial, 0L);
        if (trustCache && version > 0)
        {
            return (state, version, true);
        }

        var newer = await store.ReadStreamAsync(
            transaction, streamId, new ReadStreamOptions { FromVersion = version + 1 }, cancellationToken);
        foreach (var recorded in newer)
        {
            state = decider.EvolveStored(state, recorded.Data);
            version = recorded.Version;
        }

        return (state, version, false);
    }

    /// <summary>Forgets a stream whose cached state turned out to be behind.</summary>
    public void Forget(string streamId) => _states.Remove(streamId);

    /// <summary>Remembers a state after the transaction that produced or read it has committed.</summary>
    public void Remember<TState>(string streamId, TState state, long version)
    {
        if (version > 0 && state is not null)
        {
            _states.Set(streamId, new Entry(state, version), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        }
    }

    public void Dispose() => _states.Dispose();
}

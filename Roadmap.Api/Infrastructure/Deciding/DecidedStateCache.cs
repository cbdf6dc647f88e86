using System.Collections.Concurrent;
using Marten;
using Npgsql;
using Roadmap.Domain.Deciding;

namespace Roadmap.Api.Infrastructure.Deciding;

/// <summary>A stream as a decision reads it: locked, at <see cref="Version"/> (0: no stream yet), folded to <see cref="State"/>.</summary>
public sealed record DecisionStream<TState>(string StreamId, long Version, TState State, DateTimeOffset Created = default);

/// <summary>
/// A read a decision needs besides its stream (e.g. the registry's names for a CloudEvent), sent in the same round trip
/// as the stream's lock: a statement, and how to read its rows.
/// </summary>
public interface IReadAlongside
{
    NpgsqlBatchCommand Command { get; }

    Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken);
}

/// <summary>A stream's state at a version, to remember once the decision that produced it is committed.</summary>
public sealed record RememberedState(string StreamId, long Version, DateTimeOffset Created, object State);

/// <summary>
/// The deciders' states this node folded last, per stream, each with the version and the stream's creation time it
/// belongs to. A decision locks the stream's row first (so no other decision on it runs until the commit), reads its
/// version there, and folds only the events after the remembered version: a decision on a stream with hundreds of
/// events (a release under a burst of notices, a municipality's alert log after years) reads one or two, not all of
/// them. The database's version under the lock is the truth; a remembered state is used only when its version is not
/// newer and its stream is the same stream (created at the same time), so another node's appends, a restored backup or
/// a recreated schema are folded from the log, never trusted from memory.
/// </summary>
public sealed class DecidedStateCache
{
    private const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, (long Version, DateTimeOffset Created, object State)> _states = new(StringComparer.Ordinal);

    /// <summary>
    /// Locks the stream (<c>select … for update</c> in the session's transaction, begun here) and folds it from the
    /// remembered state, or from the start.
    /// </summary>
    public async Task<DecisionStream<TState>> FetchAsync<TCommand, TEvent, TState>(
        IDocumentSession session, Decider<TCommand, TEvent, TState> decider, string streamId, string schema, IReadAlongside? alongside,
        CancellationToken cancellationToken)
        where TEvent : class
    {
        await session.BeginTransactionAsync(cancellationToken);
        long version = 0;
        DateTimeOffset created = default;
        await using (var batch = new NpgsqlBatch((NpgsqlConnection)session.Connection!))
        {
            var locked = new NpgsqlBatchCommand($"select version, created from {schema}.mt_streams where id = $1 for update");
            locked.Parameters.Add(new NpgsqlParameter { Value = streamId });
            batch.BatchCommands.Add(locked);
            if (alongside is not null)
            {
                batch.BatchCommands.Add(alongside.Command);
            }

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                version = reader.GetInt64(0);
                created = reader.GetFieldValue<DateTimeOffset>(1);
            }

            if (alongside is not null)
            {
                await reader.NextResultAsync(cancellationToken);
                await alongside.ReadAsync(reader, cancellationToken);
            }
        }

        var (from, state) = version > 0 && _states.TryGetValue(streamId, out var known) && known.Version <= version && known.Created == created
            && known.State is TState remembered
                ? (known.Version, remembered)
                : (0L, decider.Initial);
        if (from < version)
        {
            foreach (var e in await session.Events.FetchStreamAsync(streamId, fromVersion: from + 1, token: cancellationToken))
            {
                state = decider.EvolveStored(state, e.Data);
            }
        }

        if (version > 0)
        {
            Remember(streamId, version, created, state!);
        }

        return new DecisionStream<TState>(streamId, version, state, created);
    }

    /// <summary>
    /// The state a committed decision left (the edge calls this after the commit): the next decision on the stream then
    /// finds its version under the lock and reads no event at all.
    /// </summary>
    public void Remember(RememberedState committed) => Remember(committed.StreamId, committed.Version, committed.Created, committed.State);

    private void Remember(string streamId, long version, DateTimeOffset created, object state)
    {
        if (_states.Count >= Capacity)
        {
            _states.Clear(); // a bounded memory; the next decisions fold from the log again
        }

        _states[streamId] = (version, created, state);
    }
}

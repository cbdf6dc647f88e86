using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Roadmap.Domain.Deciding;
using Roadmap.EventStore;

namespace Roadmap.Api.Demo;

/// <summary>The events a demo stream starts with, decided in memory.</summary>
public sealed record DemoStream(string StreamId, IReadOnlyList<object> Events);

/// <summary>Stable ids and pseudo-random picks for the demo: the same names give the same ids and choices on every load.</summary>
internal static class DemoIds
{
    /// <summary>A name-based id (version 8, RFC 9562) from a SHA-256 of the kind and key, e.g. ("procedure", "09181128/Gewerbe").</summary>
    public static Guid For(string kind, string key)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"roadmap-demo\n{kind}\n{key}"));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16));
    }

    /// <summary>A number in [0, <paramref name="range"/>) from a SHA-256 of the key: deterministic across processes, unlike string hash codes.</summary>
    public static int Pick(string key, int range)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return (int)(BitConverter.ToUInt32(bytes, 0) % (uint)range);
    }
}

internal static class DemoDecisions
{
    /// <summary>Decides the commands one after another on the folded state, as the API would one request at a time.</summary>
    public static IReadOnlyList<TEvent> DecideAll<TCommand, TEvent, TState>(Decider<TCommand, TEvent, TState> decider, IEnumerable<TCommand> commands)
    {
        var state = decider.Initial;
        var events = new List<TEvent>();
        foreach (var command in commands)
        {
            var decided = decider.Decide(command, state);
            state = decided.Aggregate(state, decider.Evolve);
            events.AddRange(decided);
        }

        return events;
    }

    public static DemoStream Stream<TEvent>(string streamId, IEnumerable<TEvent> events) where TEvent : class =>
        new(streamId, [.. events]);
}

/// <summary>
/// Writes demo streams that do not exist yet, each with one append of all its events, all in one transaction:
/// a stream that exists (an earlier load) is left alone, and a load is stored completely or not at all.
/// </summary>
internal sealed class DemoStreamWriter(PostgresEventStore store, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<int> WriteNewAsync(IReadOnlyList<DemoStream> streams, string actor, CancellationToken cancellationToken)
    {
        var existing = await ExistingAsync(streams.Select(s => s.StreamId).ToArray(), cancellationToken);
        var fresh = streams.Where(s => !existing.Contains(s.StreamId) && s.Events.Count > 0).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        var metadata = new EventMetadata(actor, "demo-data");
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var stream in fresh)
            {
                var events = stream.Events.Select(e => new NewEvent(Guid.CreateVersion7(clock.GetUtcNow()), e, metadata)).ToList();
                await store.AppendAsync(connection, transaction, stream.StreamId, ExpectedVersion.NoStream, events, cancellationToken);
            }
        }
        catch (WrongExpectedVersionException)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0; // another node loaded the demo at the same moment
        }

        await transaction.CommitAsync(cancellationToken);
        return fresh.Count;
    }

    private async Task<HashSet<string>> ExistingAsync(string[] streamIds, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand($"select id from {store.Options.Schema}.mt_streams where id = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = streamIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    /// <summary>Reads a file of the Demo folder (copied to the output directory).</summary>
    public static async Task<T> ReadFileAsync<T>(string name, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Demo", name));
        return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken)
            ?? throw new InvalidOperationException($"Demo/{name} is empty.");
    }
}

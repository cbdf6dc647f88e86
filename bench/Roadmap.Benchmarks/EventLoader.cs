using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore;
using Roadmap.EventStore.Serialization;

namespace Roadmap.Benchmarks;

/// <summary>
/// Loads the synthetic history for <c>rebuild</c>, either
/// <list type="bullet">
/// <item><c>copy</c> (default): binary COPY straight into streams (first, with their final versions) and events
/// (chunks of <see cref="CopyChunk"/> events, one transaction each, from C connections). The rows are what
/// append_events would store: same columns, JSON from the same registry, metadata in the store's shape;
/// global_position and transaction_id come from the column defaults. This is what makes a million events load in
/// well under a minute on two cores.</item>
/// <item><c>append</c>: PostgresEventStore.AppendAsync from C writers, each owning every C-th stream and appending
/// up to <see cref="AppendSlice"/> events per call with the exact expected version, round-robin over its streams
/// (so streams interleave in the log). The real write path, several times slower.</item>
/// </list>
/// Then VACUUM ANALYZE, as autovacuum would do soon after a bulk load, so that it does not start in the middle of
/// the measured rebuild.
/// </summary>
internal static class EventLoader
{
    public const int CopyChunk = 10_000;
    public const int AppendSlice = 8;

    /// <summary>The store's metadata JSON shape: camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions MetadataJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    internal sealed record Row(string StreamId, long Version, Guid EventId, string Type, string Data, string Metadata, DateTimeOffset RecordedAt);

    /// <summary>Loads the events; returns the bytes of event JSON written.</summary>
    public static async Task<long> LoadAsync(
        PostgresEventStore store, SyntheticEvents history, BenchOptions options, CancellationToken cancellationToken)
    {
        long bytes;
        await using (var progress = new Progress($"load ({options.Load})", options.Events))
        {
            bytes = options.Load == "append"
                ? await AppendAsync(store, history, options, progress, cancellationToken)
                : await CopyAsync(store, history, options, progress, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var table in new[] { "streams", "events" })
        {
            await using var vacuum = store.DataSource.CreateCommand($"vacuum (analyze) {store.Options.Schema}.{table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        await Console.Error.WriteLineAsync($"load: vacuum analyze of streams and events took {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return bytes;
    }

    private static async Task<long> CopyAsync(
        PostgresEventStore store, SyntheticEvents history, BenchOptions options, Progress progress, CancellationToken cancellationToken)
    {
        var schema = store.Options.Schema;
        var lengths = history.StreamLengths();
        await using (var connection = await store.DataSource.OpenConnectionAsync(cancellationToken))
        await using (var import = await connection.BeginBinaryImportAsync(
            $"copy {schema}.streams (stream_id, stream_type, version) from stdin (format binary)", cancellationToken))
        {
            for (var s = 0; s < lengths.Length; s++)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(SyntheticEvents.StreamId(s), NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(SyntheticEvents.StreamType, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync((long)lengths[s], NpgsqlDbType.Bigint, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        var types = store.Options.Types;
        var random = new Random(7);
        var versions = new int[lengths.Length];
        IEnumerable<Row> Rows()
        {
            long index = 0;
            foreach (var stream in history.StreamSequence())
            {
                var at = history.TimeOf(index++);
                var version = ++versions[stream];
                var data = SyntheticEvents.Create(random, stream, version, at);
                yield return new Row(
                    SyntheticEvents.StreamId(stream), version, Guid.CreateVersion7(at), types.NameOf(data.GetType()).Name, types.Serialize(data),
                    JsonSerializer.Serialize(new EventMetadata(Actor: "bench-loader", CorrelationId: $"import-{index / 50}"), MetadataJson), at);
            }
        }

        return await CopyEventsAsync(store.DataSource, schema, Rows(), options.Concurrency, progress, cancellationToken);
    }

    /// <summary>
    /// COPYs events in log order: one producer cuts the rows into chunks, C connections copy them. The channel is
    /// bounded, so memory stays flat in N. Returns the bytes of event data copied.
    /// </summary>
    internal static async Task<long> CopyEventsAsync(
        NpgsqlDataSource dataSource, string schema, IEnumerable<Row> rows, int concurrency, Progress progress, CancellationToken cancellationToken)
    {
        var chunks = Channel.CreateBounded<List<Row>>(new BoundedChannelOptions(concurrency * 2) { SingleWriter = true });
        long bytes = 0;
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    var chunk = new List<Row>(CopyChunk);
                    foreach (var row in rows)
                    {
                        bytes += row.Data.Length;
                        chunk.Add(row);
                        if (chunk.Count == CopyChunk)
                        {
                            await chunks.Writer.WriteAsync(chunk, failure.Token);
                            chunk = new List<Row>(CopyChunk);
                        }
                    }

                    if (chunk.Count > 0)
                    {
                        await chunks.Writer.WriteAsync(chunk, failure.Token);
                    }

                    chunks.Writer.Complete();
                }
                catch (Exception e)
                {
                    chunks.Writer.Complete(e);
                    throw;
                }
            },
            CancellationToken.None);

        var copiers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var chunk in chunks.Reader.ReadAllAsync(failure.Token))
                    {
                        await CopyChunkAsync(dataSource, schema, chunk, failure.Token);
                        progress.Add(chunk.Count);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await failure.CancelAsync();
                    throw;
                }
            },
            CancellationToken.None)).ToArray();

        await WhenAllOrFirstErrorAsync([producer, .. copiers], "copying the events", cancellationToken);
        return bytes;
    }

    internal static async Task CopyChunkAsync(NpgsqlDataSource dataSource, string schema, List<Row> rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var import = await connection.BeginBinaryImportAsync(
            $"copy {schema}.events (stream_id, version, event_id, event_type, schema_version, data, metadata, recorded_at) from stdin (format binary)",
            cancellationToken);
        foreach (var row in rows)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(row.StreamId, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(row.Version, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(row.EventId, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(row.Type, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(row.Data, NpgsqlDbType.Jsonb, cancellationToken);
            await import.WriteAsync(row.Metadata, NpgsqlDbType.Jsonb, cancellationToken);
            await import.WriteAsync(row.RecordedAt, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    private static async Task<long> AppendAsync(
        PostgresEventStore store, SyntheticEvents history, BenchOptions options, Progress progress, CancellationToken cancellationToken)
    {
        var lengths = history.StreamLengths();
        var writers = Math.Min(options.Concurrency, lengths.Length);
        long bytes = 0;
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                try
                {
                    var random = new Random(7 + w);
                    var metadata = new EventMetadata(Actor: "bench-loader", CorrelationId: $"import-writer-{w}");
                    var mine = Enumerable.Range(0, lengths.Length).Where(s => s % writers == w).ToArray();
                    var versions = new int[mine.Length];
                    var written = 0L;
                    var left = mine.Sum(s => (long)lengths[s]);
                    while (left > 0)
                    {
                        for (var i = 0; i < mine.Length; i++)
                        {
                            var stream = mine[i];
                            var count = Math.Min(AppendSlice, lengths[stream] - versions[i]);
                            if (count <= 0)
                            {
                                continue;
                            }

                            var events = new NewEvent[count];
                            for (var j = 0; j < count; j++)
                            {
                                var data = SyntheticEvents.Create(random, stream, versions[i] + j + 1, DateTimeOffset.UtcNow);
                                written += store.Options.Types.Serialize(data).Length;
                                events[j] = new NewEvent(Guid.CreateVersion7(), data, metadata);
                            }

                            await store.AppendAsync(
                                SyntheticEvents.StreamId(stream), SyntheticEvents.StreamType, ExpectedVersion.Exactly(versions[i]), events, failure.Token);
                            versions[i] += count;
                            left -= count;
                            progress.Add(count);
                        }
                    }

                    Interlocked.Add(ref bytes, written);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await failure.CancelAsync();
                    throw;
                }
            },
            CancellationToken.None)).ToArray();

        await WhenAllOrFirstErrorAsync(tasks, "appending the events", cancellationToken);
        return bytes;
    }

    internal static async Task WhenAllOrFirstErrorAsync(Task[] tasks, string what, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var first = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException);
            throw first switch
            {
                null => new BenchmarkFailedException($"{what} was cancelled"),
                BenchmarkFailedException bench => bench,
                _ => new BenchmarkFailedException($"{what} failed: {first.GetType().Name}: {first.Message}", first),
            };
        }
    }
}

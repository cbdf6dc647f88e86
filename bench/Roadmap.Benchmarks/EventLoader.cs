using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore;

namespace Roadmap.Benchmarks;

/// <summary>
/// Loads the synthetic history for <c>rebuild</c> into Marten's tables, either
/// <list type="bullet">
/// <item><c>copy</c> (default): binary COPY straight into <c>mt_streams</c> (first, with their final versions) and
/// <c>mt_events</c> (chunks of <see cref="CopyChunk"/> events, one transaction each, from C connections). The rows are
/// what Marten's quick append (<c>mt_quick_append_events</c>) stores: the stable type name from the registry, the data as
/// Marten serializes it (<see cref="Serializer"/>), <c>mt_dotnet_type</c> as Marten writes it, the event's time, the
/// actor in <c>user_name</c> and a correlation id; <c>seq_id</c> from a block reserved on <c>mt_events_sequence</c>, in
/// log order (<see cref="ReserveSequencesAsync"/>). This is what makes a million events load in well under a minute on
/// two cores.</item>
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

    /// <summary>One row of <c>mt_events</c>.</summary>
    internal sealed record Row(
        long Sequence, string StreamId, long Version, Guid EventId, string Type, string DotNetType, string Data, string Actor, string CorrelationId,
        DateTimeOffset RecordedAt);

    /// <summary>Serializes event data and names event classes as Marten does when it appends.</summary>
    internal sealed class Serializer(PostgresEventStore store)
    {
        private readonly Marten.ISerializer _json = store.Marten.Options.Serializer();
        private readonly Dictionary<Type, (string Name, string DotNetType)> _names = [];

        public string Json(object data) => _json.ToJson(data);

        /// <summary>The stable name (<c>type</c>) and Marten's <c>mt_dotnet_type</c> ("Full.Name, Assembly") of an event class.</summary>
        public (string Name, string DotNetType) Names(Type type)
        {
            if (!_names.TryGetValue(type, out var names))
            {
                names = (store.Options.Types.NameOf(type), $"{type.FullName}, {type.Assembly.GetName().Name}");
                _names.Add(type, names);
            }

            return names;
        }
    }

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

        await VacuumAsync(store, cancellationToken);
        return bytes;
    }

    /// <summary>VACUUM ANALYZE of mt_streams and mt_events.</summary>
    internal static async Task VacuumAsync(PostgresEventStore store, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var table in new[] { "mt_streams", "mt_events" })
        {
            await using var vacuum = store.DataSource.CreateCommand($"vacuum (analyze) {store.Options.Schema}.{table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        await Console.Error.WriteLineAsync($"load: vacuum analyze of mt_streams and mt_events took {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
    }

    /// <summary>
    /// Takes <paramref name="count"/> numbers of the log's sequence for a bulk load (nextval for the first, setval past the
    /// last), so that appends after the load continue behind it; returns the first.
    /// </summary>
    internal static async Task<long> ReserveSequencesAsync(PostgresEventStore store, long count, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand(
            $"select first, setval('{store.Options.Schema}.mt_events_sequence', first + $1 - 1) from (select nextval('{store.Options.Schema}.mt_events_sequence') as first) f");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0);
    }

    /// <summary>COPYs the streams with their final versions (before their events: mt_events refers to them).</summary>
    internal static async Task CopyStreamsAsync(
        PostgresEventStore store, IEnumerable<(string Id, long Version)> streams, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var import = await connection.BeginBinaryImportAsync(
            $"copy {store.Options.Schema}.mt_streams (id, version) from stdin (format binary)", cancellationToken);
        foreach (var (id, version) in streams)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(id, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(version, NpgsqlDbType.Bigint, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    private static async Task<long> CopyAsync(
        PostgresEventStore store, SyntheticEvents history, BenchOptions options, Progress progress, CancellationToken cancellationToken)
    {
        var lengths = history.StreamLengths();
        await CopyStreamsAsync(store, lengths.Select((length, s) => (SyntheticEvents.StreamId(s), (long)length)), cancellationToken);

        var serializer = new Serializer(store);
        var first = await ReserveSequencesAsync(store, options.Events, cancellationToken);
        var random = new Random(7);
        var versions = new int[lengths.Length];
        IEnumerable<Row> Rows()
        {
            long index = 0;
            foreach (var stream in history.StreamSequence())
            {
                var at = history.TimeOf(index);
                var version = ++versions[stream];
                var data = SyntheticEvents.Create(random, stream, version, at);
                var (name, dotNetType) = serializer.Names(data.GetType());
                yield return new Row(
                    first + index, SyntheticEvents.StreamId(stream), version, Guid.CreateVersion7(at), name, dotNetType, serializer.Json(data),
                    "bench-loader", $"import-{(index + 1) / 50}", at);
                index++;
            }
        }

        return await CopyEventsAsync(store.DataSource, store.Options.Schema, Rows(), options.Concurrency, progress, cancellationToken);
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

    /// <summary>One chunk of events in one COPY; tenant_id, is_archived and bdata keep their defaults, as for a quick append.</summary>
    internal static async Task CopyChunkAsync(NpgsqlDataSource dataSource, string schema, List<Row> rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var import = await connection.BeginBinaryImportAsync(
            $"""
            copy {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, headers, user_name)
            from stdin (format binary)
            """,
            cancellationToken);
        foreach (var row in rows)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(row.Sequence, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(row.EventId, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(row.StreamId, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(row.Version, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(row.Data, NpgsqlDbType.Jsonb, cancellationToken);
            await import.WriteAsync(row.Type, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(row.RecordedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await import.WriteAsync(row.DotNetType, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(row.CorrelationId, NpgsqlDbType.Varchar, cancellationToken);
            // Marten stores "no headers" as JSON null.
            await import.WriteAsync("null", NpgsqlDbType.Jsonb, cancellationToken);
            await import.WriteAsync(row.Actor, NpgsqlDbType.Varchar, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    private static async Task<long> AppendAsync(
        PostgresEventStore store, SyntheticEvents history, BenchOptions options, Progress progress, CancellationToken cancellationToken)
    {
        var lengths = history.StreamLengths();
        var writers = Math.Min(options.Concurrency, lengths.Length);
        var serializer = new Serializer(store);
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
                                written += serializer.Json(data).Length;
                                events[j] = new NewEvent(Guid.CreateVersion7(), data, metadata);
                            }

                            await store.AppendAsync(
                                SyntheticEvents.StreamId(stream), ExpectedVersion.Exactly(versions[i]), events, failure.Token);
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

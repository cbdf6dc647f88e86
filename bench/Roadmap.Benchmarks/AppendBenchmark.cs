using System.Diagnostics;
using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Serialization;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>append</c>: S new streams, E events each, one event per AppendAsync call, from C concurrent writers.
/// Stream i belongs to writer i mod C. Order: round-robin — each writer appends event k to every one of its
/// streams before event k+1, always with the exact expected version (NoStream for the first event, then
/// Exactly(k-1)). So no two writers ever touch the same stream and no append can conflict; a conflict fails
/// the run. Every append's latency is taken with Stopwatch.GetTimestamp around the AppendAsync call.
/// </summary>
internal static class AppendBenchmark
{
    public const string Order = "round-robin: each writer appends event k to all of its streams before event k+1";

    private const string StreamPrefix = "append-";
    private const string WarmupPrefix = "warmup-";

    private static readonly EventMetadata Metadata = new(Actor: BenchEvent.Actor);

    public static async Task<AppendFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        var serverVersion = await ServerVersionAsync(dataSource, cancellationToken);
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        var registry = new EventTypeRegistry().Register<BenchEvent>(BenchEvent.TypeName);
        await using var marten = await BenchStore.CreateAsync(dataSource, schema.Name, registry, [], new DaemonTuning(), withApiTables: false, cancellationToken);
        var store = marten.Store;

        if (options.Warmup > 0)
        {
            await WarmUpAsync(store, options, cancellationToken);
        }

        var writers = options.Concurrency;
        var streamsByWriter = Enumerable.Range(0, writers)
            .Select(w => Enumerable.Range(0, options.Streams).Where(i => i % writers == w).Select(i => $"{StreamPrefix}{i:D6}").ToArray())
            .ToArray();
        var latencies = streamsByWriter.Select(s => new long[s.Length * options.EventsPerStream]).ToArray();

        await Console.Error.WriteLineAsync(
            $"append: {options.TotalEvents} events = {options.Streams} streams x {options.EventsPerStream}, {writers} writers, {Order}");
        long elapsedTicks;
        using (var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await using var progress = new Progress("append", options.TotalEvents);
            var started = Stopwatch.GetTimestamp();
            var tasks = Enumerable.Range(0, writers)
                .Select(w => Task.Run(
                    () => WriteAsync(store, streamsByWriter[w], options.EventsPerStream, latencies[w], progress, failure),
                    CancellationToken.None))
                .ToArray();
            try
            {
                await Task.WhenAll(tasks);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                var first = tasks.Where(t => t.IsFaulted)
                    .SelectMany(t => t.Exception!.InnerExceptions)
                    .FirstOrDefault(e => e is not OperationCanceledException);
                throw first switch
                {
                    null => new BenchmarkFailedException("the append benchmark was cancelled"),
                    BenchmarkFailedException bench => bench,
                    _ => new BenchmarkFailedException($"an append failed: {first.GetType().Name}: {first.Message}", first),
                };
            }

            elapsedTicks = Stopwatch.GetTimestamp() - started;
        }

        await VerifyAsync(schema, options, cancellationToken);

        var sorted = latencies.SelectMany(l => l).ToArray();
        Array.Sort(sorted);
        var seconds = elapsedTicks / (double)Stopwatch.Frequency;
        var figures = new AppendFigures(
            Benchmark: "append",
            Events: sorted.LongLength,
            Seconds: Figures.Round(seconds),
            EventsPerSecond: Figures.Round(sorted.LongLength / seconds, 1),
            P50Ms: Figures.Round(Figures.PercentileMs(sorted, 50)),
            P95Ms: Figures.Round(Figures.PercentileMs(sorted, 95)),
            P99Ms: Figures.Round(Figures.PercentileMs(sorted, 99)),
            MaxMs: Figures.Round(Figures.TicksToMs(sorted[^1])),
            MeanMs: Figures.Round(Figures.TicksToMs((long)sorted.Average(t => (double)t))),
            Streams: options.Streams,
            EventsPerStream: options.EventsPerStream,
            Concurrency: writers,
            Warmup: options.Warmup,
            Order: Order,
            Schema: schema.Name,
            ServerVersion: serverVersion);

        await Console.Out.WriteLineAsync(
            $"""
            append: {figures.Events} events = {figures.Streams} streams x {figures.EventsPerStream}, one event per AppendAsync, {writers} concurrent writers
              order       {Order}
              warm-up     {options.Warmup} appends on separate streams (not counted)
              time        {figures.Seconds:F3} s
              throughput  {figures.EventsPerSecond:F1} events/s
              latency     p50 {figures.P50Ms:F3} ms, p95 {figures.P95Ms:F3} ms, p99 {figures.P99Ms:F3} ms, max {figures.MaxMs:F3} ms, mean {figures.MeanMs:F3} ms
              verified    {options.TotalEvents} events in {options.Streams} streams at version {options.EventsPerStream} (schema {schema.Name}, PostgreSQL {serverVersion})
            """);
        return figures;
    }

    private static async Task WriteAsync(
        PostgresEventStore store, string[] streams, int eventsPerStream, long[] latencies, Progress progress, CancellationTokenSource failure)
    {
        try
        {
            var n = 0;
            for (long k = 1; k <= eventsPerStream; k++)
            {
                foreach (var stream in streams)
                {
                    var expected = k == 1 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(k - 1);
                    NewEvent[] events = [new NewEvent(Guid.CreateVersion7(), new BenchEvent(stream, k, BenchEvent.FillerPayload), Metadata)];
                    var before = Stopwatch.GetTimestamp();
                    var result = await store.AppendAsync(stream, expected, events, failure.Token);
                    latencies[n++] = Stopwatch.GetTimestamp() - before;
                    if (result.NextExpectedVersion != k || result.WasAlreadyStored)
                    {
                        throw new BenchmarkFailedException(
                            $"append to {stream} returned version {result.NextExpectedVersion} (replayed: {result.WasAlreadyStored}), expected {k}");
                    }

                    progress.Add();
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failure.CancelAsync();
            throw;
        }
    }

    private static async Task WarmUpAsync(PostgresEventStore store, BenchOptions options, CancellationToken cancellationToken)
    {
        var writers = Math.Min(options.Concurrency, options.Warmup);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                var count = options.Warmup / writers + (w < options.Warmup % writers ? 1 : 0);
                var stream = $"{WarmupPrefix}{w:D3}";
                for (long k = 1; k <= count; k++)
                {
                    NewEvent[] events = [new NewEvent(Guid.CreateVersion7(), new BenchEvent(stream, k, BenchEvent.FillerPayload), Metadata)];
                    await store.AppendAsync(stream, ExpectedVersion.Exactly(k - 1), events, cancellationToken);
                }
            },
            cancellationToken)));
        await Console.Error.WriteLineAsync(
            $"warm-up: {options.Warmup} appends on {writers} separate streams in {Stopwatch.GetElapsedTime(started).TotalSeconds:F2} s (not counted)");
    }

    private static async Task VerifyAsync(BenchSchema schema, BenchOptions options, CancellationToken cancellationToken)
    {
        var s = schema.Name;
        var measured = await schema.ScalarAsync($"select count(*) from {s}.mt_events where stream_id like '{StreamPrefix}%'", cancellationToken);
        var total = await schema.ScalarAsync($"select count(*) from {s}.mt_events", cancellationToken);
        var complete = await schema.ScalarAsync(
            $"select count(*) from {s}.mt_streams where id like '{StreamPrefix}%' and version = {options.EventsPerStream}", cancellationToken);
        var distinctVersions = await schema.ScalarAsync(
            $"select count(distinct (stream_id, version)) from {s}.mt_events where stream_id like '{StreamPrefix}%'", cancellationToken);
        if (measured != options.TotalEvents || total != options.TotalEvents + options.Warmup || complete != options.Streams
            || distinctVersions != options.TotalEvents)
        {
            throw new BenchmarkFailedException(
                $"verification failed in schema {s}: {measured} benchmark events (expected {options.TotalEvents} = {options.Streams} x {options.EventsPerStream}), " +
                $"{total} events in all (expected {options.TotalEvents + options.Warmup} with the warm-up), " +
                $"{complete} streams at version {options.EventsPerStream} (expected {options.Streams}), {distinctVersions} distinct (stream, version)");
        }

        await Console.Error.WriteLineAsync(
            $"verified: {s}.mt_events holds {measured} benchmark events (= {options.Streams} x {options.EventsPerStream}) + {total - measured} warm-up events");
    }

    public static async Task<string> ServerVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("show server_version");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Roadmap.EventStore;
using Roadmap.EventStore.Serialization;

namespace Roadmap.Benchmarks;

/// <summary>
/// <c>append-ceiling</c>: what the database itself manages for the same writes, without the event store in
/// between. pgbench runs S*E transactions (rounded up to a multiple of the client count) from C clients
/// (-j min(2, C), -M prepared, -n), each: BEGIN; upsert the stream's row in mt_streams (version + 1); insert one
/// row into mt_events with the next number of mt_events_sequence, the stream's new version and ~300 bytes of jsonb,
/// with the columns Marten's quick append fills; COMMIT. The stream is random(1, S) per transaction; the upsert's row
/// lock serialises transactions on the same stream, so versions stay unique. The schema is made by Marten with the
/// same configuration as for <c>append</c>, so the same tables, constraints and indexes are maintained.
/// Not included, unlike AppendAsync: the idempotency lookup, Marten's session and its append function (version check
/// and archive check in PL/pgSQL), pg_notify, .NET.
/// </summary>
internal static partial class CeilingBenchmark
{
    private const string QueryMode = "prepared";

    public static async Task<CeilingFigures> RunAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        var pgbench = Pgbench.Locate();
        var pgbenchVersion = await Pgbench.VersionAsync(pgbench, cancellationToken);
        await using var dataSource = EventStoreDataSource.Create(connectionString, "roadmap-bench");
        var serverVersion = await AppendBenchmark.ServerVersionAsync(dataSource, cancellationToken);
        await using var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        await using (await BenchStore.CreateAsync(
            dataSource, schema.Name, new EventTypeRegistry().Register<BenchEvent>(BenchEvent.TypeName), [], new DaemonTuning(), withApiTables: false,
            cancellationToken))
        {
            // Marten's tables exist now; pgbench writes them directly.
        }


        var clients = options.Concurrency;
        var threads = Math.Min(2, clients);
        var perClient = (options.TotalEvents + clients - 1) / clients;
        var transactions = perClient * clients;
        var scriptPath = Path.Combine(Path.GetTempPath(), $"roadmap-{schema.Name}.pgbench.sql");
        await File.WriteAllTextAsync(scriptPath, Script(schema.Name, options.Streams), cancellationToken);
        await Console.Error.WriteLineAsync(
            $"append-ceiling: {pgbenchVersion}, {transactions} transactions ({clients} clients x {perClient}) on {options.Streams} streams, script {scriptPath}");

        int exitCode;
        string stdout;
        string stderr;
        var started = Stopwatch.GetTimestamp();
        try
        {
            (exitCode, stdout, stderr) = await Pgbench.RunAsync(
                pgbench,
                connectionString,
                [
                    "-n", "-M", QueryMode, "-P", "1",
                    "-c", clients.ToString(CultureInfo.InvariantCulture),
                    "-j", threads.ToString(CultureInfo.InvariantCulture),
                    "-t", perClient.ToString(CultureInfo.InvariantCulture),
                    "-f", scriptPath,
                ],
                cancellationToken);
        }
        finally
        {
            File.Delete(scriptPath);
        }

        var wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (exitCode != 0)
        {
            throw new BenchmarkFailedException($"pgbench exited with code {exitCode}: {LastLines(stderr + stdout, 5)}");
        }

        var tpsMatch = TpsPattern().Match(stdout);
        if (!tpsMatch.Success)
        {
            throw new BenchmarkFailedException($"no 'tps = N (without initial connection time)' line in pgbench's output: {LastLines(stdout, 5)}");
        }

        var tps = double.Parse(tpsMatch.Groups[1].Value, CultureInfo.InvariantCulture);
        var processedMatch = ProcessedPattern().Match(stdout);
        var processed = processedMatch.Success ? long.Parse(processedMatch.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        var failedMatch = FailedPattern().Match(stdout);
        var failed = failedMatch.Success ? long.Parse(failedMatch.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var latencyMatch = LatencyPattern().Match(stdout);
        double? latencyMs = latencyMatch.Success ? double.Parse(latencyMatch.Groups[1].Value, CultureInfo.InvariantCulture) : null;

        var events = await schema.ScalarAsync($"select count(*) from {schema.Name}.mt_events", cancellationToken);
        var versionSum = await schema.ScalarAsync($"select coalesce(sum(version), 0) from {schema.Name}.mt_streams", cancellationToken);
        if (processed != transactions || failed != 0 || events != transactions || versionSum != transactions)
        {
            throw new BenchmarkFailedException(
                $"verification failed in schema {schema.Name}: pgbench processed {processed} transactions ({failed} failed), " +
                $"{events} event rows, stream versions sum to {versionSum}; expected {transactions} of each and 0 failed");
        }

        await Console.Error.WriteLineAsync($"verified: {schema.Name}.mt_events holds {events} events = {transactions} transactions");

        var figures = new CeilingFigures(
            Benchmark: "append-ceiling",
            EventsPerSecond: Figures.Round(tps, 1),
            Transactions: transactions,
            Events: events,
            Clients: clients,
            Threads: threads,
            Seconds: Figures.Round(transactions / tps),
            WallSeconds: Figures.Round(wallSeconds),
            LatencyAverageMs: latencyMs is { } l ? Figures.Round(l) : null,
            Streams: options.Streams,
            EventsPerStream: options.EventsPerStream,
            QueryMode: QueryMode,
            Pgbench: pgbenchVersion,
            Schema: schema.Name,
            ServerVersion: serverVersion);

        await Console.Out.WriteLineAsync(
            $"""
            append-ceiling: pgbench, {transactions} transactions of (mt_streams upsert + one mt_events insert) on {options.Streams} random streams, {clients} clients, {threads} threads, -M {QueryMode}
              throughput  {figures.EventsPerSecond:F1} events/s (= tps without initial connection time; one event per transaction)
              time        {figures.Seconds:F3} s (wall {figures.WallSeconds:F3} s with pgbench start-up and connections)
              not in it   what AppendAsync adds: idempotency lookup, Marten's session and append function (version check), pg_notify, the .NET client
              latency     average {(latencyMs is { } a ? a.ToString("F3", CultureInfo.InvariantCulture) + " ms" : "n/a")}
              verified    {events} event rows, stream versions sum to {versionSum} (schema {schema.Name}, PostgreSQL {serverVersion}, {pgbenchVersion})
            """);
        return figures;
    }

    /// <summary>The pgbench script: one statement per line, one event per transaction.</summary>
    private static string Script(string schema, int streams)
    {
        const string streamId = "'ceiling-' || cast(:s as text)";
        var dotNetType = $"{typeof(BenchEvent).FullName}, {typeof(BenchEvent).Assembly.GetName().Name}";
        return
            $"""
            \set s random(1, {streams})
            BEGIN;
            insert into {schema}.mt_streams as st (id, version, timestamp, tenant_id) values ({streamId}, 1, now(), '*DEFAULT*') on conflict (id) do update set version = st.version + 1, timestamp = now();
            insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, headers, user_name) select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), st.id, st.version, jsonb_build_object('streamId', st.id, 'sequence', st.version, 'payload', '{BenchEvent.FillerPayload}'), '{BenchEvent.TypeName}', '*DEFAULT*', now(), '{dotNetType}', false, 'null'::jsonb, '{BenchEvent.Actor}' from {schema}.mt_streams st where st.id = {streamId};
            COMMIT;

            """;
    }

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));

    // PostgreSQL 14+: "tps = 1234.5 (without initial connection time)"; 13 and older: "(excluding connections establishing)".
    [GeneratedRegex(@"^tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)", RegexOptions.Multiline)]
    private static partial Regex TpsPattern();

    [GeneratedRegex(@"^number of transactions actually processed: (\d+)", RegexOptions.Multiline)]
    private static partial Regex ProcessedPattern();

    [GeneratedRegex(@"^number of failed transactions: (\d+)", RegexOptions.Multiline)]
    private static partial Regex FailedPattern();

    [GeneratedRegex(@"^latency average = ([0-9.]+) ms", RegexOptions.Multiline)]
    private static partial Regex LatencyPattern();
}

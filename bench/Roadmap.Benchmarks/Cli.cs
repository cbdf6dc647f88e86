using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;

namespace Roadmap.Benchmarks;

/// <summary>Argument parsing, dispatch, the final JSON line and exit codes.</summary>
internal static class Cli
{
    public const string ConnectionStringVariable = "ConnectionStrings__Roadmap";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // "15.18 (Debian 15.18-0+deb12u1)" stays readable
    };

    private static readonly string[] Names = ["append", "append-ceiling", "append-vs-ceiling", "projection-lag", "rebuild", "http-append", "http-append-vs-append", "read", "webhooks"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 1 && args[0] is "-h" or "--help" or "help")
        {
            await Console.Out.WriteAsync(Usage);
            return 0;
        }

        if (args.Length > 0 && args[0] == "faults")
        {
            return await RunFaultsAsync(args[1..]);
        }

        if (args.Length == 0 || !Names.Contains(args[0]))
        {
            return UsageError(args.Length == 0 ? "a benchmark NAME is needed" : $"unknown benchmark '{args[0]}'");
        }

        var name = args[0];
        if (!BenchOptions.TryParse(name, args.AsSpan(1), out var options, out var error))
        {
            return error == "help" ? await HelpAsync() : UsageError(error);
        }

        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync(
                $"error: the environment variable {ConnectionStringVariable} is not set. Run './roadmap bench {name}' (it starts a " +
                $"throwaway PostgreSQL), or set it yourself, e.g. eval \"$(./roadmap db env)\" after './roadmap db start'.");
            return 1;
        }

        using var cancellation = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            // The first Ctrl+C / SIGTERM lets the benchmark stop and drop its schema; a second one ends the process.
            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            context.Cancel = true;
            Console.Error.WriteLine($"{context.Signal}: stopping and dropping the benchmark schema (again to quit at once)...");
            cancellation.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        try
        {
            object result = name switch
            {
                "append" => await AppendBenchmark.RunAsync(connectionString, options, cancellation.Token),
                "append-ceiling" => await CeilingBenchmark.RunAsync(connectionString, options, cancellation.Token),
                "projection-lag" => await ProjectionLagBenchmark.RunAsync(connectionString, options, cancellation.Token),
                "rebuild" => await RebuildBenchmark.RunAsync(connectionString, options, cancellation.Token),
                "http-append" => await HttpAppendBenchmark.RunAsync(connectionString, options, cancellation.Token),
                "read" => await ReadBenchmark.RunAsync(connectionString, options, cancellation.Token),
                "http-append-vs-append" => await RunHttpVersusAppendAsync(connectionString, options, cancellation.Token),
                "webhooks" => await WebhookBenchmark.RunAsync(connectionString, options, cancellation.Token),
                _ => await RunVersusAsync(connectionString, options, cancellation.Token),
            };
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, result.GetType(), JsonOptions));
            return 0;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("error: interrupted");
            return 1;
        }
        catch (BenchmarkFailedException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (NpgsqlException e)
        {
            var inner = e.InnerException is { } cause ? $" ({cause.Message})" : "";
            await Console.Error.WriteLineAsync($"error: database: {e.Message}{inner}");
            return 1;
        }
    }

    /// <summary><c>faults</c>: the fault scenarios (Faults/), against real API processes; exit 1 when one failed.</summary>
    private static async Task<int> RunFaultsAsync(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync($"error: {ConnectionStringVariable} is not set. Run './roadmap faults' (it starts a throwaway PostgreSQL).");
            return 1;
        }

        using var cancellation = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        });
        try
        {
            return await Faults.FaultsCommand.RunAsync(connectionString, args, cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("error: interrupted");
            return 1;
        }
    }

    private static async Task<VersusFigures> RunVersusAsync(string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        // One round takes about a second on this machine, so a single one is at the mercy of whatever else runs;
        // alternate the two and report medians.
        var rounds = new List<(CeilingFigures Ceiling, AppendFigures Append, double Ratio)>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            await Console.Error.WriteLineAsync($"append-vs-ceiling: round {round} of {options.Rounds}");
            var ceiling = await CeilingBenchmark.RunAsync(connectionString, options, cancellationToken);
            await Console.Out.WriteLineAsync();
            var append = await AppendBenchmark.RunAsync(connectionString, options, cancellationToken);
            await Console.Out.WriteLineAsync();
            rounds.Add((ceiling, append, append.EventsPerSecond / ceiling.EventsPerSecond));
        }

        var median = rounds.OrderBy(r => r.Ratio).ElementAt(rounds.Count / 2);
        var medianAppend = Median(rounds.Select(r => r.Append.EventsPerSecond));
        var medianCeiling = Median(rounds.Select(r => r.Ceiling.EventsPerSecond));
        var ratio = Figures.Round(median.Ratio, 4);
        await Console.Out.WriteLineAsync(
            $"append-vs-ceiling over {rounds.Count} rounds: append median {medianAppend:F1} events/s, pgbench ceiling median " +
            $"{medianCeiling:F1} events/s; median ratio {ratio:F3} ({ratio * 100:F1} % of the ceiling); rounds: " +
            string.Join(", ", rounds.Select(r => r.Ratio.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        return new VersusFigures(
            "append-vs-ceiling", ratio, Figures.Round(medianAppend, 1), Figures.Round(medianCeiling, 1), rounds.Count,
            rounds.Select(r => Figures.Round(r.Ratio, 4)).ToList(), median.Append, median.Ceiling);
    }

    private static async Task<HttpVersusAppendFigures> RunHttpVersusAppendAsync(
        string connectionString, BenchOptions options, CancellationToken cancellationToken)
    {
        // append with its own defaults (S=400 x E=10, 200 warm-up appends) but the same concurrency, then http-append.
        await Console.Error.WriteLineAsync($"http-append-vs-append: append with --concurrency {options.Concurrency}, then http-append");
        var append = await AppendBenchmark.RunAsync(connectionString, BenchOptions.For("append") with { Concurrency = options.Concurrency }, cancellationToken);
        await Console.Out.WriteLineAsync();
        var http = await HttpAppendBenchmark.RunAsync(connectionString, options, cancellationToken);
        await Console.Out.WriteLineAsync();
        var ratio = Figures.Round(http.RequestsPerSecond / append.EventsPerSecond, 4);
        await Console.Out.WriteLineAsync(
            $"http-append-vs-append at concurrency {options.Concurrency}: http-append {http.RequestsPerSecond:F1} requests/s vs append " +
            $"{append.EventsPerSecond:F1} events/s: ratio {ratio:F3} ({ratio * 100:F1} % of append; goal >= 50 %, issue 11). {http.Note}.");
        return new HttpVersusAppendFigures(
            "http-append-vs-append", ratio, http.RequestsPerSecond, append.EventsPerSecond, options.Concurrency, http.Note, http, append);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<int> HelpAsync()
    {
        await Console.Out.WriteAsync(Usage);
        return 0;
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine();
        Console.Error.Write(Usage);
        return 2;
    }

    public const string Usage =
        """
        Usage: dotnet run -c Release --project bench/Roadmap.Benchmarks -- NAME [options]
           or: ./roadmap bench NAME [options]

        Benchmarks:
          append              appends one event per call through PostgresEventStore.AppendAsync (Marten, Quick
                              append mode, configured by RoadmapMarten as in the API)
                              --streams S (400)  --events-per-stream E (10)  --concurrency C (8)
                              --warmup N (200 appends on separate warm-up streams, not counted)
          append-ceiling      the physical ceiling: pgbench writes the rows Marten's quick append writes
                              (mt_streams upsert + one mt_events row with the next seq_id) in one transaction
                              each, C clients, S*E transactions
                              --streams S (400)  --events-per-stream E (10)  --concurrency C (8)
          append-vs-ceiling   append-ceiling, then append, --rounds R times (3); prints the median
                              ratio = append/ceiling and the rounds (all options of both)
          projection-lag      Marten's async daemon (RoadmapMarten's configuration: DaemonTuning, and the
                              AppendWakeup each append signals) runs one async projection (a row per event, one
                              insert per batch) while C writers append single events at R events/s on an
                              open-loop schedule; per event, the time from its append's commit to its
                              row being visible (p50, p95, p99, max), and where a daemon cycle goes
                              --rate R (1000)  --seconds T (10)  --concurrency C (4)
                              --warmup W (1 second, not counted)  --batch B (DaemonTuning.BatchSize; 500)
                              --fast-poll-ms F (DaemonTuning.FastPolling; 20)  --slow-poll-ms S (SlowPolling; 250)
          rebuild             loads N events (six types, over S streams) into mt_streams/mt_events; Marten's
                              daemon holds a per-stream summary projection, caught up; then rebuilds it via
                              ProjectionAdmin.RequestRebuildAsync (into a side table, swapped in; docs/0012)
                              and times it until projection_controls records it finished; events/s, time split,
                              peak memory of the process
                              --events N (1000000)  --streams S (N/10)  --concurrency C (4 loaders)
                              --batch B (DaemonTuning.BatchSize, live and rebuild; 500)
                              --load copy|append (copy: binary COPY into mt_streams and mt_events, seq_id from
                              mt_events_sequence; append: AppendAsync with up to 8 events per call)
          http-append         starts the real API (Roadmap.Api.dll, built with the benchmarks) as a child process on a
                              free loopback port against the bench schema; sets up a municipality, a vendor, a product,
                              a release and S procedures over HTTP (not timed); then C workers POST lifecycle decisions
                              (extended-support with a later until, risk-acceptances) to their own procedures for T
                              seconds after W warm-up seconds; successful requests/s, p50/p95/p99/max latency, 409, 412
                              and other statuses separately, CPU of the API, this process and PostgreSQL
                              --concurrency C (8)  --seconds T (10)  --warmup W (2 seconds, not counted)  --procedures S (400)
                              --daemon 1|0 (1: the API under test also runs the async projections and the webhook
                              sender, as a single node does; 0: they run elsewhere, as on a dedicated API node)
          http-append-vs-append
                              append (its defaults, same --concurrency), then http-append; prints the ratio
                              http-append requests/s / append events/s (issue 11's goal: >= 0.5) (options of http-append)
          read                generates a county history of real domain events (M municipalities in Bavarian counties x
                              P procedures with extended support, accepted risks, replacement plans, joint procurement
                              cases, schedules, cut-overs; 100 releases with notices), COPYs it into mt_streams and
                              mt_events, lets the real API's Marten daemon build the "roadmap" projection (progress
                              from /admin/projections/roadmap),
                              then restarts the API as users run it (daemon, webhook sender, cache on): W seconds of
                              live reads of another day warm the JIT, the cache is cleared; the cold pass reads every
                              municipality's roadmap once (cache empty, C clients: coldP50Ms..coldP99Ms); a serial and an as-of probe (asOfP50Ms/asOfP99Ms);
                              the warm pass, C clients GET /municipalities/{ags}/roadmap?today=2026-11-25 of random
                              municipalities for T seconds (p50Ms..p99Ms, requests/s); the roadmap cache's hit ratio
                              per pass (GET /admin/roadmap-cache); a cold-path profile (load, deserialize, calculate,
                              serialize); statuses, CPU per request, load and projection times
                              --municipalities M (2056)  --procedures P (300)  --concurrency C (8)  --seconds T (10)
                              --warmup W (3, JIT warm-up)  --batch B (the API's Roadmap:Projections:BatchSize while
                              building the projection; 5000)
          webhooks            starts the real API as in http-append (loopback http allowed), N Kestrel receivers in this
                              process that verify every signature, N subscriptions; then C workers POST E deprecation
                              notices at R per second (open loop) after W seconds of warm-up at that rate (delivered,
                              then forgotten); deliveriesPerSecond and the time from an event's commit (its CloudEvent
                              time) to its receipt, p50/p99/max (the goal: p99 <= 250 ms at N=10, R=200), where the
                              time goes (dispatch, send) and the CPU of the API, this process and PostgreSQL
                              --subscriptions N (10)  --events E (2000)  --rate R (200)  --concurrency C (8)
                              --warmup W (30)

        Options take a value as '--name N' or '--name=N'.
        Environment: ConnectionStrings__Roadmap (required), ROADMAP_PG_BIN (directory holding pgbench;
        otherwise pgbench on PATH, then /usr/lib/postgresql/*/bin/pgbench).
        Each run works in a fresh schema bench_<random> that is dropped at the end, also on failure.
        Output: progress on stderr; figures on stdout, the last stdout line being one JSON object.
        Exit codes: 0 done, 1 benchmark failed, 2 bad command line.

        """;
}

/// <summary>A benchmark went wrong in a way that makes its figures meaningless.</summary>
internal sealed class BenchmarkFailedException(string message, Exception? inner = null) : Exception(message, inner);

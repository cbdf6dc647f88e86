using System.Globalization;

namespace Roadmap.Benchmarks;

/// <summary>
/// The command-line options of the benchmarks (hand-written parsing, no packages). Each benchmark accepts its
/// own subset; <see cref="For"/> gives its defaults. Options a benchmark does not take keep values it ignores.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>append*: streams; rebuild: streams the events are spread over (0 = events / 10).</summary>
    public int Streams { get; init; } = 400;

    public int EventsPerStream { get; init; } = 10;

    /// <summary>Concurrent writers (append*, projection-lag) or loaders (rebuild).</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>append: warm-up appends; projection-lag, http-append, read, webhooks: warm-up seconds.</summary>
    public int Warmup { get; init; } = 200;

    public int Rounds { get; init; } = 3;

    /// <summary>projection-lag: events per second to append.</summary>
    public int Rate { get; init; } = 1000;

    /// <summary>projection-lag, http-append: measured seconds (after the warm-up).</summary>
    public int Seconds { get; init; } = 10;

    /// <summary>projection-lag, rebuild: the daemon's batch size (DaemonTuning.BatchSize); read: the API's. Null: the default.</summary>
    public int? Batch { get; init; }

    /// <summary>projection-lag: the daemon's poll interval while events keep coming (DaemonTuning.FastPolling), ms. Null: the default.</summary>
    public int? FastPollMs { get; init; }

    /// <summary>projection-lag: the daemon's poll interval when idle (DaemonTuning.SlowPolling), ms. Null: the default.</summary>
    public int? SlowPollMs { get; init; }

    /// <summary>rebuild: events to load.</summary>
    public int Events { get; init; } = 1_000_000;

    /// <summary>rebuild: how the events are loaded, <c>copy</c> or <c>append</c>.</summary>
    public string Load { get; init; } = "copy";

    /// <summary>webhooks: subscriptions, each with a receiver of its own.</summary>
    public int Subscriptions { get; init; } = 10;

    /// <summary>http-append: procedure instances the decisions go to; read: procedures per municipality.</summary>
    public int Procedures { get; init; } = 400;

    /// <summary>http-append: 1 runs the async projections and the webhook sender in the API under test (one node does
    /// everything); 0 leaves them to another node, as a deployment with separate API and worker nodes would.</summary>
    public bool Daemon { get; init; } = true;

    /// <summary>read: municipalities (Bavaria has 2,056).</summary>
    public int Municipalities { get; init; } = 2056;

    public long TotalEvents => (long)Streams * EventsPerStream;

    private sealed record Spec(string Name, long Minimum, long Maximum);

    private static readonly string[] LoadModes = ["copy", "append"];

    private static Spec[] SpecsFor(string benchmark) => benchmark switch
    {
        "append-ceiling" => [new("streams", 1, int.MaxValue), new("events-per-stream", 1, int.MaxValue), new("concurrency", 1, 1000)],
        "append-vs-ceiling" =>
        [
            new("streams", 1, int.MaxValue), new("events-per-stream", 1, int.MaxValue), new("concurrency", 1, 1000),
            new("warmup", 0, int.MaxValue), new("rounds", 1, 1000),
        ],
        "projection-lag" =>
        [
            new("rate", 1, 100_000), new("seconds", 1, 3600), new("concurrency", 1, 256), new("warmup", 0, 600),
            new("batch", 1, 100_000), new("fast-poll-ms", 1, 60_000), new("slow-poll-ms", 1, 60_000),
        ],
        "http-append" or "http-append-vs-append" =>
        [
            new("concurrency", 1, 1000), new("seconds", 1, 3600), new("warmup", 0, 600), new("procedures", 1, 100_000),
            new("daemon", 0, 1),
        ],
        "read" =>
        [
            new("municipalities", 1, CountyHistory.Kreise.Length * CountyHistory.MunicipalitiesPerCounty), new("procedures", 1, 10_000),
            new("concurrency", 1, 256), new("seconds", 1, 3600), new("warmup", 0, 600), new("batch", 1, 100_000),
        ],
        "webhooks" => [new("subscriptions", 1, 1000), new("events", 1, 1_000_000), new("rate", 1, 10_000), new("concurrency", 1, 256), new("warmup", 0, 600)],
        "rebuild" =>
        [
            new("events", 1, 20_000_000), new("streams", 1, 20_000_000), new("concurrency", 1, 64), new("batch", 1, 1_000_000),
            new("load", 0, 0),
        ],
        _ => [new("streams", 1, int.MaxValue), new("events-per-stream", 1, int.MaxValue), new("concurrency", 1, 1000), new("warmup", 0, int.MaxValue)],
    };

    /// <summary>The defaults of one benchmark.</summary>
    public static BenchOptions For(string benchmark) => benchmark switch
    {
        "projection-lag" => new BenchOptions { Concurrency = 4, Warmup = 1 },
        "rebuild" => new BenchOptions { Concurrency = 4, Streams = 0 },
        "http-append" or "http-append-vs-append" => new BenchOptions { Warmup = 2 },
        "read" => new BenchOptions { Procedures = 300, Warmup = 3 },
        "webhooks" => new BenchOptions { Events = 2000, Rate = 200, Concurrency = 8, Warmup = 30 },
        _ => new BenchOptions(),
    };

    /// <summary>Parses '--name value' and '--name=value'. error is "help" when help was asked for.</summary>
    public static bool TryParse(string benchmark, ReadOnlySpan<string> args, out BenchOptions options, out string error)
    {
        options = For(benchmark);
        error = "";
        var specs = SpecsFor(benchmark);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                error = "help";
                return false;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                error = $"unexpected argument '{arg}'";
                return false;
            }

            string name;
            string? value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                value = i + 1 < args.Length ? args[++i] : null;
            }

            var spec = specs.FirstOrDefault(s => s.Name == name);
            if (spec is null)
            {
                error = $"unknown option '--{name}' for {benchmark} (allowed: {string.Join(", ", specs.Select(s => "--" + s.Name))})";
                return false;
            }

            if (!seen.Add(name))
            {
                error = $"option '--{name}' is given twice";
                return false;
            }

            if (name == "load")
            {
                if (value is null || !LoadModes.Contains(value))
                {
                    error = $"option '--load' needs one of {string.Join(", ", LoadModes)}, got {(value is null ? "nothing" : $"'{value}'")}";
                    return false;
                }

                options = options with { Load = value };
                continue;
            }

            if (value is null || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                || parsed < spec.Minimum || parsed > spec.Maximum)
            {
                var range = spec.Maximum == int.MaxValue ? $">= {spec.Minimum}" : $"from {spec.Minimum} to {spec.Maximum}";
                error = $"option '--{name}' needs an integer {range}, got {(value is null ? "nothing" : $"'{value}'")}";
                return false;
            }

            var number = (int)parsed;
            options = name switch
            {
                "streams" => options with { Streams = number },
                "events-per-stream" => options with { EventsPerStream = number },
                "concurrency" => options with { Concurrency = number },
                "rounds" => options with { Rounds = number },
                "rate" => options with { Rate = number },
                "seconds" => options with { Seconds = number },
                "batch" => options with { Batch = number },
                "fast-poll-ms" => options with { FastPollMs = number },
                "slow-poll-ms" => options with { SlowPollMs = number },
                "events" => options with { Events = number },
                "procedures" => options with { Procedures = number },
                "daemon" => options with { Daemon = number == 1 },
                "municipalities" => options with { Municipalities = number },
                "subscriptions" => options with { Subscriptions = number },
                _ => options with { Warmup = number },
            };
        }

        error = Validate(benchmark, options);
        if (error.Length > 0)
        {
            return false;
        }

        if (benchmark == "rebuild" && options.Streams == 0)
        {
            options = options with { Streams = Math.Max(1, options.Events / 10) };
        }

        return true;
    }

    private static string Validate(string benchmark, BenchOptions options)
    {
        switch (benchmark)
        {
            case "projection-lag":
                var scheduled = (long)options.Rate * (options.Seconds + options.Warmup);
                return scheduled > 20_000_000
                    ? $"--rate x (--seconds + --warmup) = {scheduled} events is more than this benchmark is meant for (20,000,000)"
                    : "";
            case "http-append" or "http-append-vs-append":
                return options.Concurrency > options.Procedures
                    ? $"--concurrency ({options.Concurrency}) cannot exceed --procedures ({options.Procedures}): every worker needs its own procedures"
                    : "";
            case "read":
                var procedures = (long)options.Municipalities * options.Procedures;
                return procedures > 3_000_000
                    ? $"--municipalities x --procedures = {procedures} procedure instances is more than this benchmark is meant for (3,000,000)"
                    : "";
            case "webhooks":
                return "";
            case "rebuild":
                return options.Streams > options.Events
                    ? $"--streams ({options.Streams}) cannot exceed --events ({options.Events}): every stream needs an event"
                    : "";
            default:
                if (options.Concurrency > options.Streams)
                {
                    return $"--concurrency ({options.Concurrency}) cannot exceed --streams ({options.Streams}): every writer needs its own streams";
                }

                return options.TotalEvents > 50_000_000
                    ? $"--streams x --events-per-stream = {options.TotalEvents} is more than this benchmark is meant for (50,000,000)"
                    : "";
        }
    }
}

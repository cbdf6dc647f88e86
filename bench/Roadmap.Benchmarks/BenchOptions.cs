using System.Globalization;

namespace Roadmap.Benchmarks;

/// <summary>The command-line options shared by the benchmarks (hand-written parsing, no packages).</summary>
internal sealed record BenchOptions(int Streams, int EventsPerStream, int Concurrency, int Warmup, int Rounds = 3)
{
    public static BenchOptions Defaults { get; } = new(Streams: 400, EventsPerStream: 10, Concurrency: 8, Warmup: 200);

    public long TotalEvents => (long)Streams * EventsPerStream;

    /// <summary>Parses '--name value' and '--name=value'. error is "help" when help was asked for.</summary>
    public static bool TryParse(string benchmark, ReadOnlySpan<string> args, out BenchOptions options, out string error)
    {
        options = Defaults;
        error = "";
        var allowed = benchmark == "append-ceiling"
            ? new[] { "streams", "events-per-stream", "concurrency" }
            : benchmark == "append-vs-ceiling"
                ? ["streams", "events-per-stream", "concurrency", "warmup", "rounds"]
                : ["streams", "events-per-stream", "concurrency", "warmup"];
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

            if (!allowed.Contains(name))
            {
                error = $"unknown option '--{name}' for {benchmark} (allowed: {string.Join(", ", allowed.Select(a => "--" + a))})";
                return false;
            }

            if (!seen.Add(name))
            {
                error = $"option '--{name}' is given twice";
                return false;
            }

            var minimum = name == "warmup" ? 0 : 1;
            if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < minimum)
            {
                error = $"option '--{name}' needs an integer >= {minimum}, got {(value is null ? "nothing" : $"'{value}'")}";
                return false;
            }

            options = name switch
            {
                "streams" => options with { Streams = number },
                "events-per-stream" => options with { EventsPerStream = number },
                "concurrency" => options with { Concurrency = number },
                "rounds" => options with { Rounds = number },
                _ => options with { Warmup = number },
            };
        }

        if (options.Concurrency > options.Streams)
        {
            error = $"--concurrency ({options.Concurrency}) cannot exceed --streams ({options.Streams}): every writer needs its own streams";
            return false;
        }

        if (options.TotalEvents > 50_000_000)
        {
            error = $"--streams x --events-per-stream = {options.TotalEvents} is more than this benchmark is meant for (50,000,000)";
            return false;
        }

        return true;
    }
}

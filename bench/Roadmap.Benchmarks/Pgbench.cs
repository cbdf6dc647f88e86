using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Roadmap.Benchmarks;

/// <summary>Finds and runs pgbench, echoing its output to stderr.</summary>
internal static class Pgbench
{
    /// <summary>$ROADMAP_PG_BIN/pgbench, else pgbench on PATH, else the highest /usr/lib/postgresql/*/bin/pgbench.</summary>
    public static string Locate()
    {
        var bin = Environment.GetEnvironmentVariable("ROADMAP_PG_BIN");
        if (!string.IsNullOrWhiteSpace(bin))
        {
            var candidate = Path.Combine(bin, "pgbench");
            if (File.Exists(candidate))
            {
                return candidate;
            }

            Console.Error.WriteLine($"warning: ROADMAP_PG_BIN={bin} has no pgbench; looking on PATH");
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "pgbench");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var found = Directory.GetDirectories(debianRoot)
                .Select(d => (Directory: d, Major: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : -1))
                .OrderByDescending(d => d.Major)
                .Select(d => Path.Combine(d.Directory, "bin", "pgbench"))
                .FirstOrDefault(File.Exists);
            if (found is not null)
            {
                return found;
            }
        }

        throw new BenchmarkFailedException(
            "pgbench not found: set ROADMAP_PG_BIN to the PostgreSQL bin directory, put pgbench on PATH, or install it " +
            "(Debian/Ubuntu: apt-get install postgresql-contrib or postgresql-<major>, which ship /usr/lib/postgresql/<major>/bin/pgbench)");
    }

    public static async Task<string> VersionAsync(string pgbench, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(pgbench, ["--version"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new BenchmarkFailedException($"could not start {pgbench}");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return output.Trim();
    }

    /// <summary>
    /// Runs pgbench against the database of <paramref name="connectionString"/> (-h/-p/-U and the database name from it,
    /// the password in PGPASSWORD), echoing every line to stderr. Returns the exit code and stdout.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string pgbench, string connectionString, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(pgbench)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (!string.IsNullOrEmpty(connection.Host))
        {
            start.ArgumentList.Add("-h");
            start.ArgumentList.Add(connection.Host);
        }

        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(connection.Port.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(connection.Username))
        {
            start.ArgumentList.Add("-U");
            start.ArgumentList.Add(connection.Username);
        }

        // pgbench's -d is --debug: the database name is the positional argument, last.
        if (!string.IsNullOrEmpty(connection.Database))
        {
            start.ArgumentList.Add(connection.Database);
        }

        if (!string.IsNullOrEmpty(connection.Password))
        {
            start.Environment["PGPASSWORD"] = connection.Password;
        }

        start.Environment["PGAPPNAME"] = "roadmap-bench-ceiling";
        start.Environment["PGSSLMODE"] = connection.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };

        await Console.Error.WriteLineAsync($"running: {pgbench} {string.Join(' ', start.ArgumentList)}");
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stdout)
            {
                stdout.AppendLine(e.Data);
            }

            Console.Error.WriteLine($"pgbench| {e.Data}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            Console.Error.WriteLine($"pgbench| {e.Data}");
        };

        if (!process.Start())
        {
            throw new BenchmarkFailedException($"could not start {pgbench}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await using (cancellationToken.Register(() => KillQuietly(process)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
            process.WaitForExit(); // Drains the redirected output.
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (stdout)
        {
            lock (stderr)
            {
                return (process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Roadmap.Benchmarks;

/// <summary>
/// CPU seconds used over a phase by this process and by the PostgreSQL server (the postmaster and all its children:
/// backends, WAL writer, checkpointer, autovacuum), read from /proc. The server part works only when PostgreSQL runs
/// on this machine (as under ./roadmap bench); otherwise it is null. Backends that exit during the phase drop out of
/// the sum, so it errs low; the benchmarks keep their connections pooled.
/// </summary>
internal sealed class CpuMeter
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux platform .NET runs on.
    private const double TicksPerSecond = 100;

    private readonly int? _postmaster;
    private readonly TimeSpan _clientBefore;
    private readonly double? _serverBefore;
    private readonly long _started = Stopwatch.GetTimestamp();

    private CpuMeter(int? postmaster)
    {
        _postmaster = postmaster;
        _clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        _serverBefore = postmaster is { } pid ? ServerSeconds(pid) : null;
    }

    public static async Task<CpuMeter> StartAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select pg_backend_pid()");
        var backend = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new CpuMeter(ParentOf(backend));
    }

    /// <summary>Wall seconds, client CPU seconds and server CPU seconds (null when not measurable) since the start.</summary>
    public (double Wall, double Client, double? Server) Read()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var client = (Process.GetCurrentProcess().TotalProcessorTime - _clientBefore).TotalSeconds;
        double? server = _postmaster is { } pid && _serverBefore is { } before && ServerSeconds(pid) is { } now ? now - before : null;
        return (wall, client, server);
    }

    /// <summary>The postmaster of a backend, if that backend is a postgres process on this machine.</summary>
    private static int? ParentOf(int backend)
    {
        try
        {
            if (File.ReadAllText($"/proc/{backend}/comm").Trim() != "postgres")
            {
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var stat = ReadStat(backend);
        return stat is null ? null : int.Parse(stat[1], CultureInfo.InvariantCulture);
    }

    private static double? ServerSeconds(int postmaster)
    {
        var own = ReadStat(postmaster);
        if (own is null)
        {
            return null;
        }

        var ticks = Ticks(own);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == postmaster)
            {
                continue;
            }

            if (ReadStat(pid) is { } stat && stat[1] == postmaster.ToString(CultureInfo.InvariantCulture))
            {
                ticks += Ticks(stat);
            }
        }

        return ticks / TicksPerSecond;
    }

    private static long Ticks(string[] stat) =>
        long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture);

    /// <summary>The fields of /proc/pid/stat after "pid (comm)": [0] state, [1] ppid, ... [11] utime, [12] stime.</summary>
    private static string[]? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

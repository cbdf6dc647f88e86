using Npgsql;

namespace Roadmap.Benchmarks;

/// <summary>
/// Samples pg_stat_activity every 100 ms while it runs: what the database's active backends (other than this one) are
/// waiting for, e.g. Lock/object (the NOTIFY queue lock every notifying commit takes), IO/WALSync (the commit's
/// fsync), Client/ClientRead (idle in a transaction, waiting for the API's next statement), or "cpu" (running).
/// </summary>
internal sealed class WaitSampler : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _counts = [];
    private readonly Task _loop;
    private long _samples;

    public WaitSampler(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Per wait, the mean number of backends in it per sample, highest first.</summary>
    public async Task<IReadOnlyDictionary<string, double>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return _counts.OrderByDescending(p => p.Value)
            .ToDictionary(p => p.Key, p => Figures.Round(p.Value / (double)Math.Max(1, _samples), 2));
    }

    private async Task LoopAsync()
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await using var command = new NpgsqlCommand(
                    """
                    select coalesce(wait_event_type || '/' || wait_event, 'cpu') || ' (' || state || ')', count(*)
                    from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and state <> 'idle'
                    group by 1
                    """,
                    connection);
                await using var reader = await command.ExecuteReaderAsync(_stop.Token);
                while (await reader.ReadAsync(_stop.Token))
                {
                    _counts[reader.GetString(0)] = _counts.GetValueOrDefault(reader.GetString(0)) + reader.GetInt64(1);
                }

                _samples++;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"warning: wait sampling stopped: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}

using System.Diagnostics;

namespace Roadmap.Benchmarks;

/// <summary>Prints "done/total, rate" to stderr once a second while a benchmark runs.</summary>
internal sealed class Progress : IAsyncDisposable
{
    private readonly string _label;
    private readonly long _total;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _done;

    public Progress(string label, long total)
    {
        _label = label;
        _total = total;
        _loop = Task.Run(LoopAsync);
    }

    public void Add(long count = 1) => Interlocked.Add(ref _done, count);

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long previous = 0;
        var previousAt = _started;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var done = Interlocked.Read(ref _done);
                var current = (done - previous) / Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds;
                var elapsed = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
                await Console.Error.WriteLineAsync(
                    $"{_label}: {done}/{_total} events ({100.0 * done / _total:F0} %), {current:F0} events/s now, " +
                    $"{done / elapsed:F0} events/s average, {elapsed:F1} s");
                previous = done;
                previousAt = now;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

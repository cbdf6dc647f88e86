using System.Diagnostics;

namespace Roadmap.Benchmarks;

/// <summary>
/// Memory of this process over a phase: peaks of the managed heap and the working set sampled every 50 ms, the
/// kernel's peak resident set (VmHWM, which Process.PeakWorkingSet64 reads on Linux) reset at the start when the
/// kernel allows it, bytes allocated and collections counted.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _allocatedBefore;
    private readonly int[] _collectionsBefore;
    private long _peakHeap;
    private long _peakWorkingSet;
    private long _allocatedAtStop = -1;
    private int[]? _collectionsAtStop;

    private MemorySampler(bool peakReset)
    {
        PeakWorkingSetReset = peakReset;
        HeapBefore = GC.GetTotalMemory(forceFullCollection: false);
        WorkingSetBefore = Environment.WorkingSet;
        _allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        _collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>True when the kernel's peak was reset at the start, so <see cref="PeakWorkingSet"/> covers this phase only.</summary>
    public bool PeakWorkingSetReset { get; }

    public long HeapBefore { get; }

    public long WorkingSetBefore { get; }

    public long PeakHeap => Interlocked.Read(ref _peakHeap);

    public long PeakSampledWorkingSet => Interlocked.Read(ref _peakWorkingSet);

    /// <summary>Collects what earlier phases left behind, resets the kernel's peak and starts sampling.</summary>
    public static MemorySampler Start()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        bool reset;
        try
        {
            // "5" resets the peak resident set size (VmHWM) of the process to its current size (Linux 4.0+).
            File.WriteAllText("/proc/self/clear_refs", "5");
            reset = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            reset = false;
        }

        return new MemorySampler(reset);
    }

    /// <summary>The process's peak working set (since the reset, or since it started).</summary>
    public static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    /// <summary>Bytes allocated from the start to the stop (or to now while running).</summary>
    public long AllocatedBytes => (_allocatedAtStop >= 0 ? _allocatedAtStop : GC.GetTotalAllocatedBytes(precise: true)) - _allocatedBefore;

    public int Collections(int generation) =>
        (_collectionsAtStop is { } stopped ? stopped[generation] : GC.CollectionCount(generation)) - _collectionsBefore[generation];

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        do
        {
            Sample();
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Sample()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        var workingSet = Environment.WorkingSet;
        if (heap > Interlocked.Read(ref _peakHeap))
        {
            Interlocked.Exchange(ref _peakHeap, heap);
        }

        if (workingSet > Interlocked.Read(ref _peakWorkingSet))
        {
            Interlocked.Exchange(ref _peakWorkingSet, workingSet);
        }
    }

    /// <summary>Stops sampling and freezes the figures.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        Sample();
        _allocatedAtStop = GC.GetTotalAllocatedBytes(precise: true);
        _collectionsAtStop = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

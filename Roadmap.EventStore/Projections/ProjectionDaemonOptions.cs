namespace Roadmap.EventStore.Projections;

public sealed class ProjectionDaemonOptions
{
    /// <summary>Names this node in status pages: the instance that runs a projection.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Events per batch for the live runner.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Events per batch while rebuilding.</summary>
    public int RebuildBatchSize { get; init; } = 5000;

    /// <summary>The fallback poll when no NOTIFY arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a standby node tries to take over a projection.</summary>
    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait after a transient database error; doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Wait between attempts at one failing event.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Test hook: runs after a batch's read-model writes and checkpoint update, before commit.</summary>
    public Func<string, IReadOnlyList<RecordedEvent>, Task>? BeforeCommit { get; init; }
}

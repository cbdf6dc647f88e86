namespace Roadmap.EventStore.Projections;

/// <summary>The states a projection's checkpoint row can be in.</summary>
public static class ProjectionState
{
    public const string Running = "running";
    public const string Rebuilding = "rebuilding";
    public const string Stopped = "stopped";
    public const string Failed = "failed";
}

/// <summary>A runner found its checkpoint moved by someone else: it is no longer the owner and stops.</summary>
internal sealed class LostOwnershipException(string projection)
    : Exception($"Projection '{projection}': the checkpoint was moved by another runner; this one stops.");

/// <summary>The projection was stopped by its poison policy; the runner idles until it is reset.</summary>
internal sealed class ProjectionFailedException(string projection, Exception inner)
    : Exception($"Projection '{projection}' failed: {inner.Message}", inner);

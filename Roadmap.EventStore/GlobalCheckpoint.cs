using System.Globalization;

namespace Roadmap.EventStore;

/// <summary>
/// A reader's place in the global log: the (transaction id, global position) pair of the last event it has
/// handled. The log is ordered by this pair, not by position alone; see GlobalLog.cs for why.
/// </summary>
public readonly record struct GlobalCheckpoint(ulong TransactionId, long Position) : IComparable<GlobalCheckpoint>
{
    public static GlobalCheckpoint Start { get; } = new(0, 0);

    public int CompareTo(GlobalCheckpoint other)
    {
        var byTransaction = TransactionId.CompareTo(other.TransactionId);
        return byTransaction != 0 ? byTransaction : Position.CompareTo(other.Position);
    }

    public static bool operator <(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) < 0;

    public static bool operator >(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) > 0;

    public static bool operator <=(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) <= 0;

    public static bool operator >=(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) >= 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{TransactionId}/{Position}");
}

/// <summary>One batch of the global log and the checkpoint to continue from.</summary>
public sealed record GlobalLogPage(IReadOnlyList<RecordedEvent> Events, GlobalCheckpoint Next)
{
    public bool IsEmpty => Events.Count == 0;
}

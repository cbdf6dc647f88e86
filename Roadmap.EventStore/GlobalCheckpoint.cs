using System.Globalization;

namespace Roadmap.EventStore;

/// <summary>
/// A reader's place in the global log: the sequence (<c>mt_events.seq_id</c>) of the last event it has handled.
/// Readers never read past the daemon's high water mark, below which no transaction can still add an event
/// (GlobalLog.cs), so a position alone is a safe place to continue from.
/// </summary>
public readonly record struct GlobalCheckpoint(long Position) : IComparable<GlobalCheckpoint>
{
    public static GlobalCheckpoint Start { get; } = new(0);

    public int CompareTo(GlobalCheckpoint other) => Position.CompareTo(other.Position);

    public static bool operator <(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) < 0;

    public static bool operator >(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) > 0;

    public static bool operator <=(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) <= 0;

    public static bool operator >=(GlobalCheckpoint left, GlobalCheckpoint right) => left.CompareTo(right) >= 0;

    public override string ToString() => Position.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One batch of the global log and the checkpoint to continue from.</summary>
public sealed record GlobalLogPage(IReadOnlyList<RecordedEvent> Events, GlobalCheckpoint Next)
{
    public bool IsEmpty => Events.Count == 0;
}

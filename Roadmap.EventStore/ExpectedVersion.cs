namespace Roadmap.EventStore;

/// <summary>What the writer believes the stream's version is; checked atomically by the append.</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long value) => Value = value;

    /// <summary>-1 any, 0 no stream, n &gt; 0 exactly n: the encoding the append function takes.</summary>
    internal long Value { get; }

    /// <summary>Append whatever the stream's version is (creates the stream if needed).</summary>
    public static ExpectedVersion Any { get; } = new(-1);

    /// <summary>The stream must not exist yet.</summary>
    public static ExpectedVersion NoStream { get; } = new(0);

    /// <summary>The stream must be exactly at <paramref name="version"/> (0 means it must not exist yet).</summary>
    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version), version, "A stream version is never negative.");

    public override string ToString() => Value switch
    {
        -1 => "any",
        0 => "no stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

namespace Roadmap.Benchmarks;

/// <summary>The event both benchmarks write: about 300 bytes of JSON, like a small domain event.</summary>
internal sealed record BenchEvent(string StreamId, long Sequence, string Payload)
{
    public const string TypeName = "bench.event";

    public const string Actor = "bench";

    /// <summary>Fixed filler text (200 characters) so every event has the same size in both benchmarks.</summary>
    public const string FillerPayload =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et " +
        "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliq";
}

using Roadmap.Domain.Deciding;
using Roadmap.EventStore.Serialization;

namespace Roadmap.EventStore.Tests.Infrastructure;

public sealed record CounterOpened(string CounterId, string Name, DateTimeOffset OpenedAt);

public sealed record CounterIncremented(string CounterId, int By);

public sealed record CounterRenamed(string CounterId, string NewName);

public abstract record CounterCommand;

public sealed record Increment(int By) : CounterCommand;

public sealed record CounterState(string? Name, int Total, int Increments)
{
    public static CounterState Initial { get; } = new(null, 0, 0);
}

/// <summary>A small decider over the test events, to fold streams the way the domain does.</summary>
public static class Counter
{
    public static Decider<CounterCommand, object, CounterState> Decider { get; } = new(
        CounterState.Initial,
        (state, e) => e switch
        {
            CounterOpened opened => state with { Name = opened.Name },
            CounterIncremented inc => state with { Total = state.Total + inc.By, Increments = state.Increments + 1 },
            CounterRenamed renamed => state with { Name = renamed.NewName },
            _ => state,
        },
        (command, state) => command switch
        {
            Increment inc => [new CounterIncremented(state.Name ?? "?", inc.By)],
            _ => throw new InvalidOperationException(),
        });
}

public static class TestEvents
{
    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register<CounterOpened>("counter.opened")
        .Register<CounterIncremented>("counter.incremented")
        .Register<CounterRenamed>("counter.renamed");

    public static NewEvent New(object data, string? actor = "tests") =>
        new(Guid.CreateVersion7(), data, new EventMetadata(actor, CorrelationId: "corr-1", CausationId: "cause-1"));

    public static string NewStream(string prefix = "counter") => $"{prefix}-{Guid.NewGuid():N}";
}

using Roadmap.Domain.Deciding;

namespace Roadmap.Domain.Tests;

public sealed class DeciderTests
{
    private sealed record Opened(string Name);

    private sealed record Renamed(string Name);

    private sealed record Rename(string Name);

    private static readonly Decider<Rename, object, string?> NameDecider = new(
        Initial: null,
        Evolve: (state, e) => e switch
        {
            Opened opened => opened.Name,
            Renamed renamed => renamed.Name,
            _ => state,
        },
        Decide: (command, state) => state == command.Name ? [] : [new Renamed(command.Name)]);

    [Fact]
    public void Folding_applies_events_in_order_from_the_initial_state()
    {
        Assert.Equal("c", NameDecider.Fold([new Opened("a"), new Renamed("b"), new Renamed("c")]));
        Assert.Null(NameDecider.Fold([]));
    }

    [Fact]
    public void Deciding_in_the_folded_state_gives_the_events_the_command_causes()
    {
        var state = NameDecider.Fold([new Opened("a")]);

        Assert.Equal([new Renamed("b")], NameDecider.Decide(new Rename("b"), state));
        Assert.Empty(NameDecider.Decide(new Rename("a"), state));
    }

    [Fact]
    public void Evolving_with_an_event_of_another_stream_is_refused()
    {
        var typed = new Decider<Rename, Renamed, string?>(null, (_, e) => e.Name, (_, _) => []);

        var error = Assert.Throws<InvalidOperationException>(() => typed.EvolveStored(null, new Opened("x")));
        Assert.Contains(nameof(Opened), error.Message, StringComparison.Ordinal);
    }
}

namespace Roadmap.Domain.Deciding;

/// <summary>
/// An aggregate as three pure functions (after emmett's and Jérémie Chassaing's decider): the initial state,
/// how an event changes the state, and which events a command produces in a state. No I/O, no clock: time and
/// ids arrive inside commands.
/// </summary>
public sealed record Decider<TCommand, TEvent, TState>(
    TState Initial,
    Func<TState, TEvent, TState> Evolve,
    Func<TCommand, TState, IReadOnlyList<TEvent>> Decide)
{
    /// <summary>Folds events into state, starting from <see cref="Initial"/>.</summary>
    public TState Fold(IEnumerable<TEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>Evolve for events read from storage as objects; events of other streams are a programming error.</summary>
    public TState EvolveStored(TState state, object stored) => stored is TEvent e
        ? Evolve(state, e)
        : throw new InvalidOperationException($"{stored.GetType().Name} is not an event of this decider ({typeof(TEvent).Name}).");
}

using System.Text.Json;
using Roadmap.Domain.Deciding;

namespace Roadmap.Domain.Tests;

/// <summary>
/// Given-when-then for deciders: <c>Spec.For(decider).Given(events).When(command).Then(events)</c> or
/// <c>.ThenFails("code")</c>. Events are compared by their registered name and JSON, the way they are stored, so
/// events holding lists compare by content and every event is proven to survive a JSON round trip.
/// </summary>
public static class Spec
{
    public static DeciderSpec<TCommand, TEvent, TState> For<TCommand, TEvent, TState>(Decider<TCommand, TEvent, TState> decider) =>
        new(decider, []);
}

public sealed class DeciderSpec<TCommand, TEvent, TState>
{
    private readonly Decider<TCommand, TEvent, TState> _decider;
    private readonly IReadOnlyList<TEvent> _given;

    internal DeciderSpec(Decider<TCommand, TEvent, TState> decider, IReadOnlyList<TEvent> given)
    {
        _decider = decider;
        _given = given;
    }

    public DeciderSpec<TCommand, TEvent, TState> Given(params TEvent[] events) => new(_decider, [.. _given, .. events]);

    public DeciderOutcome<TCommand, TEvent, TState> When(TCommand command) => new(_decider, _given, command);
}

public sealed class DeciderOutcome<TCommand, TEvent, TState>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Decider<TCommand, TEvent, TState> _decider;
    private readonly IReadOnlyList<TEvent> _given;
    private readonly TCommand _command;

    internal DeciderOutcome(Decider<TCommand, TEvent, TState> decider, IReadOnlyList<TEvent> given, TCommand command)
    {
        _decider = decider;
        _given = given;
        _command = command;
    }

    public IReadOnlyList<TEvent> Then(params TEvent[] expected)
    {
        var actual = Decide();
        Assert.Equal(expected.Select(Stored), actual.Select(Stored));
        return actual;
    }

    /// <summary>For events with computed texts: asserts that exactly one event of type <typeparamref name="T"/> results and hands it over.</summary>
    public T ThenSingle<T>() where T : TEvent
    {
        var actual = Decide();
        var single = Assert.Single(actual);
        _ = Stored(single);
        return Assert.IsType<T>(single);
    }

    public DomainRuleViolation ThenFails(string code)
    {
        var violation = Assert.Throws<DomainRuleViolation>(() => _decider.Decide(_command, _decider.Fold(_given)));
        Assert.Equal(code, violation.Code);
        Assert.False(string.IsNullOrWhiteSpace(violation.Message));
        Assert.Equal(code.EndsWith("-unknown", StringComparison.Ordinal) ? ViolationKind.NotFound : ViolationKind.Conflict, violation.Kind);
        return violation;
    }

    private IReadOnlyList<TEvent> Decide() => _decider.Decide(_command, _decider.Fold(_given));

    private static string Stored(TEvent e)
    {
        var type = e!.GetType();
        var (name, version) = DomainEvents.NameOf(type);
        var json = JsonSerializer.Serialize(e, type, Json);
        var roundTripped = JsonSerializer.Serialize(JsonSerializer.Deserialize(json, type, Json), type, Json);
        Assert.Equal(json, roundTripped);
        return $"{name} v{version} {json}";
    }
}

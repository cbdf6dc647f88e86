using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Municipalities;

// Events ------------------------------------------------------------------------------------------------------

public interface IMunicipalityEvent : IDomainEvent
{
    Ags Ags { get; }
}

public sealed record MunicipalityRegistered(
    Ags Ags, string Name, LandCode Land, Ags CountyAgs, string By, DateTimeOffset RecordedAt) : IMunicipalityEvent;

public sealed record MunicipalityRenamed(
    Ags Ags, string Name, string PreviousName, string By, DateTimeOffset RecordedAt) : IMunicipalityEvent;

// Commands ----------------------------------------------------------------------------------------------------

public interface IMunicipalityCommand : IDomainCommand
{
    Ags Ags { get; }
}

/// <summary>Registers a municipality (or the county itself, whose AGS ends in 000). <paramref name="Land"/> may be left out: the AGS names it.</summary>
public sealed record RegisterMunicipality(
    Ags Ags, string Name, Ags CountyAgs, LandCode? Land, DateTimeOffset Now, string By) : IMunicipalityCommand;

public sealed record RenameMunicipality(Ags Ags, string Name, DateTimeOffset Now, string By) : IMunicipalityCommand;

// State -------------------------------------------------------------------------------------------------------

public abstract record MunicipalityState;

public sealed record UnregisteredMunicipality : MunicipalityState
{
    public static UnregisteredMunicipality Instance { get; } = new();
}

public sealed record RegisteredMunicipality(Ags Ags, string Name) : MunicipalityState;

// Decider -----------------------------------------------------------------------------------------------------

/// <summary>One stream per municipality, keyed by its AGS.</summary>
public static class Municipality
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "municipality-";

    public static Decider<IMunicipalityCommand, IMunicipalityEvent, MunicipalityState> Decider { get; } =
        new(UnregisteredMunicipality.Instance, Evolve, Decide);

    public static string StreamId(Ags ags) => $"{StreamIdPrefix}{ags.Value}";

    public static MunicipalityState Evolve(MunicipalityState state, IMunicipalityEvent @event) => @event switch
    {
        MunicipalityRegistered e => new RegisteredMunicipality(e.Ags, e.Name),
        MunicipalityRenamed e when state is RegisteredMunicipality registered => registered with { Name = e.Name },
        _ => state,
    };

    public static IReadOnlyList<IMunicipalityEvent> Decide(IMunicipalityCommand command, MunicipalityState state)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (RegisterMunicipality c, UnregisteredMunicipality) => Register(c),
            (RegisterMunicipality c, _) => throw new DomainRuleViolation(
                ViolationCodes.MunicipalityAlreadyRegistered, $"The municipality {c.Ags} is already registered.", "ags"),
            (_, UnregisteredMunicipality) => throw DomainRuleViolation.NotFound(
                ViolationCodes.MunicipalityUnknown, $"No municipality with AGS {command.Ags} is registered."),
            (RenameMunicipality c, RegisteredMunicipality s) => Rename(c, s),
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static IMunicipalityEvent[] Register(RegisterMunicipality c)
    {
        var name = Guard.RequireText(c.Name, ViolationCodes.NameRequired, "name", "A municipality needs a name.");
        Guard.Require(c.CountyAgs.IsCounty, ViolationCodes.CountyAgsInvalid,
            $"A county's AGS ends in 000; {c.CountyAgs} names a municipality, not a county.", "countyAgs");
        Guard.Require(c.Ags.BelongsTo(c.CountyAgs), ViolationCodes.AgsNotInCounty,
            $"The AGS {c.Ags} does not belong to the county {c.CountyAgs}: their first five digits differ.", "ags");
        Guard.Require(c.Land is null || c.Land == c.Ags.Land, ViolationCodes.LandMismatch,
            $"The AGS {c.Ags} lies in {c.Ags.Land.Name} ({c.Ags.Land}), not in Land {c.Land}.", "land");
        return [new MunicipalityRegistered(c.Ags, name, c.Ags.Land, c.CountyAgs, c.By, c.Now)];
    }

    private static IMunicipalityEvent[] Rename(RenameMunicipality c, RegisteredMunicipality s)
    {
        var name = Guard.RequireText(c.Name, ViolationCodes.NameRequired, "name", "A municipality needs a name.");
        Guard.Require(name != s.Name, ViolationCodes.NameUnchanged, $"The municipality is already called {s.Name}.", "name");
        return [new MunicipalityRenamed(c.Ags, name, s.Name, c.By, c.Now)];
    }
}

using Roadmap.Domain.Deciding;

namespace Roadmap.Domain.Catalogue;

public interface IVendorEvent : IDomainEvent
{
    Guid VendorId { get; }
}

public sealed record VendorRegistered(Guid VendorId, string Name, Uri? Website, string By, DateTimeOffset RecordedAt) : IVendorEvent;

public interface IVendorCommand : IDomainCommand
{
    Guid VendorId { get; }
}

public sealed record RegisterVendor(Guid VendorId, string Name, Uri? Website, DateTimeOffset Now, string By) : IVendorCommand;

public abstract record VendorState;

public sealed record UnregisteredVendor : VendorState
{
    public static UnregisteredVendor Instance { get; } = new();
}

public sealed record RegisteredVendor(Guid VendorId, string Name) : VendorState;

/// <summary>One stream per software vendor (Hersteller); products and releases refer to it by id.</summary>
public static class Vendor
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "vendor-";

    public static Decider<IVendorCommand, IVendorEvent, VendorState> Decider { get; } = new(UnregisteredVendor.Instance, Evolve, Decide);

    public static string StreamId(Guid vendorId) => $"{StreamIdPrefix}{vendorId}";

    public static VendorState Evolve(VendorState state, IVendorEvent @event) => @event switch
    {
        VendorRegistered e => new RegisteredVendor(e.VendorId, e.Name),
        _ => state,
    };

    public static IReadOnlyList<IVendorEvent> Decide(IVendorCommand command, VendorState state)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (RegisterVendor c, UnregisteredVendor) => Register(c),
            (RegisterVendor, RegisteredVendor s) => throw new DomainRuleViolation(
                ViolationCodes.VendorAlreadyRegistered, $"The vendor {s.Name} is already registered.", "vendorId"),
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static IVendorEvent[] Register(RegisterVendor c)
    {
        var name = Guard.RequireText(c.Name, ViolationCodes.NameRequired, "name", "A vendor needs a name.");
        Guard.Require(
            c.Website is null || (c.Website.IsAbsoluteUri && (c.Website.Scheme == Uri.UriSchemeHttps || c.Website.Scheme == Uri.UriSchemeHttp)),
            ViolationCodes.WebsiteInvalid, $"A vendor's website must be a full http or https address; '{c.Website}' is not.", "website");
        return [new VendorRegistered(c.VendorId, name, c.Website, c.By, c.Now)];
    }
}

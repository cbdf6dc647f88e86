using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Catalogue;

public interface IProductEvent : IDomainEvent
{
    Guid ProductId { get; }
}

public sealed record ProductRegistered(
    Guid ProductId, Guid VendorId, string Name, ProcedureCategory Category, string By, DateTimeOffset RecordedAt) : IProductEvent;

public interface IProductCommand : IDomainCommand
{
    Guid ProductId { get; }
}

/// <summary>Registers a vendor's product. That the vendor exists is checked by the caller: it lives in another stream.</summary>
public sealed record RegisterProduct(
    Guid ProductId, Guid VendorId, string Name, ProcedureCategory Category, DateTimeOffset Now, string By) : IProductCommand;

public abstract record ProductState;

public sealed record UnregisteredProduct : ProductState
{
    public static UnregisteredProduct Instance { get; } = new();
}

public sealed record RegisteredProduct(Guid ProductId, Guid VendorId, string Name) : ProductState;

/// <summary>One stream per product (e.g. a residents' registration software); its releases are streams of their own.</summary>
public static class Product
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "product-";

    public static Decider<IProductCommand, IProductEvent, ProductState> Decider { get; } = new(UnregisteredProduct.Instance, Evolve, Decide);

    public static string StreamId(Guid productId) => $"{StreamIdPrefix}{productId}";

    public static ProductState Evolve(ProductState state, IProductEvent @event) => @event switch
    {
        ProductRegistered e => new RegisteredProduct(e.ProductId, e.VendorId, e.Name),
        _ => state,
    };

    public static IReadOnlyList<IProductEvent> Decide(IProductCommand command, ProductState state)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (RegisterProduct c, UnregisteredProduct) => Register(c),
            (RegisterProduct, RegisteredProduct s) => throw new DomainRuleViolation(
                ViolationCodes.ProductAlreadyRegistered, $"The product {s.Name} is already registered.", "productId"),
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static IProductEvent[] Register(RegisterProduct c)
    {
        var name = Guard.RequireText(c.Name, ViolationCodes.NameRequired, "name", "A product needs a name.");
        Guard.RequireId(c.VendorId, ViolationCodes.VendorRequired, "vendorId", "A product needs the vendor that makes it.");
        return [new ProductRegistered(c.ProductId, c.VendorId, name, c.Category, c.By, c.Now)];
    }
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>POST /catalogue/products: a vendor's product (e.g. a residents' registration software) enters the catalogue.</summary>
public static class RegisterProduct
{
    /// <param name="VendorId">The registered vendor that makes the product.</param>
    /// <param name="Name">The product's name, e.g. "OK.EWO".</param>
    /// <param name="Category">The kind of Fachverfahren, e.g. Einwohnermeldewesen.</param>
    /// <param name="ProductId">Optional: a UUID chosen by the client; left out, the server chooses one (UUID v7).</param>
    public sealed record Request(Guid VendorId, string Name, ProcedureCategory Category, Guid? ProductId = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(Guid.Parse("0193a1b2-0000-7000-8000-0000000000a1"), "Lech-EWO", Roadmap.Domain.Shared.ProcedureCategory.Einwohnermeldewesen);
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.VendorId).NotEqual(Guid.Empty).WithMessage("Name the vendor that makes the product.");
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.ProductId).NotEqual(Guid.Empty).WithMessage("Leave productId out to let the server choose one, or send a non-empty UUID.");
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .Validate<Request>()
        .ProducesDecisionProblems(StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Registers a vendor's product; 201 with Location /catalogue/products/{id}.")
        .WithDescription(
            "The vendor must be registered: 422 `vendor-unknown` (field `vendorId`) otherwise. A reference inside the body that names " +
            "nothing is a 422, not a 404, because the URL itself is fine. The server chooses the id (UUID v7) unless the body sends `productId`; " +
            "send an Idempotency-Key to make retries safe. 409 `product-already-registered` when the productId is taken.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, PostgresEventStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await CatalogueReferences.RequireVendorAsync(store, request.VendorId, "vendorId", cancellationToken) is { } unknownVendor)
        {
            return unknownVendor;
        }

        var productId = request.ProductId ?? Guid.CreateVersion7(clock.GetUtcNow());
        return await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Product.StreamId(productId), $"/catalogue/products/{productId}", productId.ToString()),
            (context, meta) => new DecideProduct(new Roadmap.Domain.Catalogue.RegisterProduct(
                productId, request.VendorId, request.Name, request.Category, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

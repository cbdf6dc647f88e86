using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>POST /catalogue/releases: a release of a product with its lifecycle dates (OpenEoX style).</summary>
public static class RegisterRelease
{
    /// <param name="ProductId">The registered product this release belongs to.</param>
    /// <param name="Version">The vendor's version label, e.g. "2024.1".</param>
    /// <param name="GeneralAvailability">Optional date yyyy-MM-dd; never "tba".</param>
    /// <param name="EndOfSales">Optional date yyyy-MM-dd; never "tba".</param>
    /// <param name="EndOfSecuritySupport">Optional date yyyy-MM-dd, or "tba" when the vendor has not announced it yet.</param>
    /// <param name="EndOfLife">Optional date yyyy-MM-dd, or "tba" when the vendor has not announced it yet.</param>
    /// <param name="ReleaseId">Optional: a UUID chosen by the client; left out, the server chooses one (UUID v7).</param>
    public sealed record Request(
        Guid ProductId,
        string Version,
        string? GeneralAvailability = null,
        string? EndOfSales = null,
        string? EndOfSecuritySupport = null,
        string? EndOfLife = null,
        Guid? ReleaseId = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(Guid.Parse("0193a1b2-0000-7000-8000-0000000000b1"), "4.2", "2021-03-01", "2025-12-31", "2028-12-31", "tba");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.ProductId).NotEqual(Guid.Empty).WithMessage("Name the product this release belongs to.");
            RuleFor(r => r.Version).NotEmpty().MaximumLength(100);
            RuleFor(r => r.GeneralAvailability).MustBeDate();
            RuleFor(r => r.EndOfSales).MustBeDate();
            RuleFor(r => r.EndOfSecuritySupport).MustBeDateOrTba();
            RuleFor(r => r.EndOfLife).MustBeDateOrTba();
            RuleFor(r => r.ReleaseId).NotEqual(Guid.Empty).WithMessage("Leave releaseId out to let the server choose one, or send a non-empty UUID.");
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .Validate<Request>()
        .ProducesDecisionProblems(StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Registers a release of a product with its lifecycle; 201 with Location /catalogue/releases/{id}.")
        .WithDescription(
            "Dates are yyyy-MM-dd; `endOfSecuritySupport` and `endOfLife` may also be \"tba\" (to be announced, as in OpenEoX); a field " +
            "left out is not known. 400 for a malformed date or \"tba\" on another field; 422 `product-unknown` (field `productId`) when the " +
            "product is not registered; 409 `lifecycle-dates-out-of-order`, `end-of-life-before-end-of-security-support` or " +
            "`release-already-registered`. Send an Idempotency-Key to make retries safe.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, PostgresEventStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await CatalogueReferences.RequireProductAsync(store, request.ProductId, "productId", cancellationToken) is { } unknownProduct)
        {
            return unknownProduct;
        }

        var releaseId = request.ReleaseId ?? Guid.CreateVersion7(clock.GetUtcNow());
        var (endOfSecuritySupport, endOfSecuritySupportTba) = LifecycleDates.ParseEnd(request.EndOfSecuritySupport);
        var (endOfLife, endOfLifeTba) = LifecycleDates.ParseEnd(request.EndOfLife);
        var lifecycle = new ReleaseLifecycle(
            LifecycleDates.ParseDate(request.GeneralAvailability), LifecycleDates.ParseDate(request.EndOfSales),
            endOfSecuritySupport, endOfLife, endOfSecuritySupportTba, endOfLifeTba);
        return await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Release.StreamId(releaseId), $"/catalogue/releases/{releaseId}", releaseId.ToString()),
            (context, meta) => new DecideRelease(new Roadmap.Domain.Catalogue.RegisterRelease(
                releaseId, request.ProductId, request.Version, lifecycle, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

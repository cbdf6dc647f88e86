using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Wolverine;

namespace Roadmap.Api.Catalogue;

/// <summary>POST /catalogue/vendors: a software vendor (Hersteller) enters the catalogue.</summary>
public static class RegisterVendor
{
    /// <param name="Name">The vendor's name, e.g. "Lechtal Software GmbH".</param>
    /// <param name="Website">Optional: the vendor's http or https address.</param>
    /// <param name="VendorId">Optional: a UUID chosen by the client; left out, the server chooses one (UUID v7).</param>
    public sealed record Request(string Name, string? Website = null, Guid? VendorId = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Lechtal Software GmbH", "https://lechtal-software.example");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Website).MaximumLength(2000)
                .Must(w => w is null || (Uri.TryCreate(w, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
                .WithMessage((_, w) => $"'{w}' is not a full http or https address, e.g. https://lechtal-software.example.");
            RuleFor(r => r.VendorId).NotEqual(Guid.Empty).WithMessage("Leave vendorId out to let the server choose one, or send a non-empty UUID.");
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .Validate<Request>()
        .ProducesDecisionProblems(StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Registers a software vendor; 201 with Location /catalogue/vendors/{id}.")
        .WithDescription(
            "The server chooses the id (UUID v7) unless the body sends `vendorId`. Send an Idempotency-Key to make retries safe: " +
            "without one, a retried request registers the vendor a second time under a new id. " +
            "409 `vendor-already-registered` when the vendorId is taken; 422 `idempotency-key-reused` for a key sent with another body.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Request request, HttpContext http, Decisions decisions, IMessageBus bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var vendorId = request.VendorId ?? Guid.CreateVersion7(clock.GetUtcNow());
        var streamId = Vendor.StreamId(vendorId);
        return decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(streamId, $"/catalogue/vendors/{vendorId}", vendorId.ToString()),
            (context, meta) => new DecideVendor(new Roadmap.Domain.Catalogue.RegisterVendor(
                vendorId, request.Name, request.Website is null ? null : new Uri(request.Website), context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/reviews: a review request at a Vergabekammer; it blocks the award until concluded.</summary>
public static class Reviews
{
    public sealed record Request(DateOnly FiledOn, string Chamber)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 11, 10), "Vergabekammer Südbayern");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Chamber).NotEmpty().MaximumLength(200);
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/reviews", HandleAsync)
        .Validate<Request>()
        .WithSummary("Records a review request; the chamber's decision is due within five weeks.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new FileReview(id, request.FiledOn, request.Chamber, context.Now, context.By), meta),
            request,
            cancellationToken);
}

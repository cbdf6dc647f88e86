using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Procedures;

/// <summary>POST /procedures/{id}/extended-support: support beyond the vendor's end of support was bought.</summary>
public static class PurchaseExtendedSupport
{
    /// <param name="Until">The last day of the bought support, e.g. 2027-12-31.</param>
    /// <param name="Reference">The contract or order reference.</param>
    /// <param name="Cost">Optional: the net cost in euro.</param>
    public sealed record Request(DateOnly Until, string Reference, decimal? Cost = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2029, 12, 31), "EXT-2026-117", 18500m);
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Until).NotEmpty();
            RuleFor(r => r.Reference).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Cost).MustBeNetAmount().WithMessage((_, cost) => $"{NetAmounts.Refusal(cost.GetValueOrDefault())} Leave cost out when it is not known.");
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/extended-support", HandleAsync)
        .Validate<Request>()
        .WithSummary("Records extended support bought for the release in use; it moves the effective end of support.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcedureLookups.Target(id),
            (context, meta) => new DecideProcedure(new Roadmap.Domain.Procedures.PurchaseExtendedSupport(
                id, request.Until, request.Cost is { } cost ? Money.Euro(cost) : null, request.Reference, context.Now, context.By), meta),
            request,
            cancellationToken);
}

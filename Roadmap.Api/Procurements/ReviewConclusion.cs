using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/review-conclusion: the pending review ends; an upheld one voids the award intention.</summary>
public static class ReviewConclusion
{
    public sealed record Request(DateOnly ConcludedOn, ReviewOutcome Outcome)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 12, 4), Roadmap.Domain.Procurements.ReviewOutcome.Dismissed);
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Outcome).IsInEnum();
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/review-conclusion", HandleAsync)
        .Validate<Request>()
        .WithSummary("Concludes the pending review as Dismissed, Upheld or Withdrawn.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, CancellationToken cancellationToken) =>
        decisions.DecideAsync(http, ProcurementEndpoints.Target(id), decisions.Procurements,
            (_, context) => ValueTask.FromResult<IProcurementCommand>(new ConcludeReview(id, request.ConcludedOn, request.Outcome, context.Now, context.By)),
            request, cancellationToken);
}

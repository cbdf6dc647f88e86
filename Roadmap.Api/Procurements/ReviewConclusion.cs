using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/review-conclusion: the pending review ends; an upheld one voids the award intention.</summary>
public static class ReviewConclusion
{
    /// <param name="DecisionServedOn">The day the chamber's decision was served; required for a dismissal, whose award waits two weeks from then.</param>
    public sealed record Request(DateOnly ConcludedOn, ReviewOutcome Outcome, DateOnly? DecisionServedOn = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 12, 4), Roadmap.Domain.Procurements.ReviewOutcome.Dismissed, new DateOnly(2026, 12, 7));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Outcome).IsInEnum();
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/review-conclusion", HandleAsync)
        .Validate<Request>()
        .WithSummary("Concludes the pending review as Dismissed, Upheld or Withdrawn.")
        .WithDescription("A dismissal needs `decisionServedOn` (409 `decision-served-date-required`): the award waits for the two weeks of the " +
            "immediate appeal (§ 172 (1), § 169 (1) GWB), and the answer's event carries the end of that period.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new ConcludeReview(
                id, request.ConcludedOn, request.Outcome, context.Now, context.By, request.DecisionServedOn), meta),
            request,
            cancellationToken);
}

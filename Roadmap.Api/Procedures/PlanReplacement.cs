using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;
using Roadmap.EventStore;

namespace Roadmap.Api.Procedures;

/// <summary>POST /procedures/{id}/replacement-plan: how and by when the procedure is to be replaced.</summary>
public static class PlanReplacement
{
    /// <param name="Strategy">Upgrade, Replace, Consolidate or Retire.</param>
    /// <param name="TargetGoLive">When the successor is to go live.</param>
    /// <param name="TargetReleaseId">The release to move to; none for Retire.</param>
    public sealed record Request(ReplacementStrategy Strategy, DateOnly TargetGoLive, Guid? TargetReleaseId = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(Roadmap.Domain.Procedures.ReplacementStrategy.Replace, new DateOnly(2028, 9, 30));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Strategy).IsInEnum();
            RuleFor(r => r.TargetGoLive).NotEmpty();
            RuleFor(r => r.TargetReleaseId).NotEqual(Guid.Empty).When(r => r.TargetReleaseId is not null);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/replacement-plan", HandleAsync)
        .Validate<Request>()
        .WithSummary("Plans the replacement; a new plan voids an earlier schedule. 422 `release-unknown` for an unregistered target release.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (request.TargetReleaseId is { } target && await ProcedureLookups.RequireReleaseAsync(store, target, "targetReleaseId", cancellationToken) is { } unknown)
        {
            return unknown;
        }

        return await decisions.InvokeAsync(
            http,
            bus,
            ProcedureLookups.Target(id),
            (context, meta) => new DecideProcedure(new Roadmap.Domain.Procedures.PlanReplacement(
                id, request.Strategy, request.TargetGoLive, request.TargetReleaseId, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;
using Roadmap.EventStore;

namespace Roadmap.Api.Procedures;

/// <summary>POST /procedures/{id}/cut-over: the scheduled cut-over has happened.</summary>
public static class CompleteCutOver
{
    /// <param name="CompletedOn">The day the new system took over; not in the future.</param>
    /// <param name="NewReleaseId">Optional: the release now in use; defaults to the plan's target release.</param>
    public sealed record Request(DateOnly CompletedOn, Guid? NewReleaseId = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 10, 5));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.CompletedOn).NotEmpty();
            RuleFor(r => r.NewReleaseId).NotEqual(Guid.Empty).When(r => r.NewReleaseId is not null);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/cut-over", HandleAsync)
        .Validate<Request>()
        .WithSummary("Completes the cut-over; a procedure in a procurement case cannot switch before its award (409 `cut-over-before-award`).");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (request.NewReleaseId is { } release && await ProcedureLookups.RequireReleaseAsync(store, release, "newReleaseId", cancellationToken) is { } unknown)
        {
            return unknown;
        }

        return await decisions.InvokeAsync(
            http,
            bus,
            ProcedureLookups.Target(id),
            (context, meta) => new DecideProcedureAfterAward(new Roadmap.Domain.Procedures.CompleteCutOver(
                id, request.CompletedOn, request.NewReleaseId, ProcurementAwardedOn: null, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

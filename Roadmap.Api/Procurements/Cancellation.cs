using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/cancellation: the procurement is cancelled (Aufhebung); nothing more can be decided for it.</summary>
public static class Cancellation
{
    public sealed record Request(DateOnly CancelledOn, [MultiLineText] string Reason)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 9, 1), "No compliant offer received");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(2000);
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/cancellation", HandleAsync)
        .Validate<Request>()
        .WithSummary("Cancels the procurement with a reason.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new CancelProcurement(id, request.CancelledOn, request.Reason, context.Now, context.By), meta),
            request,
            cancellationToken);
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;

namespace Roadmap.Api.Procedures;

/// <summary>POST /procedures/{id}/risk-acceptances: someone accountable accepts running past the end of support.</summary>
public static class AcceptRisk
{
    /// <param name="AcceptedBy">The accountable person, e.g. the mayor.</param>
    /// <param name="Until">The last day the risk is accepted.</param>
    /// <param name="Reason">Why running on is acceptable.</param>
    public sealed record Request(string AcceptedBy, DateOnly Until, [MultiLineText] string Reason)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Erster Bürgermeister", new DateOnly(2029, 6, 30), "Replacement procured jointly; cut-over after the 2029 elections");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.AcceptedBy).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Until).NotEmpty();
            RuleFor(r => r.Reason).NotEmpty().MaximumLength(2000);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/risk-acceptances", HandleAsync)
        .Validate<Request>()
        .WithSummary("Records an accepted risk: a badge on the procedure, not a later end of support.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcedureLookups.Target(id),
            (context, meta) => new DecideProcedure(new Roadmap.Domain.Procedures.AcceptRisk(
                id, request.AcceptedBy, request.Until, request.Reason, context.Now, context.By), meta),
            request,
            cancellationToken);
}

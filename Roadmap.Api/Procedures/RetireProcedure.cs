using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;

namespace Roadmap.Api.Procedures;

/// <summary>POST /procedures/{id}/retirement: the procedure is switched off.</summary>
public static class RetireProcedure
{
    public sealed record Request(DateOnly RetiredOn, [MultiLineText] string Reason)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 12, 31), "Merged into the county's shared residents' registration");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.RetiredOn).NotEmpty();
            RuleFor(r => r.Reason).NotEmpty().MaximumLength(2000);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/retirement", HandleAsync)
        .Validate<Request>()
        .WithSummary("Retires the procedure; nothing more can be decided for it afterwards.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcedureLookups.Target(id),
            (context, meta) => new DecideProcedure(new Roadmap.Domain.Procedures.RetireProcedure(
                id, request.RetiredOn, request.Reason, context.Now, context.By), meta),
            request,
            cancellationToken);
}

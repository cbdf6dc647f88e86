using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;

namespace Roadmap.Api.Procedures;

/// <summary>POST /procedures/{id}/replacement-schedule: the cut-over date and the parallel run.</summary>
public static class ScheduleReplacement
{
    /// <param name="CutOverOn">The day the new system takes over.</param>
    /// <param name="ParallelRunFrom">Optional: when old and new start running side by side.</param>
    /// <param name="ParallelRunUntil">Optional: when the parallel run ends.</param>
    public sealed record Request(DateOnly CutOverOn, DateOnly? ParallelRunFrom = null, DateOnly? ParallelRunUntil = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2028, 7, 3), new DateOnly(2028, 6, 1), new DateOnly(2028, 6, 30));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.CutOverOn).NotEmpty();
            RuleFor(r => r.ParallelRunUntil).NotNull().When(r => r.ParallelRunFrom is not null).WithMessage("A parallel run needs both a start and an end.");
            RuleFor(r => r.ParallelRunFrom).NotNull().When(r => r.ParallelRunUntil is not null).WithMessage("A parallel run needs both a start and an end.");
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/replacement-schedule", HandleAsync)
        .Validate<Request>()
        .WithSummary("Schedules the cut-over; freeze windows apply, and a procedure in a procurement case waits for its award.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcedureLookups.Target(id),
            (context, meta) => new DecideProcedureAfterAward(new Roadmap.Domain.Procedures.ScheduleReplacement(
                id, request.CutOverOn, request.ParallelRunFrom, request.ParallelRunUntil,
                ProcurementAwardedOn: null, context.Now, context.By), meta),
            request,
            cancellationToken);
}

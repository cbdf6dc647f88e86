using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/start: the determined procedure starts; value and procedure are fixed from now on.</summary>
public static class StartOfProcurement
{
    /// <param name="NoticeSentOn">The day the (EU) notice was sent: the procedure actually begins then (§ 3 (3) VgV) and its periods run from the day after.</param>
    public sealed record Request(DateOnly StartedOn, DateOnly? PublishedOn = null, DateOnly? NoticeSentOn = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 27), new DateOnly(2026, 7, 22));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.PublishedOn).GreaterThanOrEqualTo(r => r.StartedOn).When(r => r.PublishedOn is not null)
            .WithMessage("The publication cannot come before the start.");
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/start", HandleAsync)
        .Validate<Request>()
        .WithSummary("Starts the procurement with the determined procedure, optionally with the days the notice was sent and published.")
        .WithDescription("409 `procedure-determination-outdated` when the determined procedure is not lawful under the threshold and Land limits " +
            "in force on the day the procedure actually begins (§ 3 (3) VgV): determine it again with that day.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new StartProcurement(
                id, request.StartedOn, request.PublishedOn, context.Now, context.By, request.NoticeSentOn), meta),
            request,
            cancellationToken);
}

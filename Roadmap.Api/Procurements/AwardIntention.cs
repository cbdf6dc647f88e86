using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/award-intention: bidders are told who is to win; the standstill of § 134 GWB starts.</summary>
public static class AwardIntention
{
    public sealed record Request(DateOnly NotifiedOn, string IntendedBidder, bool SentElectronically = true)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 11, 2), "Ammerdata AG");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.IntendedBidder).NotEmpty().MaximumLength(200);
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/award-intention", HandleAsync)
        .Validate<Request>()
        .WithSummary("Records the notification of the award intention; the answer's event carries the end of the standstill.")
        .WithDescription("409 `offer-deadline-missing` for an EU procedure whose offer deadline was not recorded. The standstill ends on a " +
            "working day (Regulation 1182/71 Art. 3(4)).");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new NotifyAwardIntention(
                id, request.NotifiedOn, request.SentElectronically, request.IntendedBidder, context.Now, context.By), meta),
            request,
            cancellationToken);
}

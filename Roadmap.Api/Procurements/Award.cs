using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/award: the contract is concluded with the vendor.</summary>
public static class Award
{
    public sealed record Request(DateOnly AwardedOn, string VendorName, decimal NetValue, Guid? ReleaseId = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 11, 20), "Ammerdata AG", 512000m);
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.VendorName).NotEmpty().MaximumLength(200);
            RuleFor(r => r.NetValue).MustBeNetAmount();
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/award", HandleAsync)
        .Validate<Request>()
        .WithSummary("Awards the contract; EU procedures need the standstill to be over and no review pending.")
        .WithDescription("A zero or negative value is a 400 (the decider refuses it too, `award-value-required`); 409 `direct-award-value-above-limit` and `award-value-needs-other-procedure` " +
            "when the value does not fit the procedure under the rules at the actual start, `offer-deadline-missing` for an EU procedure " +
            "without deadlines, `appeal-period-not-over` within two weeks of a dismissed review's decision being served.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new AwardProcurement(
                id, request.AwardedOn, request.VendorName, request.ReleaseId, new Money(request.NetValue), context.Now, context.By), meta),
            request,
            cancellationToken);
}

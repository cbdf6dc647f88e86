using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/deadlines: participation and offer deadlines, checked against the EU minimum periods.</summary>
public static class Deadlines
{
    public sealed record Request(
        DateOnly OfferDeadline,
        DateOnly? ParticipationDeadline = null,
        bool ElectronicSubmission = true,
        bool Urgent = false,
        [MultiLineText] string? UrgencyReason = null,
        DateOnly? PublishedOn = null,
        DateOnly? NoticeSentOn = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2026, 8, 31), PublishedOn: new DateOnly(2026, 7, 27), NoticeSentOn: new DateOnly(2026, 7, 22));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UrgencyReason).NotEmpty().When(r => r.Urgent).WithMessage("Shortened periods for urgency need the reason for the urgency.");
            RuleFor(r => r.UrgencyReason).MaximumLength(2000);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/deadlines", HandleAsync)
        .Validate<Request>()
        .WithSummary("Sets the deadlines; EU procedures are checked against the minimum periods of §§ 15–18 VgV (409 `deadline-below-minimum`).")
        .WithDescription("EU procedures need the day their notice was sent (`noticeSentOn`, here or at the start; 409 `notice-sent-date-missing`): " +
            "the periods run from the day after it, and a period ending on a Saturday, Sunday or public holiday ends on the next working day.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new SetProcurementDeadlines(
                id, request.ParticipationDeadline, request.OfferDeadline, request.ElectronicSubmission, request.Urgent, request.UrgencyReason,
                context.Now, context.By, request.PublishedOn, request.NoticeSentOn), meta),
            request,
            cancellationToken);
}

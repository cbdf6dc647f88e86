using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;

namespace Roadmap.Api.Catalogue;

/// <summary>POST /catalogue/releases/{id}/end-of-support: corrects a release's end dates outside a notice, with a reason.</summary>
public static class ChangeEndOfSupport
{
    /// <param name="Reason">Why the dates change, e.g. "Vendor extended support for all customers (mail of 2025-03-04)".</param>
    /// <param name="EndOfSecuritySupport">The new end of security support: yyyy-MM-dd, "tba", or left out when not known.</param>
    /// <param name="EndOfLife">The new end of life: yyyy-MM-dd, "tba", or left out when not known.</param>
    public sealed record Request([MultiLineText] string Reason, string? EndOfSecuritySupport = null, string? EndOfLife = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Vendor extended security support by one year (letter of 15.11.2026)", "2029-12-31", "2030-06-30");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Reason).NotEmpty().WithMessage("Changing the end of support needs a reason.").MaximumLength(2000);
            RuleFor(r => r.EndOfSecuritySupport).MustBeDateOrTba();
            RuleFor(r => r.EndOfLife).MustBeDateOrTba();
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id}/end-of-support", HandleAsync)
        .Validate<Request>()
        .ProducesDecisionProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
            StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Changes a release's end of security support and end of life; both are replaced, a field left out becomes unknown.")
        .WithDescription(
            "400 without a reason. 404 `release-unknown`; 409 `end-of-support-unchanged` when the dates are the release's already, " +
            "`end-of-life-before-end-of-security-support`, `lifecycle-dates-out-of-order`. Send If-Match with the release's ETag to refuse " +
            "a concurrent change (412), and an Idempotency-Key to make retries safe.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken)
    {
        if (!CatalogueReferences.TryParseId(id, out var releaseId))
        {
            return CatalogueReferences.UnknownRelease(id);
        }

        var (endOfSecuritySupport, endOfSecuritySupportTba) = LifecycleDates.ParseEnd(request.EndOfSecuritySupport);
        var (endOfLife, endOfLifeTba) = LifecycleDates.ParseEnd(request.EndOfLife);
        return await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Release.StreamId(releaseId)),
            (context, meta) => new DecideRelease(new Roadmap.Domain.Catalogue.ChangeEndOfSupport(
                releaseId, endOfSecuritySupport, endOfLife, endOfSecuritySupportTba, endOfLifeTba, request.Reason, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

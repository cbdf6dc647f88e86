using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;

namespace Roadmap.Api.Catalogue;

/// <summary>POST /catalogue/releases/{id}/deprecations: the vendor's deprecation notice (Abkündigung) for a release.</summary>
public static class AnnounceDeprecation
{
    /// <param name="NoticeId">The vendor's identifier of the notice, e.g. "LS-2025-017"; one release records each notice once.</param>
    /// <param name="AnnouncedOn">The day the vendor announced it, yyyy-MM-dd.</param>
    /// <param name="Source">Where the notice comes from: a link or the notice text.</param>
    /// <param name="EndOfSecuritySupport">The announced end of security support: yyyy-MM-dd or "tba".</param>
    /// <param name="EndOfLife">The announced end of life: yyyy-MM-dd or "tba".</param>
    public sealed record Request(string NoticeId, string AnnouncedOn, [MultiLineText] string Source, string? EndOfSecuritySupport = null, string? EndOfLife = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("LS-EWO-2026-04", "2026-10-01", "Demo: vendor letter of 1 October 2026", "2028-12-31", "tba");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.NoticeId).NotEmpty().MaximumLength(200);
            RuleFor(r => r.AnnouncedOn).Cascade(CascadeMode.Stop).NotEmpty().MustBeDate();
            RuleFor(r => r.Source).NotEmpty().WithMessage("A deprecation notice needs its source: a link or the notice text.").MaximumLength(4000);
            RuleFor(r => r.EndOfSecuritySupport).MustBeDateOrTba();
            RuleFor(r => r.EndOfLife).MustBeDateOrTba();
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id}/deprecations", HandleAsync)
        .Validate<Request>()
        .ProducesDecisionProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
            StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Records a vendor's deprecation notice for a release; its end dates become the release's.")
        .WithDescription(
            "Every procedure that runs the release is affected. 404 `release-unknown`; 409 `notice-already-recorded` for a notice id the " +
            "release has already, `end-of-support-required` when neither end date is given, `lifecycle-dates-out-of-order`. " +
            "Send If-Match with the release's ETag to refuse a concurrent change (412), and an Idempotency-Key to make retries safe.");

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
            (context, meta) => new DecideRelease(new Roadmap.Domain.Catalogue.AnnounceDeprecation(
                releaseId, request.NoticeId, LifecycleDates.ParseDate(request.AnnouncedOn)!.Value, endOfSecuritySupport, endOfLife,
                endOfSecuritySupportTba, endOfLifeTba, request.Source, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

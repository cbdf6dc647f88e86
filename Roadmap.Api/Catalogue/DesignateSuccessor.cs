using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>POST /catalogue/releases/{id}/successor: names the release that replaces this one (an upgrade path).</summary>
public static class DesignateSuccessor
{
    /// <param name="SuccessorReleaseId">A registered release, of this product or another.</param>
    public sealed record Request(Guid SuccessorReleaseId)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(Guid.Parse("0193a1b2-0000-7000-8000-000000000002"));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.SuccessorReleaseId).NotEqual(Guid.Empty).WithMessage("Name the release that succeeds this one.");
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id}/successor", HandleAsync)
        .Validate<Request>()
        .ProducesDecisionProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
            StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Designates the successor of a release.")
        .WithDescription(
            "404 `release-unknown` when the release in the URL is not registered; 422 `release-unknown` (field `successorReleaseId`) when " +
            "the successor is not; 409 `successor-is-same-release`, `successor-unchanged`. Send If-Match with the release's ETag to refuse " +
            "a concurrent change (412), and an Idempotency-Key to make retries safe.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (!CatalogueReferences.TryParseId(id, out var releaseId) || !await CatalogueReferences.IsRegisteredReleaseAsync(store, releaseId, cancellationToken))
        {
            return CatalogueReferences.UnknownRelease(id);
        }

        if (await CatalogueReferences.RequireReleaseAsync(store, request.SuccessorReleaseId, "successorReleaseId", cancellationToken) is { } unknownSuccessor)
        {
            return unknownSuccessor;
        }

        return await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Release.StreamId(releaseId)),
            (context, meta) => new DecideRelease(new Roadmap.Domain.Catalogue.DesignateSuccessor(
                releaseId, request.SuccessorReleaseId, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Procedures;

/// <summary>POST /municipalities/{ags}/procedures: the municipality runs a release for one procedure category.</summary>
public static class IntroduceProcedure
{
    /// <param name="Category">The kind of procedure, e.g. "Einwohnermeldewesen".</param>
    /// <param name="ReleaseId">The catalogue release the municipality runs.</param>
    /// <param name="Name">The procedure as the municipality calls it, e.g. "OK.EWO Meldewesen".</param>
    /// <param name="IntroducedOn">Since when it runs, e.g. 2019-04-01.</param>
    public sealed record Request(ProcedureCategory Category, Guid ReleaseId, string Name, DateOnly IntroducedOn)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(Roadmap.Domain.Shared.ProcedureCategory.Einwohnermeldewesen, Guid.Parse("0193a1b2-0000-7000-8000-0000000000c1"), "Einwohnermeldeamt", new DateOnly(2018, 1, 1));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Category).IsInEnum();
            RuleFor(r => r.ReleaseId).NotEmpty();
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.IntroducedOn).NotEmpty();
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .Validate<Request>()
        .WithSummary("Introduces a procedure instance: the municipality runs a catalogue release for one category.")
        .WithDescription("The server chooses the procedure id (see Location). 404 `municipality-unknown`, 422 `release-unknown`. Send an Idempotency-Key to make retries safe.");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string ags, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, PostgresEventStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return ProcedureLookups.MunicipalityUnknown(ags);
        }

        if (await ProcedureLookups.RequireMunicipalityAsync(store, parsed, cancellationToken) is { } noMunicipality)
        {
            return noMunicipality;
        }

        if (await ProcedureLookups.RequireReleaseAsync(store, request.ReleaseId, "releaseId", cancellationToken) is { } noRelease)
        {
            return noRelease;
        }

        var procedureId = Guid.CreateVersion7(clock.GetUtcNow());
        return await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(ProcedureInstance.StreamId(procedureId), $"/procedures/{procedureId}", procedureId.ToString()),
            (context, meta) => new DecideProcedure(new Roadmap.Domain.Procedures.IntroduceProcedure(
                procedureId, parsed, request.Category, request.ReleaseId, request.Name, request.IntroducedOn, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

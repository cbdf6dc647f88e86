using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Procurement;

namespace Roadmap.Api.Procurements;

/// <summary>
/// POST /procurements/{id}/procedure-determination: the rules suggest a procedure; the choice must be lawful for the value
/// (§ 106 GWB, the Land's limits), and a less strict EU procedure needs a justification.
/// </summary>
public static class ProcedureDetermination
{
    /// <param name="PlannedPublicationOn">The threshold valid on this day applies (provisional when not yet published).</param>
    /// <param name="ChosenType">Omit to take the suggestion.</param>
    /// <param name="AuthorityKind">A municipality buying IT is SubCentral; another kind needs <paramref name="AuthorityKindJustification"/>.</param>
    /// <param name="AuthorityKindJustification">Why this procurement falls under another kind of contracting authority or contract.</param>
    public sealed record Request(
        DateOnly PlannedPublicationOn,
        ProcurementProcedureType? ChosenType = null,
        [MultiLineText] string? Justification = null,
        ContractingAuthorityKind AuthorityKind = ContractingAuthorityKind.SubCentral,
        [MultiLineText] string? AuthorityKindJustification = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new(new DateOnly(2027, 3, 1));
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.ChosenType).IsInEnum();
            RuleFor(r => r.AuthorityKind).IsInEnum();
            RuleFor(r => r.Justification).MaximumLength(2000);
            RuleFor(r => r.AuthorityKindJustification).MaximumLength(2000);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/procedure-determination", HandleAsync)
        .Validate<Request>()
        .WithSummary("Determines the procurement procedure against the EU threshold and the Land limits on the planned publication date.")
        .WithDescription("409 `eu-procedure-required` for a national procedure or Direktauftrag at or above the EU threshold (§ 106 GWB), " +
            "`direct-award-above-limit` / `negotiated-award-above-land-limit` beyond the Land's limits, `authority-kind-needs-justification` " +
            "for another kind than SubCentral without a justification, `override-needs-justification` when an EU procedure less strict than " +
            "the suggestion is chosen without a justification.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new DetermineProcurementProcedure(
                id, request.PlannedPublicationOn, request.ChosenType, request.Justification, context.Now, context.By, request.AuthorityKind,
                request.AuthorityKindJustification), meta),
            request,
            cancellationToken);
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;
using Roadmap.Api.Municipalities;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Procurements;

/// <summary>POST /procurements/{id}/value-estimate: one net share per participating municipality; the total decides the procedure.</summary>
public static class ValueEstimate
{
    public sealed record Share(string Ags, decimal NetValue);

    /// <param name="IncludesOptions">The value includes options and extensions; when false, the justification says why there are none.</param>
    public sealed record Request(IReadOnlyList<Share> Shares, bool IncludesOptions, [MultiLineText] string? Justification = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new([new Share("09181128", 180000m), new Share("09181132", 180000m), new Share("09181127", 180000m)], true);
    }

    /// <summary>More than a county has municipalities; the body limit bounds it too.</summary>
    public const int MaxShares = 1000;

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Shares).NotEmpty().WithMessage("Estimate a share for every participating municipality.")
                .Must(shares => shares.Count <= MaxShares).WithMessage($"At most {MaxShares} shares are accepted.")
                .Must(shares => NetAmounts.TotalWithinCeiling(shares.Select(s => s.NetValue))).WithMessage(NetAmounts.TotalAboveCeiling);
            RuleForEach(r => r.Shares).ChildRules(s =>
            {
                s.RuleFor(x => x.Ags).Must(RegisterMunicipality.BeAgs).WithMessage((_, v) => RegisterMunicipality.AgsReason(v));
                s.RuleFor(x => x.NetValue).MustBeNetAmount();
            });
            RuleFor(r => r.Justification).MaximumLength(2000);
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{id:guid}/value-estimate", HandleAsync)
        .Validate<Request>()
        .WithSummary("Estimates the total net value (including options) as the sum of the municipalities' shares.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Guid id, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken) =>
        decisions.InvokeAsync(
            http,
            bus,
            ProcurementEndpoints.Target(id),
            (context, meta) => new DecideProcurement(new EstimateProcurementValue(
                id, [.. request.Shares.Select(s => new ValueShare(Ags.Parse(s.Ags), new Money(s.NetValue)))], request.IncludesOptions,
                request.Justification, context.Now, context.By), meta),
            request,
            cancellationToken);
}

using Roadmap.Api.Access;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Municipalities;

/// <summary>POST /municipalities: a municipality (or the county itself) joins, keyed by its AGS.</summary>
public static class RegisterMunicipality
{
    /// <param name="Ags">Amtlicher Gemeindeschlüssel, 8 digits, e.g. 09181139 (Kaufering).</param>
    /// <param name="Name">The official name, e.g. "Kaufering".</param>
    /// <param name="CountyAgs">The county's AGS (ending in 000), e.g. 09181000 for Landkreis Landsberg am Lech.</param>
    /// <param name="Land">Optional: the Land's 2-digit code; the AGS names it already (09 = Bayern).</param>
    public sealed record Request(string Ags, string Name, string CountyAgs, string? Land = null)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("09181128", "Kaufering", "09181000");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Ags).Must(BeAgs).WithMessage((_, v) => AgsReason(v));
            RuleFor(r => r.CountyAgs).Must(BeAgs).WithMessage((_, v) => AgsReason(v));
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Land).Must(l => l is null || LandCode.TryParse(l, out _, out _)).WithMessage("The Land is a 2-digit code from 01 to 16, e.g. 09 for Bayern.");
        }
    }

    internal static bool BeAgs(string? value) => Ags.TryParse(value, out _, out _);

    internal static string AgsReason(string? value) => Ags.TryParse(value, out _, out var reason) ? "" : reason;

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .RequireAccess(Access.Access.Admin)
        .Validate<Request>()
        .WithSummary("Registers a municipality or the county (AGS ending in 000).")
        .WithDescription("Send an Idempotency-Key to make retries safe. 409 `municipality-already-registered` when the AGS is taken, `ags-not-in-county` when the AGS lies in another county.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken)
    {
        var ags = Ags.Parse(request.Ags);
        return decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Municipality.StreamId(ags), $"/municipalities/{ags}", ags.Value),
            (context, meta) => new DecideMunicipality(new Roadmap.Domain.Municipalities.RegisterMunicipality(
                ags, request.Name, Ags.Parse(request.CountyAgs), request.Land is null ? null : LandCode.Parse(request.Land), context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

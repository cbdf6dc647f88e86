using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Municipalities;

/// <summary>POST /municipalities/{ags}/name: a new official name (e.g. after a merger or a change of status).</summary>
public static class RenameMunicipality
{
    public sealed record Request(string Name)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Markt Kaufering");
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/{ags}/name", HandleAsync)
        .Validate<Request>()
        .WithSummary("Renames a municipality. Send If-Match with the ETag you read to refuse a concurrent change (412).");

    private static async Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        string ags, Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, CancellationToken cancellationToken)
    {
        if (!Ags.TryParse(ags, out var parsed, out var reason))
        {
            return Problems.NotFound("municipality-unknown", reason);
        }

        return await decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(Municipality.StreamId(parsed)),
            (context, meta) => new DecideMunicipality(new Roadmap.Domain.Municipalities.RenameMunicipality(parsed, request.Name, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Procedures;

/// <summary>What a procedure decision needs from other streams: the decider sees one stream only.</summary>
public static class ProcedureLookups
{
    public static async Task<ProblemHttpResult?> RequireMunicipalityAsync(PostgresEventStore store, Ags ags, CancellationToken cancellationToken)
    {
        var municipality = await store.AggregateStreamAsync(
            Municipality.StreamId(ags), Municipality.Decider.Initial, Municipality.Decider.EvolveStored, cancellationToken: cancellationToken);
        return municipality.State is RegisteredMunicipality ? null : MunicipalityUnknown(ags.Value);
    }

    /// <summary>A release named in a request body that is not registered: 422, the body refers to nothing.</summary>
    public static async Task<ProblemHttpResult?> RequireReleaseAsync(
        PostgresEventStore store, Guid releaseId, string field, CancellationToken cancellationToken)
    {
        var release = await store.AggregateStreamAsync(
            Release.StreamId(releaseId), Release.Decider.Initial, Release.Decider.EvolveStored, cancellationToken: cancellationToken);
        return release.State is RegisteredRelease
            ? null
            : Problems.Create(StatusCodes.Status422UnprocessableEntity, ViolationCodes.ReleaseUnknown, "Unknown release",
                $"No release with id {releaseId} is registered; register it in the catalogue first.",
                new Dictionary<string, object?> { ["field"] = field });
    }

    public static ProblemHttpResult MunicipalityUnknown(string ags) =>
        Problems.NotFound(ViolationCodes.MunicipalityUnknown, $"No municipality with AGS {ags} is registered.");

    public static DecisionTarget Target(Guid procedureId) => new(ProcedureInstance.StreamId(procedureId));
}

using Roadmap.Api.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Admin;

/// <summary>Operators' view of the read models: state, lag, dead letters; rebuild, stop and resume.</summary>
public static class ProjectionEndpoints
{
    public static IEndpointRouteBuilder MapProjectionAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/projections").WithTags("Admin").RequireAccess(Access.Access.Admin, Access.Access.Admin);
        group.MapGet("/", ListAsync)
            .WithSummary("Every projection with its state, checkpoint, lag and dead letters.");
        group.MapGet("/{name}", GetAsync)
            .WithSummary("One projection's status, including rebuild progress (events/s, percent, ETA).");
        group.MapPost("/{name}/rebuild", RebuildAsync)
            .WithSummary("Rebuilds an async projection from the start of the log: roadmap into side tables while the current ones keep serving, then swapped in; webhook_outbox in place, adding only missing deliveries.");
        group.MapPost("/{name}/stop", StopAsync)
            .WithSummary("Stops an async projection on whichever node runs it; it keeps its checkpoint.");
        group.MapPost("/{name}/resume", ResumeAsync)
            .WithSummary("Puts a stopped or failed projection back to work from its checkpoint.");
        return app;
    }

    /// <summary>A projection as the admin API shows it.</summary>
    public sealed record ProjectionView(string Name, string Lifecycle, ProjectionStatus? Status);

    private static async Task<Ok<IReadOnlyList<ProjectionView>>> ListAsync(
        ProjectionAdmin admin, IEnumerable<ProjectionRegistration> registrations, CancellationToken cancellationToken)
    {
        var statuses = (await admin.GetStatusAsync(cancellationToken)).ToDictionary(s => s.Name);
        IReadOnlyList<ProjectionView> views = registrations
            .Select(r => new ProjectionView(r.Projection.Name, Lifecycle(r), statuses.GetValueOrDefault(r.Projection.Name)))
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Ok<ProjectionView>, ProblemHttpResult>> GetAsync(
        string name, ProjectionAdmin admin, IEnumerable<ProjectionRegistration> registrations, CancellationToken cancellationToken)
    {
        if (Find(registrations, name) is not { } registration)
        {
            return UnknownProjection(name);
        }

        return TypedResults.Ok(new ProjectionView(name, Lifecycle(registration), await admin.GetStatusAsync(name, cancellationToken)));
    }

    private static async Task<Results<Accepted<ProjectionView>, ProblemHttpResult>> RebuildAsync(
        string name, ProjectionAdmin admin, IEnumerable<ProjectionRegistration> registrations, CancellationToken cancellationToken)
    {
        if (Find(registrations, name) is not { } registration)
        {
            return UnknownProjection(name);
        }

        if (registration.Lifecycle == ProjectionLifecycle.Inline)
        {
            return InlineProjection(name, "rebuilt");
        }

        await admin.RequestRebuildAsync(name, cancellationToken);
        return TypedResults.Accepted($"/admin/projections/{name}", new ProjectionView(name, Lifecycle(registration), await admin.GetStatusAsync(name, cancellationToken)));
    }

    private static Task<Results<Ok<ProjectionView>, ProblemHttpResult>> StopAsync(
        string name, ProjectionAdmin admin, IEnumerable<ProjectionRegistration> registrations, CancellationToken cancellationToken) =>
        ChangeStateAsync(name, registrations, admin, admin.StopAsync, "stopped", cancellationToken);

    private static Task<Results<Ok<ProjectionView>, ProblemHttpResult>> ResumeAsync(
        string name, ProjectionAdmin admin, IEnumerable<ProjectionRegistration> registrations, CancellationToken cancellationToken) =>
        ChangeStateAsync(name, registrations, admin, admin.ResumeAsync, "resumed", cancellationToken);

    private static async Task<Results<Ok<ProjectionView>, ProblemHttpResult>> ChangeStateAsync(
        string name, IEnumerable<ProjectionRegistration> registrations, ProjectionAdmin admin,
        Func<string, CancellationToken, Task<bool>> change, string verb, CancellationToken cancellationToken)
    {
        if (Find(registrations, name) is not { } registration)
        {
            return UnknownProjection(name);
        }

        if (registration.Lifecycle == ProjectionLifecycle.Inline)
        {
            return InlineProjection(name, verb);
        }

        await change(name, cancellationToken);
        return TypedResults.Ok(new ProjectionView(name, Lifecycle(registration), await admin.GetStatusAsync(name, cancellationToken)));
    }

    private static ProjectionRegistration? Find(IEnumerable<ProjectionRegistration> registrations, string name) =>
        registrations.FirstOrDefault(r => r.Projection.Name == name);

    private static string Lifecycle(ProjectionRegistration registration) =>
        registration.Lifecycle == ProjectionLifecycle.Inline ? "inline" : "async";

    private static ProblemHttpResult UnknownProjection(string name) =>
        Problems.NotFound("projection-unknown", $"There is no projection named '{name}'. GET /admin/projections lists them.");

    private static ProblemHttpResult InlineProjection(string name, string verb) =>
        Problems.Conflict("projection-inline", "Inline projection", $"'{name}' is updated inside every append's transaction and cannot be {verb} on its own.");
}

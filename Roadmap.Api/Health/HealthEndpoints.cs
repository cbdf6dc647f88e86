using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live", null, null, [])))
            .WithSummary("The process is up.");
        health.MapGet("/ready", ReadyAsync)
            .WithSummary("503 when the database does not answer or the schema is not migrated; 200 \"ready\", or 200 \"degraded\" with the problems listed when a projection failed or stalled or the webhook sender stopped looking for work.");
        return app;
    }

    /// <param name="Status">live, ready, or degraded: the node serves, but a projection or the sender needs an operator.</param>
    /// <param name="Problems">What makes it degraded, one sentence each.</param>
    public sealed record HealthStatus(string Status, string? Schema, int? SchemaVersion, IReadOnlyList<string> Problems);

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> ReadyAsync(
        NpgsqlDataSource dataSource, EventStoreOptions options, ProjectionLagMonitor lag,
        Roadmap.Api.Integrations.Webhooks.WebhookSender sender, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(
                $"select coalesce(max(version), 0) from {options.Schema}.schema_migrations where component = 'api'");
            var version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            var expected = SchemaMigrationService.ApiMigrator(dataSource, options.Schema).Migrations[^1].Version;
            if (version != expected)
            {
                return TypedResults.Problem(
                    title: "Schema not migrated",
                    detail: $"Schema '{options.Schema}' is at migration {version}, this build needs {expected}.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // The projections as the lag monitor last saw them (at most two sampling intervals ago): a balancer's and a
            // container's probes do not query them again every few seconds.
            var seen = await lag.CurrentAsync(cancellationToken);
            var failed = seen.Projections.Where(s => s.State == ProjectionState.Failed).ToList();
            var problems = failed
                .Select(f => $"Projection '{f.Name}' stopped at position {f.Checkpoint.Position}: {f.Error ?? "see /admin/projections"}.")
                .Concat((seen.Stalled ?? []).Select(name =>
                    $"Projection '{name}' is stalled: events wait and its checkpoint has not moved (see /admin/projections)."))
                .ToList();
            if (!sender.IsLooking)
            {
                problems.Add("The webhook sender on this node has not looked for due deliveries lately (see the log).");
            }

            // A read model or the sender in trouble is the same on every node: the node keeps serving (a balancer keeps it),
            // and monitoring alerts on "degraded".
            return TypedResults.Ok(new HealthStatus(problems.Count == 0 ? "ready" : "degraded", options.Schema, version, problems));
        }
        catch (NpgsqlException e)
        {
            return TypedResults.Problem(
                title: "Database unavailable",
                detail: e.Message,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

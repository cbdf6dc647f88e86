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
        health.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live", null, null)))
            .WithSummary("The process is up.");
        health.MapGet("/ready", ReadyAsync)
            .WithSummary("The database answers, the schema is migrated and no projection is stopped by an event it cannot read or apply.");
        return app;
    }

    public sealed record HealthStatus(string Status, string? Schema, int? SchemaVersion);

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> ReadyAsync(
        NpgsqlDataSource dataSource, EventStoreOptions options, ProjectionAdmin projections, CancellationToken cancellationToken)
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

            var failed = (await projections.GetStatusAsync(cancellationToken)).Where(s => s.State == ProjectionState.Failed).ToList();
            return failed.Count == 0
                ? TypedResults.Ok(new HealthStatus("ready", options.Schema, version))
                : TypedResults.Problem(
                    title: "Projection stopped",
                    detail: string.Join(" ", failed.Select(f => $"Projection '{f.Name}' stopped at position {f.Checkpoint.Position}: {f.Error ?? "see /admin/projections"}.")),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
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

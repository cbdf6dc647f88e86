using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.EventStore;
using Roadmap.EventStore.Schema;

namespace Roadmap.Api.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live", null, null)))
            .WithSummary("The process is up.");
        health.MapGet("/ready", ReadyAsync)
            .WithSummary("The database answers and the schema is migrated.");
        return app;
    }

    public sealed record HealthStatus(string Status, string? Schema, int? SchemaVersion);

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> ReadyAsync(
        NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(
                $"select coalesce(max(version), 0) from {options.Schema}.schema_migrations where component = 'event_store'");
            var version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            var expected = SchemaMigrator.EmbeddedMigrations[^1].Version;
            return version == expected
                ? TypedResults.Ok(new HealthStatus("ready", options.Schema, version))
                : TypedResults.Problem(
                    title: "Schema not migrated",
                    detail: $"Schema '{options.Schema}' is at migration {version}, this build needs {expected}.",
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

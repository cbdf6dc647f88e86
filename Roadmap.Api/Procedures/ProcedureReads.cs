using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Procedures;

/// <summary>GET /municipalities/{ags}/procedures, /procedures/{id} and its audit trail.</summary>
public static class ProcedureReads
{
    /// <summary>A row of the procedure index. State: introduced, planned, scheduled, cut-over or retired.</summary>
    public sealed record ProcedureSummary(
        Guid ProcedureId, string Ags, string Category, Guid ReleaseId, string Name, string State, string? Strategy, DateOnly? TargetGoLive,
        DateOnly? CutOverOn, Guid? CaseId, DateOnly? ExtendedSupportUntil, DateOnly? RiskAcceptedUntil, long Version);

    /// <summary>One procedure, its <see cref="ProcedureLifecycle"/> folded from its stream.</summary>
    public sealed record ProcedureView(
        Guid ProcedureId, string Ags, ProcedureCategory Category, Guid ReleaseId, string Name, string State, DateOnly IntroducedOn,
        DateOnly? ExtendedSupportUntil, DateOnly? RiskAcceptedUntil, string? RiskAcceptedBy, ReplacementStrategy? Strategy, DateOnly? TargetGoLive,
        Guid? TargetReleaseId, Guid? ProcurementCaseId, DateOnly? ScheduledCutOverOn, DateOnly? CutOverOn, DateOnly? RetiredOn, long Version);

    public static void MapList(RouteGroupBuilder group) =>
        group.MapGet("/", ListAsync).WithSummary("The procedures of a municipality with where each stands, from the procedure index.");

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One procedure; the ETag is its stream version.");
        group.MapGet("/{id:guid}/history", HistoryAsync).WithSummary("Every event of the procedure with who, when and correlation: the audit trail.");
    }

    private static async Task<Results<Ok<IReadOnlyList<ProcedureSummary>>, ProblemHttpResult>> ListAsync(
        string ags, PostgresEventStore store, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return ProcedureLookups.MunicipalityUnknown(ags);
        }

        if (await ProcedureLookups.RequireMunicipalityAsync(store, parsed, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        await using var command = dataSource.CreateCommand(
            $"""
            select procedure_id, ags, category, release_id, name, state, strategy, target_go_live, cut_over_on, case_id,
              extended_support_until, risk_accepted_until, version
            from {options.Schema}.procedure_index where ags = $1 order by category, name, procedure_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = parsed.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var views = new List<ProcedureSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new ProcedureSummary(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), DateOrNull(reader, 7), DateOrNull(reader, 8),
                reader.IsDBNull(9) ? null : reader.GetGuid(9), DateOrNull(reader, 10), DateOrNull(reader, 11), reader.GetInt64(12)));
        }

        return TypedResults.Ok<IReadOnlyList<ProcedureSummary>>(views);
    }

    private static DateOnly? DateOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);

    private static async Task<Results<Ok<ProcedureView>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamAsync(ProcedureInstance.StreamId(id), cancellationToken: cancellationToken);
        if (ProcedureLifecycle.Fold(events.Select(e => e.Data).OfType<IProcedureEvent>()) is not { } lifecycle)
        {
            return Unknown(id);
        }

        HttpVersioning.SetETag(http, events[^1].Version);
        return TypedResults.Ok(View(lifecycle, events[^1].Version));
    }

    private static Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        Guid id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken) =>
        StreamReads.HistoryAsync(http, store, ProcedureInstance.StreamId(id), ViolationCodes.ProcedureUnknown,
            $"No procedure with id {id} has been introduced.", cancellationToken);

    private static ProcedureView View(ProcedureLifecycle l, long version) => new(
        l.ProcedureId, l.Ags.Value, l.Category, l.ReleaseId, l.Name, l.State, l.IntroducedOn, l.ExtendedSupportUntil, l.Risk?.Until, l.Risk?.AcceptedBy,
        l.Plan?.Strategy, l.Plan?.TargetGoLive, l.Plan?.TargetReleaseId, l.CaseId, l.Schedule?.CutOverOn, l.CutOverCompletedOn, l.RetiredOn, version);

    private static ProblemHttpResult Unknown(Guid id) => Problems.NotFound(ViolationCodes.ProcedureUnknown, $"No procedure with id {id} has been introduced.");
}

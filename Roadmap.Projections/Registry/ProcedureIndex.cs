using Npgsql;
using NpgsqlTypes;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.EventStore.Projections;

namespace Roadmap.Projections.Registry;

/// <summary>
/// The procedures of each municipality with where they stand (introduced, planned, scheduled, cut-over, retired):
/// an inline projection, current when the append returns. Each row is evolved with <see cref="ProcedureLifecycle"/>, the
/// fold the decider and the procedure view use too. A single procedure is read by folding its stream.
/// </summary>
public sealed class ProcedureIndex : Projection
{
    public override string Name => "procedure_index";

    public override IReadOnlyList<string> Tables => ["procedure_index"];

    public override string TablesSql =>
        """
        create table if not exists __schema__.procedure_index (
          procedure_id uuid primary key, ags text not null, category text not null, release_id uuid not null, name text not null,
          state text not null, strategy text, target_go_live date, cut_over_on date, case_id uuid,
          extended_support_until date, risk_accepted_until date, version bigint not null);
        create index if not exists procedure_index_ags on __schema__.procedure_index (ags);
        """;

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Events.Where(r => r.Data is IProcedureEvent).ToList();
        if (events.Count == 0)
        {
            return;
        }

        var table = batch.Table("procedure_index");
        var rows = await ReadAsync(batch, table, events.Select(r => ((IProcedureEvent)r.Data).ProcedureId).Distinct().ToArray(), cancellationToken);
        var changed = new Dictionary<Guid, long>();
        foreach (var recorded in events)
        {
            var @event = (IProcedureEvent)recorded.Data;
            if (ProcedureLifecycle.Apply(rows.GetValueOrDefault(@event.ProcedureId), @event) is { } after)
            {
                rows[@event.ProcedureId] = after;
                changed[@event.ProcedureId] = recorded.Version;
            }
        }

        foreach (var (procedureId, version) in changed)
        {
            Upsert(batch, table, rows[procedureId], version);
        }
    }

    /// <summary>
    /// Each procedure's lifecycle as far as its row shows it, locked for the append. What the row does not keep is left
    /// empty or at the default day: who accepted a risk and why, the target release, the parallel run, the introduction
    /// day and the retirement day (a retired row reads as retired on <see cref="DateOnly.MinValue"/>). No column depends on
    /// them. The cut-over column is the scheduled cut-over while a plan is open, else the completed one.
    /// </summary>
    private static async Task<Dictionary<Guid, ProcedureLifecycle>> ReadAsync(
        ProjectionBatch batch, string table, Guid[] procedureIds, CancellationToken cancellationToken)
    {
        await using var command = await batch.QueryAsync(
            $"""
            select procedure_id, ags, category, release_id, name, state, strategy, target_go_live, cut_over_on, case_id,
              extended_support_until, risk_accepted_until
            from {table} where procedure_id = any($1) for update
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter { Value = procedureIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        var rows = new Dictionary<Guid, ProcedureLifecycle>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var plan = reader.IsDBNull(6)
                ? null
                : new ReplacementPlan(Enum.Parse<ReplacementStrategy>(reader.GetString(6)), reader.GetFieldValue<DateOnly>(7), null);
            var cutOverOn = DateOrNull(reader, 8);
            var riskUntil = DateOrNull(reader, 11);
            rows[reader.GetGuid(0)] = new ProcedureLifecycle(
                reader.GetGuid(0), Ags.Parse(reader.GetString(1)), Enum.Parse<ProcedureCategory>(reader.GetString(2)), reader.GetGuid(3),
                reader.GetString(4), IntroducedOn: default, ExtendedSupportUntil: DateOrNull(reader, 10),
                Risk: riskUntil is { } until ? new RiskAcceptance("", until, "") : null,
                Plan: plan,
                CaseId: reader.IsDBNull(9) ? null : reader.GetGuid(9),
                Schedule: plan is not null && cutOverOn is { } scheduled ? new CutOverSchedule(scheduled, null, null) : null,
                CutOverCompletedOn: plan is null ? cutOverOn : null,
                RetiredOn: reader.GetString(5) == "retired" ? DateOnly.MinValue : null);
        }

        return rows;
    }

    /// <summary>
    /// The row of a lifecycle. Its cut-over is the scheduled one, else the completed one unless a new plan has been made
    /// since (a new plan voids the schedule and has no cut-over yet).
    /// </summary>
    private static NpgsqlBatchCommand Upsert(ProjectionBatch batch, string table, ProcedureLifecycle l, long version) => batch.Write(
        $"""
        insert into {table} (procedure_id, ags, category, release_id, name, state, strategy, target_go_live, cut_over_on, case_id,
          extended_support_until, risk_accepted_until, version)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        on conflict (procedure_id) do update set ags = excluded.ags, category = excluded.category, release_id = excluded.release_id,
          name = excluded.name, state = excluded.state, strategy = excluded.strategy, target_go_live = excluded.target_go_live,
          cut_over_on = excluded.cut_over_on, case_id = excluded.case_id, extended_support_until = excluded.extended_support_until,
          risk_accepted_until = excluded.risk_accepted_until, version = excluded.version
        """,
        l.ProcedureId, l.Ags.Value, l.Category.ToString(), l.ReleaseId, l.Name, l.State, l.Plan?.Strategy.ToString(), l.Plan?.TargetGoLive,
        l.Schedule?.CutOverOn ?? (l.Plan is null ? l.CutOverCompletedOn : null), l.CaseId, l.ExtendedSupportUntil, l.Risk?.Until, version);

    private static DateOnly? DateOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);
}

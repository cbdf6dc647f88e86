using Npgsql;
using Roadmap.Domain.Procedures;
using Roadmap.EventStore.Projections;

namespace Roadmap.Projections.Registry;

/// <summary>
/// The procedures of each municipality with where they stand (introduced, planned, scheduled, cut-over, retired):
/// an inline projection, current when the append returns. A single procedure is read by folding its stream.
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

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var table = batch.Table("procedure_index");
        foreach (var recorded in batch.Events)
        {
            _ = recorded.Data switch
            {
                ProcedureIntroduced e => batch.Write(
                    $"""
                    insert into {table} (procedure_id, ags, category, release_id, name, state, version)
                    values ($1, $2, $3, $4, $5, 'introduced', $6)
                    """,
                    e.ProcedureId, e.Ags.Value, e.Category.ToString(), e.ReleaseId, e.Name, recorded.Version),
                ExtendedSupportPurchased e => batch.Write(
                    $"update {table} set extended_support_until = $2, version = $3 where procedure_id = $1", e.ProcedureId, e.Until, recorded.Version),
                RiskAccepted e => batch.Write(
                    $"update {table} set risk_accepted_until = $2, version = $3 where procedure_id = $1", e.ProcedureId, e.Until, recorded.Version),
                // A new plan voids the schedule made for the old one, as in the decider.
                ReplacementPlanned e => batch.Write(
                    $"""
                    update {table} set state = 'planned', strategy = $2, target_go_live = $3, cut_over_on = null, version = $4
                    where procedure_id = $1
                    """,
                    e.ProcedureId, e.Strategy.ToString(), e.TargetGoLive, recorded.Version),
                ProcedureAssignedToProcurement e => batch.Write(
                    $"update {table} set case_id = $2, version = $3 where procedure_id = $1", e.ProcedureId, e.CaseId, recorded.Version),
                ReplacementScheduled e => batch.Write(
                    $"update {table} set state = 'scheduled', cut_over_on = $2, version = $3 where procedure_id = $1",
                    e.ProcedureId, e.CutOverOn, recorded.Version),
                // On the new release, support and risk bought or accepted for the old one no longer apply.
                CutOverCompleted e => batch.Write(
                    $"""
                    update {table} set state = 'cut-over', cut_over_on = $2, release_id = $3, strategy = null, target_go_live = null, case_id = null,
                      extended_support_until = case when release_id = $3 then extended_support_until end,
                      risk_accepted_until = case when release_id = $3 then risk_accepted_until end,
                      version = $4
                    where procedure_id = $1
                    """,
                    e.ProcedureId, e.CompletedOn, e.ReleaseId, recorded.Version),
                ProcedureRetired e => batch.Write(
                    $"update {table} set state = 'retired', version = $2 where procedure_id = $1", e.ProcedureId, recorded.Version),
                _ => null,
            };
        }

        return Task.CompletedTask;
    }
}

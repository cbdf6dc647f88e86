using Npgsql;
using NpgsqlTypes;
using Roadmap.Domain.Procurements;
using Roadmap.EventStore.Projections;

namespace Roadmap.Projections.Registry;

/// <summary>
/// The list of procurement cases (GET /procurements, filtered by a participating municipality): an inline
/// projection, current when the append returns. The case itself is read by folding its stream.
/// </summary>
public sealed class ProcurementIndex : Projection
{
    public override string Name => "procurement_index";

    public override IReadOnlyList<string> Tables => ["procurement_index"];

    public override string TablesSql =>
        """
        create table if not exists __schema__.procurement_index (
          case_id uuid primary key, title text not null, category text not null, lead_ags text not null,
          participant_ags text[] not null, total_net_value numeric, procedure_type text, state text not null,
          started_on date, awarded_on date, cancelled_on date, version bigint not null);
        create index if not exists procurement_index_participants on __schema__.procurement_index using gin (participant_ags);
        """;

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var table = batch.Table("procurement_index");
        foreach (var recorded in batch.Events)
        {
            _ = recorded.Data switch
            {
                ProcurementCaseOpened e => Opened(batch, table, e, recorded.Version),
                // A new estimate clears the procedure: it has to be determined again (as the decider's state does).
                ProcurementValueEstimated e => batch.Write(
                    $"update {table} set total_net_value = $2, procedure_type = null, version = $3 where case_id = $1",
                    e.CaseId, e.TotalNetValue.Euros, recorded.Version),
                ProcurementProcedureDetermined e => batch.Write(
                    $"update {table} set procedure_type = $2, version = $3 where case_id = $1", e.CaseId, e.ChosenType.ToString(), recorded.Version),
                ProcurementStarted e => batch.Write(
                    $"update {table} set state = 'started', procedure_type = $2, started_on = $3, version = $4 where case_id = $1",
                    e.CaseId, e.ProcedureType.ToString(), e.StartedOn, recorded.Version),
                ProcurementAwarded e => batch.Write(
                    $"update {table} set state = 'awarded', awarded_on = $2, version = $3 where case_id = $1", e.CaseId, e.AwardedOn, recorded.Version),
                ProcurementCancelled e => batch.Write(
                    $"update {table} set state = 'cancelled', cancelled_on = $2, version = $3 where case_id = $1", e.CaseId, e.CancelledOn, recorded.Version),
                IProcurementEvent e => batch.Write($"update {table} set version = $2 where case_id = $1", e.CaseId, recorded.Version),
                _ => null,
            };
        }

        return Task.CompletedTask;
    }

    private static NpgsqlBatchCommand Opened(ProjectionBatch batch, string table, ProcurementCaseOpened e, long version)
    {
        return batch.Write(
            $"""
            insert into {table} (case_id, title, category, lead_ags, participant_ags, state, version)
            values ($1, $2, $3, $4, $5, 'open', $6)
            """,
            e.CaseId, e.Title, e.Category.ToString(), e.LeadAgs.Value,
            new NpgsqlParameter { Value = e.Participants.Select(p => p.Ags.Value).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            version);
    }
}

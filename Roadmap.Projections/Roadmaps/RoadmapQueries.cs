using Marten;
using Npgsql;
using NpgsqlTypes;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Projections.Roadmaps;

/// <summary>
/// The roadmap queries. Live answers load the fact documents of <see cref="RoadmapProjection"/> that a view needs;
/// answers as of an earlier day fold the events recorded up to the end of that day (Europe/Berlin) into a fresh
/// <see cref="RoadmapFacts"/>. Both are computed by the same <see cref="RoadmapCalculator"/>.
/// </summary>
public sealed class RoadmapQueries(NpgsqlDataSource dataSource, PostgresEventStore store, ProcurementRuleSet rules) : IRoadmapQueries
{
    /// <summary>The kind of the row of <see cref="_liveSql"/> that carries the version instead of a document.</summary>
    private const int VersionRow = -1;

    private readonly RoadmapCalculator _calculator = new(rules);
    private readonly string _schema = store.Options.Schema;

    /// <summary>
    /// The live roadmap's documents as (kind, doc, version) rows, kind a <see cref="FactKind"/>, and one row of kind
    /// <see cref="VersionRow"/> with the version (null when none is recorded). The cases it takes part in through the GIN
    /// index on participant_ags (an "or" with the procedures' cases would scan every case), then those of its procedures
    /// it does not take part in, each case once.
    /// </summary>
    private readonly string _liveSql =
        $"""
        with p as materialized (select release_id, case_id, doc from {store.Options.Schema}.roadmap_procedures where ags = $1),
             r as materialized (select doc from {store.Options.Schema}.roadmap_releases where release_id in (select release_id from p)),
             d as materialized (select doc from {store.Options.Schema}.roadmap_products where product_id in (select (doc->>'productId')::uuid from r))
        select {VersionRow}, null::jsonb, (select version from {store.Options.Schema}.roadmap_municipality_versions where ags = $1)
        union all
        select {(int)FactKind.Municipality}, doc, null from {store.Options.Schema}.roadmap_municipalities where ags = $1
        union all
        select {(int)FactKind.Procedure}, doc, null from p
        union all
        select {(int)FactKind.Case}, doc, null from {store.Options.Schema}.roadmap_cases where participant_ags @> array[$1]
        union all
        select {(int)FactKind.Case}, doc, null from {store.Options.Schema}.roadmap_cases
         where case_id = any(array(select case_id from p where case_id is not null)) and not participant_ags @> array[$1]
        union all
        select {(int)FactKind.Release}, doc, null from r
        union all
        select {(int)FactKind.Product}, doc, null from d
        union all
        select {(int)FactKind.Vendor}, doc, null from {store.Options.Schema}.roadmap_vendors where vendor_id in (select (doc->>'vendorId')::uuid from d)
        """;

    public async Task<MunicipalityRoadmap?> GetRoadmapAsync(Ags ags, DateOnly today, DateOnly? asOf, CancellationToken cancellationToken) =>
        asOf is { } day
            ? _calculator.Roadmap(await FoldAsOfAsync(day, [ags.Value], cancellationToken), ags.Value, today, asOf)
            : (await GetLiveRoadmapAsync(ags, today, cancellationToken)).Roadmap;

    /// <summary>
    /// The version of the municipality's live roadmap (see <see cref="RoadmapProjection"/>): one primary-key lookup.
    /// Null when the projection has not seen the municipality (nor anything of it).
    /// </summary>
    public async Task<long?> GetRoadmapVersionAsync(Ags ags, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select version from {_schema}.roadmap_municipality_versions where ags = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = ags.Value });
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : null;
    }

    /// <summary>
    /// The live roadmap and the version it was computed from, read in one snapshot (repeatable read), so the answer is
    /// exactly the one of that version: what a cache may store under it.
    /// </summary>
    public async Task<VersionedRoadmap> GetLiveRoadmapAsync(Ags ags, DateOnly today, CancellationToken cancellationToken)
    {
        var (facts, version) = await LoadLiveFactsAsync(ags, cancellationToken);
        return new VersionedRoadmap(_calculator.Roadmap(facts, ags.Value, today, null), version);
    }

    /// <summary>
    /// The fact documents of the municipality's live roadmap and the version of the municipality they are of: its
    /// municipality document, its procedures, every case it takes part in or one of its procedures is assigned to, the
    /// releases of its procedures and their products and vendors. One statement, so one round trip and one snapshot:
    /// the documents are exactly those of the version (public for the read benchmark's cold-path profile).
    /// </summary>
    public async Task<(RoadmapFacts Facts, long? Version)> LoadLiveFactsAsync(Ags ags, CancellationToken cancellationToken)
    {
        var facts = new RoadmapFacts();
        long? version = null;
        await using var command = dataSource.CreateCommand(_liveSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ags.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = reader.GetInt32(0);
            if (kind == VersionRow)
            {
                version = reader.IsDBNull(2) ? null : reader.GetInt64(2);
                continue;
            }

            RoadmapDocuments.Add(facts, (FactKind)kind, reader.GetFieldValue<byte[]>(1));
        }

        return (facts, version);
    }

    public async Task<RiskBoard> GetRiskBoardAsync(Ags countyAgs, DateOnly today, DateOnly? asOf, CancellationToken cancellationToken)
    {
        var facts = asOf is { } day
            ? await FoldCountyAsOfAsync(day, countyAgs, cancellationToken)
            : await LoadAsync($"select doc from {_schema}.roadmap_municipalities where county_ags = $1", countyAgs.Value,
                $"""
                select p.doc from {_schema}.roadmap_procedures p
                  join {_schema}.roadmap_municipalities m on m.ags = p.ags where m.county_ags = $1
                """, cancellationToken);
        return _calculator.RiskBoard(facts, countyAgs.Value, today, asOf);
    }

    public async Task<ProcurementTimeline?> GetProcurementTimelineAsync(Guid caseId, DateOnly today, CancellationToken cancellationToken)
    {
        var facts = await LoadCasesAsync($"select doc from {_schema}.roadmap_cases where case_id = $1", caseId, cancellationToken);
        return _calculator.Timeline(facts, caseId, today);
    }

    public async Task<IReadOnlyList<ProcurementTimeline>> GetMunicipalityTimelinesAsync(Ags ags, DateOnly today, CancellationToken cancellationToken)
    {
        var facts = await LoadCasesAsync($"select doc from {_schema}.roadmap_cases where participant_ags @> array[$1]", ags.Value, cancellationToken);
        return _calculator.Timelines(facts, ags.Value, today);
    }

    public async Task<IReadOnlyList<SplittingWarning>> GetSplittingWarningsAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var facts = new RoadmapFacts();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReadAsync(connection,
            $"""
            select o.doc from {_schema}.roadmap_cases c
              join {_schema}.roadmap_cases o on o.participant_ags && c.participant_ags
             where c.case_id = $1
            """, FactKind.Case, facts, cancellationToken, new NpgsqlParameter { Value = caseId });
        if (!facts.Cases.TryGetValue(caseId, out var @case))
        {
            return [];
        }

        return
        [
            .. @case.Participants.Select(p => p.Ags).Distinct()
                .SelectMany(ags => _calculator.SplittingWarnings(facts, ags))
                .Where(w => w.Cases.Any(x => x.CaseId == caseId)),
        ];
    }

    /// <summary>The municipalities and procedures a query selects, and the releases, products, vendors and cases they refer to.</summary>
    private async Task<RoadmapFacts> LoadAsync(string municipalitiesSql, string key, string proceduresSql, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LoadAsync(connection, municipalitiesSql, key, proceduresSql, cancellationToken);
    }

    private async Task<RoadmapFacts> LoadAsync(
        NpgsqlConnection connection, string municipalitiesSql, string key, string proceduresSql, CancellationToken cancellationToken)
    {
        var facts = new RoadmapFacts();
        await ReadAsync(connection, municipalitiesSql, FactKind.Municipality, facts, cancellationToken, new NpgsqlParameter { Value = key });
        await ReadAsync(connection, proceduresSql, FactKind.Procedure, facts, cancellationToken, new NpgsqlParameter { Value = key });
        await ReadReferencesAsync(connection, facts, cancellationToken);
        return facts;
    }

    /// <summary>Cases, their participating procedures and what those refer to.</summary>
    private async Task<RoadmapFacts> LoadCasesAsync(string casesSql, object key, CancellationToken cancellationToken)
    {
        var facts = new RoadmapFacts();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReadAsync(connection, casesSql, FactKind.Case, facts, cancellationToken, new NpgsqlParameter { Value = key });
        var procedureIds = facts.Cases.Values.SelectMany(c => c.Participants).Select(p => p.ProcedureId).ToList();
        await ReadAsync(connection, $"select doc from {_schema}.roadmap_procedures where procedure_id = any($1)", FactKind.Procedure, facts,
            cancellationToken, RoadmapDocuments.GuidsParameter(procedureIds));
        await ReadReferencesAsync(connection, facts, cancellationToken);
        return facts;
    }

    private async Task ReadReferencesAsync(NpgsqlConnection connection, RoadmapFacts facts, CancellationToken cancellationToken)
    {
        var caseIds = facts.Procedures.Values.Select(p => p.CaseId).OfType<Guid>().Where(id => !facts.Cases.ContainsKey(id)).ToList();
        if (caseIds.Count > 0)
        {
            await ReadAsync(connection, $"select doc from {_schema}.roadmap_cases where case_id = any($1)", FactKind.Case, facts, cancellationToken,
                RoadmapDocuments.GuidsParameter(caseIds));
        }

        await ReadAsync(connection, $"select doc from {_schema}.roadmap_releases where release_id = any($1)", FactKind.Release, facts,
            cancellationToken, RoadmapDocuments.GuidsParameter(facts.Procedures.Values.Select(p => p.ReleaseId)));
        await ReadAsync(connection, $"select doc from {_schema}.roadmap_products where product_id = any($1)", FactKind.Product, facts,
            cancellationToken, RoadmapDocuments.GuidsParameter(facts.Releases.Values.Select(r => r.ProductId)));
        await ReadAsync(connection, $"select doc from {_schema}.roadmap_vendors where vendor_id = any($1)", FactKind.Vendor, facts,
            cancellationToken, RoadmapDocuments.GuidsParameter(facts.Products.Values.Select(p => p.VendorId)));
    }

    private static async Task ReadAsync(
        NpgsqlConnection connection, string sql, FactKind kind, RoadmapFacts facts, CancellationToken cancellationToken, NpgsqlParameter parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(parameter);
        await RoadmapDocuments.ReadIntoAsync(command, kind, facts, cancellationToken);
    }

    /// <summary>
    /// What was known of the municipalities <paramref name="agsList"/> at the end of <paramref name="asOf"/> in Germany: their
    /// own streams (municipality, procedures, the cases they take part in) and the releases, products and vendors those
    /// refer to, each folded from the events recorded before the next midnight in Europe/Berlin. Every fact document is
    /// the fold of one stream, so only the streams the answer shows are read, not the whole log (issue 11: an as-of
    /// request used to deserialize every event of every municipality). Which procedures and cases belong to a
    /// municipality comes from the inline indexes (current when an append returns) and the roadmap's own documents
    /// (what the live answer shows, also where events were loaded without inline projections, as the benchmark does);
    /// a procedure never changes its municipality and a case never its participants, so today's membership is that day's.
    /// </summary>
    private async Task<RoadmapFacts> FoldAsOfAsync(DateOnly asOf, IReadOnlyList<string> agsList, CancellationToken cancellationToken)
    {
        var before = CalendarDay.StartOf(asOf.AddDays(1)).UtcDateTime;
        var facts = new RoadmapFacts();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var own = new List<string>(agsList.Select(ags => $"{Municipality.StreamIdPrefix}{ags}"));
        await using (var command = new NpgsqlCommand(
            $"""
            select $2 || procedure_id from {_schema}.procedure_index where ags = any($1)
            union
            select $2 || procedure_id from {_schema}.roadmap_procedures where ags = any($1)
            union
            select $3 || case_id from {_schema}.procurement_index where participant_ags && $1
            union
            select $3 || case_id from {_schema}.roadmap_cases where participant_ags && $1
            """, connection))
        {
            // The prefixes of ProcedureInstance.StreamId and ProcurementCase.StreamId (a uuid's text is the same "D" format).
            command.Parameters.Add(new NpgsqlParameter { Value = agsList.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = ProcedureInstance.StreamIdPrefix });
            command.Parameters.Add(new NpgsqlParameter { Value = ProcurementCase.StreamIdPrefix });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                own.Add(reader.GetString(0));
            }
        }

        await FoldStreamsAsync(connection, own, before, facts, cancellationToken);
        // What the procedures refer to, as the live answer loads it: their releases, those releases' products and vendors.
        await FoldStreamsAsync(connection, [.. facts.Procedures.Values.Select(p => Release.StreamId(p.ReleaseId)).Distinct()], before, facts, cancellationToken);
        await FoldStreamsAsync(connection, [.. facts.Releases.Values.Select(r => Product.StreamId(r.ProductId)).Distinct()], before, facts, cancellationToken);
        await FoldStreamsAsync(connection, [.. facts.Products.Values.Select(p => Vendor.StreamId(p.VendorId)).Distinct()], before, facts, cancellationToken);
        return facts;
    }

    /// <summary>The county's municipalities as registered by the end of <paramref name="asOf"/>, then <see cref="FoldAsOfAsync(DateOnly, IReadOnlyList{string}, CancellationToken)"/> for them.</summary>
    private async Task<RoadmapFacts> FoldCountyAsOfAsync(DateOnly asOf, Ags countyAgs, CancellationToken cancellationToken)
    {
        // Municipality streams are one or two events each: fold them all and keep the county's.
        var before = CalendarDay.StartOf(asOf.AddDays(1)).UtcDateTime;
        var municipalities = new RoadmapFacts();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var streams = new List<string>();
            await using (var command = new NpgsqlCommand($"select id from {_schema}.mt_streams where id like $1", connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = $"{Municipality.StreamIdPrefix}%" }); // Municipality.StreamId's form
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    streams.Add(reader.GetString(0));
                }
            }

            await FoldStreamsAsync(connection, streams, before, municipalities, cancellationToken);
        }

        var ags = municipalities.Municipalities.Values.Where(m => m.CountyAgs == countyAgs.Value).Select(m => m.Ags).ToList();
        return await FoldAsOfAsync(asOf, ags, cancellationToken);
    }

    /// <summary>Folds the events of <paramref name="streamIds"/> recorded before <paramref name="before"/> into <paramref name="facts"/>, each stream in order.</summary>
    private async Task FoldStreamsAsync(
        NpgsqlConnection connection, IReadOnlyList<string> streamIds, DateTime before, RoadmapFacts facts, CancellationToken cancellationToken)
    {
        if (streamIds.Count == 0)
        {
            return;
        }

        var names = RoadmapFacts.EventTypes.Select(store.Options.Types.NameOf).Distinct().ToArray();
        var streams = streamIds.ToArray();
        var end = new DateTimeOffset(DateTime.SpecifyKind(before, DateTimeKind.Utc));
        await using var session = store.Marten.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => streams.Contains(e.StreamKey!) && e.Timestamp < end && names.Contains(e.EventTypeName))
            .OrderBy(e => e.StreamKey).ThenBy(e => e.Version)
            .ToListAsync(cancellationToken);
        foreach (var e in events)
        {
            facts.Apply(e.Data);
        }
    }
}

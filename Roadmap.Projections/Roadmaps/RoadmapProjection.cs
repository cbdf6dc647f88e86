using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore.Projections;

namespace Roadmap.Projections.Roadmaps;

/// <summary>
/// The fact documents behind the roadmap, the risk board and the procurement timelines: an async projection with one
/// jsonb table per kind of document. Each batch loads the documents it touches once, folds the batch with
/// <see cref="RoadmapFacts"/> and writes what changed in one round trip. Dates that depend on "today" are computed
/// when queried (<see cref="RoadmapQueries"/>), so the stored documents never depend on the clock.
/// <para>
/// <c>roadmap_municipality_versions</c> says, per municipality, when its roadmap's inputs last changed: the log position
/// of the last event of the batch that changed its municipality document, one of its procedures, the release, product or
/// vendor of one of its procedures, or a procurement case one of its procedures is assigned to (or it takes part in).
/// It is written in the batch's transaction, so a reader that sees a version sees the documents of that version.
/// A log position rather than a counter: the same version always means the same documents, also across a rebuild that
/// cuts the log into other batches, so a cache keyed by it (<c>CachedRoadmapQueries</c>) can never serve an old answer.
/// </para>
/// </summary>
public sealed class RoadmapProjection : Projection
{
    public const string ProjectionName = "roadmap";

    public override string Name => ProjectionName;

    public override IReadOnlyList<string> Tables =>
        [
            "roadmap_procedures", "roadmap_releases", "roadmap_products", "roadmap_vendors", "roadmap_cases", "roadmap_municipalities",
            "roadmap_municipality_versions",
        ];

    public override string TablesSql =>
        """
        create table if not exists __schema__.roadmap_procedures (
          procedure_id uuid primary key, ags text not null, release_id uuid not null, case_id uuid, doc jsonb not null);
        create index if not exists roadmap_procedures_ags on __schema__.roadmap_procedures (ags);
        create index if not exists roadmap_procedures_release on __schema__.roadmap_procedures (release_id);
        create index if not exists roadmap_procedures_case on __schema__.roadmap_procedures (case_id) where case_id is not null;
        create table if not exists __schema__.roadmap_releases (release_id uuid primary key, doc jsonb not null);
        create table if not exists __schema__.roadmap_products (product_id uuid primary key, doc jsonb not null);
        create table if not exists __schema__.roadmap_vendors (vendor_id uuid primary key, doc jsonb not null);
        create table if not exists __schema__.roadmap_cases (case_id uuid primary key, participant_ags text[] not null, doc jsonb not null);
        create index if not exists roadmap_cases_participants on __schema__.roadmap_cases using gin (participant_ags);
        create table if not exists __schema__.roadmap_municipalities (ags text primary key, county_ags text not null, doc jsonb not null);
        create index if not exists roadmap_municipalities_county on __schema__.roadmap_municipalities (county_ags);
        create table if not exists __schema__.roadmap_municipality_versions (ags text primary key, version bigint not null);
        -- Read models from before the versions existed: version 0 stands for the documents as they are now (every later
        -- change sets a log position, which is never 0). Once every municipality has a row this inserts nothing.
        insert into __schema__.roadmap_municipality_versions (ags, version)
        select ags, 0 from __schema__.roadmap_municipalities order by ags on conflict (ags) do nothing;
        """;

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var touched = batch.Events
            .Select(e => RoadmapFacts.DocumentOf(e.Data))
            .OfType<(FactKind Kind, string Key)>()
            .ToHashSet();
        if (touched.Count == 0)
        {
            return;
        }

        var facts = new RoadmapFacts();
        foreach (var kind in touched.Select(t => t.Kind).Distinct())
        {
            var keys = touched.Where(t => t.Kind == kind).Select(t => t.Key).ToArray();
            await using var command = await batch.QueryAsync(RoadmapDocuments.SelectByKeys(batch.Schema, kind), cancellationToken);
            command.Parameters.Add(RoadmapDocuments.KeysParameter(kind, keys));
            await RoadmapDocuments.ReadIntoAsync(command, kind, facts, cancellationToken);
        }

        facts.Changed.Clear();
        foreach (var recorded in batch.Events)
        {
            facts.Apply(recorded.Data);
        }

        if (facts.Changed.Count == 0)
        {
            return;
        }

        foreach (var (kind, key) in facts.Changed.OrderBy(c => c.Kind).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            batch.Write(RoadmapDocuments.Upsert(batch.Schema, kind, key, facts));
        }

        // After the upserts, so that the joins see this batch's procedures, releases and products.
        batch.Write(RoadmapDocuments.BumpVersions(batch.Schema, facts, batch.Events[^1].GlobalPosition));
    }
}

/// <summary>Reading and writing the fact documents of <see cref="RoadmapProjection"/>.</summary>
internal static class RoadmapDocuments
{
    public static string TableOf(FactKind kind) => kind switch
    {
        FactKind.Procedure => "roadmap_procedures",
        FactKind.Release => "roadmap_releases",
        FactKind.Product => "roadmap_products",
        FactKind.Vendor => "roadmap_vendors",
        FactKind.Case => "roadmap_cases",
        FactKind.Municipality => "roadmap_municipalities",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string KeyColumnOf(FactKind kind) => kind switch
    {
        FactKind.Procedure => "procedure_id",
        FactKind.Release => "release_id",
        FactKind.Product => "product_id",
        FactKind.Vendor => "vendor_id",
        FactKind.Case => "case_id",
        FactKind.Municipality => "ags",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string SelectByKeys(string schema, FactKind kind) =>
        $"select doc::text from {schema}.{TableOf(kind)} where {KeyColumnOf(kind)} = any($1)";

    public static NpgsqlParameter KeysParameter(FactKind kind, IEnumerable<string> keys) => kind == FactKind.Municipality
        ? new NpgsqlParameter { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }
        : new NpgsqlParameter { Value = keys.Select(Guid.Parse).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };

    public static NpgsqlParameter GuidsParameter(IEnumerable<Guid> ids) =>
        new() { Value = ids.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };

    /// <summary>Reads the first column (doc, or doc::text) of every row into the set, without marking anything changed.</summary>
    public static async Task ReadIntoAsync(NpgsqlCommand command, FactKind kind, RoadmapFacts facts, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var utf8 = reader.FieldCount > 0 && reader.GetDataTypeName(0) == "jsonb";
        while (await reader.ReadAsync(cancellationToken))
        {
            if (utf8)
            {
                Add(facts, kind, reader.GetFieldValue<byte[]>(0));
            }
            else
            {
                Add(facts, kind, reader.GetString(0));
            }
        }
    }

    public static void Add(RoadmapFacts facts, FactKind kind, string json) => Add(facts, kind, System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>Adds a document read as UTF-8 JSON (jsonb read as bytes: no string in between).</summary>
    public static void Add(RoadmapFacts facts, FactKind kind, ReadOnlySpan<byte> json)
    {
        switch (kind)
        {
            case FactKind.Procedure:
                var procedure = Read<ProcedureFacts>(json);
                facts.Procedures[procedure.ProcedureId] = procedure;
                break;
            case FactKind.Release:
                var release = Read<ReleaseFacts>(json);
                facts.Releases[release.ReleaseId] = release;
                break;
            case FactKind.Product:
                var product = Read<ProductFacts>(json);
                facts.Products[product.ProductId] = product;
                break;
            case FactKind.Vendor:
                var vendor = Read<VendorFacts>(json);
                facts.Vendors[vendor.VendorId] = vendor;
                break;
            case FactKind.Case:
                var @case = Read<CaseFacts>(json);
                facts.Cases[@case.CaseId] = @case;
                break;
            case FactKind.Municipality:
                var municipality = Read<MunicipalityFacts>(json);
                facts.Municipalities[municipality.Ags] = municipality;
                break;
        }
    }

    public static NpgsqlBatchCommand Upsert(string schema, FactKind kind, string key, RoadmapFacts facts)
    {
        var table = $"{schema}.{TableOf(kind)}";
        return kind switch
        {
            FactKind.Procedure when facts.Procedures[Guid.Parse(key)] is var p => Command(
                $"""
                insert into {table} (procedure_id, ags, release_id, case_id, doc) values ($1, $2, $3, $4, $5::jsonb)
                on conflict (procedure_id) do update set ags = excluded.ags, release_id = excluded.release_id, case_id = excluded.case_id, doc = excluded.doc
                """,
                p.ProcedureId, p.Ags, p.ReleaseId, p.CaseId, Write(p)),
            FactKind.Case when facts.Cases[Guid.Parse(key)] is var c => Command(
                $"""
                insert into {table} (case_id, participant_ags, doc) values ($1, $2, $3::jsonb)
                on conflict (case_id) do update set participant_ags = excluded.participant_ags, doc = excluded.doc
                """,
                c.CaseId, c.Participants.Select(p => p.Ags).Distinct().ToArray(), Write(c)),
            FactKind.Municipality when facts.Municipalities[key] is var m => Command(
                $"""
                insert into {table} (ags, county_ags, doc) values ($1, $2, $3::jsonb)
                on conflict (ags) do update set county_ags = excluded.county_ags, doc = excluded.doc
                """,
                m.Ags, m.CountyAgs, Write(m)),
            FactKind.Release => Simple(table, kind, key, Write(facts.Releases[Guid.Parse(key)])),
            FactKind.Product => Simple(table, kind, key, Write(facts.Products[Guid.Parse(key)])),
            FactKind.Vendor => Simple(table, kind, key, Write(facts.Vendors[Guid.Parse(key)])),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>
    /// Sets the version of every municipality whose roadmap reads a document in <see cref="RoadmapFacts.Changed"/> to
    /// <paramref name="version"/>. Must run after the upserts of the same batch.
    /// </summary>
    public static NpgsqlBatchCommand BumpVersions(string schema, RoadmapFacts facts, long version)
    {
        var direct = new SortedSet<string>(StringComparer.Ordinal);
        var releases = new List<Guid>();
        var products = new List<Guid>();
        var vendors = new List<Guid>();
        var cases = new List<Guid>();
        foreach (var (kind, key) in facts.Changed)
        {
            switch (kind)
            {
                case FactKind.Municipality:
                    direct.Add(key);
                    break;
                case FactKind.Procedure:
                    direct.Add(facts.Procedures[Guid.Parse(key)].Ags);
                    break;
                case FactKind.Release:
                    releases.Add(Guid.Parse(key));
                    break;
                case FactKind.Product:
                    products.Add(Guid.Parse(key));
                    break;
                case FactKind.Vendor:
                    vendors.Add(Guid.Parse(key));
                    break;
                case FactKind.Case:
                    var @case = facts.Cases[Guid.Parse(key)];
                    cases.Add(@case.CaseId);
                    direct.UnionWith(@case.Participants.Select(p => p.Ags));
                    break;
            }
        }

        var sources = new List<string> { "select unnest($1::text[])" };
        if (releases.Count > 0)
        {
            sources.Add($"select p.ags from {schema}.roadmap_procedures p where p.release_id = any($2)");
        }

        if (products.Count > 0)
        {
            sources.Add(
                $"""
                select p.ags from {schema}.roadmap_releases r join {schema}.roadmap_procedures p on p.release_id = r.release_id
                 where (r.doc->>'productId')::uuid = any($3)
                """);
        }

        if (vendors.Count > 0)
        {
            sources.Add(
                $"""
                select p.ags from {schema}.roadmap_products d
                  join {schema}.roadmap_releases r on (r.doc->>'productId')::uuid = d.product_id
                  join {schema}.roadmap_procedures p on p.release_id = r.release_id
                 where (d.doc->>'vendorId')::uuid = any($4)
                """);
        }

        if (cases.Count > 0)
        {
            sources.Add($"select p.ags from {schema}.roadmap_procedures p where p.case_id = any($5)");
        }

        var command = new NpgsqlBatchCommand(
            $"""
            insert into {schema}.roadmap_municipality_versions (ags, version)
            select distinct ags, $6::bigint from ({string.Join("\n union all\n", sources)}) as affected(ags)
            order by 1
            on conflict (ags) do update set version = excluded.version
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = direct.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(GuidsParameter(releases));
        command.Parameters.Add(GuidsParameter(products));
        command.Parameters.Add(GuidsParameter(vendors));
        command.Parameters.Add(GuidsParameter(cases));
        command.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
        return command;
    }

    private static NpgsqlBatchCommand Simple(string table, FactKind kind, string key, string doc)
    {
        var column = KeyColumnOf(kind);
        return Command(
            $"insert into {table} ({column}, doc) values ($1, $2::jsonb) on conflict ({column}) do update set doc = excluded.doc",
            Guid.Parse(key), doc);
    }

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                string[] texts => new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }

    private static T Read<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, RoadmapFacts.Json)
        ?? throw new InvalidOperationException($"A {typeof(T).Name} document is empty.");

    private static string Write<T>(T document) => JsonSerializer.Serialize(document, RoadmapFacts.Json);
}

using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Tests.Infrastructure;

namespace Roadmap.Projections.Tests;

/// <summary>The fact documents the async roadmap projection stores on PostgreSQL for given events.</summary>
public sealed class RoadmapFactsTests(RoadmapDatabase db) : IClassFixture<RoadmapDatabase>
{
    [Fact]
    public async Task A_case_document_keeps_the_estimate_day_the_determination_and_its_authority_kind_with_the_justification()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        var (caseId, opened) = Given.Case("Wasserversorgung Leitsystem", ProcedureCategory.Sonstiges, (ags, procedure));
        var estimatedAt = new DateTimeOffset(2026, 3, 31, 23, 30, 0, TimeSpan.Zero);

        await db.GivenAsync([.. setup, .. opened, Given.Estimated(caseId, estimatedAt, (ags, 400_000m)),
            Given.Determined(caseId, 400_000m, new DateOnly(2026, 9, 1), kind: ContractingAuthorityKind.Sector, kindJustification: "Wasserversorgung (§ 102 GWB)")]);

        var doc = await db.DocumentAsync("roadmap_cases", "case_id", caseId) ?? throw new InvalidOperationException("no case document");
        Assert.Equal("open", doc.GetProperty("state").GetString());
        // 23:30 UTC on 31 March is 1 April in Berlin.
        Assert.Equal("2026-04-01", doc.GetProperty("estimatedOn").GetString());
        Assert.Equal(400_000m, doc.GetProperty("totalNetValue").GetDecimal());
        var determination = doc.GetProperty("determination");
        Assert.Equal("Sector", determination.GetProperty("authorityKind").GetString());
        Assert.Equal("Wasserversorgung (§ 102 GWB)", determination.GetProperty("authorityKindJustification").GetString());
        Assert.Equal(432_000m, determination.GetProperty("thresholdAmount").GetDecimal());
        Assert.Equal("Verhandlungsvergabe", determination.GetProperty("chosenType").GetString());

        var procedureDoc = await db.DocumentAsync("roadmap_procedures", "procedure_id", procedure) ?? throw new InvalidOperationException("no procedure document");
        Assert.Equal(caseId, procedureDoc.GetProperty("caseId").GetGuid());
    }

    [Fact]
    public async Task A_new_estimate_clears_the_determination_and_a_start_fixes_the_type()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        var (caseId, opened) = Given.Case("Gewerbe", ProcedureCategory.Gewerbe, (ags, procedure));
        await db.GivenAsync([.. setup, .. opened, Given.Estimated(caseId, Given.RecordedAt, (ags, 50_000m)),
            Given.Determined(caseId, 50_000m, new DateOnly(2026, 4, 1)), Given.Estimated(caseId, Given.RecordedAt.AddDays(3), (ags, 150_000m))]);

        var reestimated = (await db.DocumentAsync("roadmap_cases", "case_id", caseId))!.Value;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reestimated.GetProperty("determination").ValueKind);
        Assert.Equal("2026-01-13", reestimated.GetProperty("estimatedOn").GetString());

        await db.GivenAsync(Given.Determined(caseId, 150_000m, new DateOnly(2026, 4, 1)), Given.Started(caseId, ProcurementProcedureType.Verhandlungsvergabe, new DateOnly(2026, 2, 2)));
        var started = (await db.DocumentAsync("roadmap_cases", "case_id", caseId))!.Value;
        Assert.Equal("started", started.GetProperty("state").GetString());
        Assert.Equal("Verhandlungsvergabe", started.GetProperty("startedType").GetString());
        Assert.Equal("2026-02-02", started.GetProperty("startedOn").GetString());
    }
}

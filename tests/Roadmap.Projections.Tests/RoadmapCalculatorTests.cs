using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;
using Roadmap.Projections.Tests.Infrastructure;

namespace Roadmap.Projections.Tests;

/// <summary>The roadmap computed from the stored documents for a given today: date rules, provisional figures, authority kinds.</summary>
public sealed class RoadmapCalculatorTests(RoadmapDatabase db) : IClassFixture<RoadmapDatabase>
{
    private static readonly DateOnly Today = new(2026, 1, 15);

    private async Task<RoadmapEntry> EntryAsync(string ags, Guid procedure, DateOnly? today = null)
    {
        var roadmap = await db.Queries.GetRoadmapAsync(Ags.Parse(ags), today ?? Today, null, CancellationToken.None)
            ?? throw new InvalidOperationException($"no roadmap for {ags}");
        return roadmap.Entries.Single(e => e.ProcedureId == procedure);
    }

    [Fact]
    public async Task The_worked_example_gives_the_latest_start_of_an_EU_negotiated_procedure()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        await db.GivenAsync(setup);

        var entry = await EntryAsync(ags, procedure);

        var m = entry.Milestones!;
        Assert.Equal(new DateOnly(2028, 9, 30), m.RequiredGoLive);
        Assert.Equal(new DateOnly(2027, 12, 31), m.LatestAward);
        Assert.Equal(new DateOnly(2027, 3, 31), m.LatestProcurementStart);
        Assert.Equal(440, entry.SlackDays);
        Assert.Equal(SlackBand.Low, entry.Band);
        Assert.False(m.Provisional);
    }

    [Fact]
    public async Task An_estimate_before_a_determination_uses_the_threshold_of_its_latest_start_and_is_provisional_when_that_is_not_published()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2030, 12, 31));
        var (caseId, opened) = Given.Case("Gewerbe 2029", ProcedureCategory.Gewerbe, (ags, procedure));
        var (ags2, procedure2, setup2) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        var (caseId2, opened2) = Given.Case("Gewerbe 2027", ProcedureCategory.Gewerbe, (ags2, procedure2));
        await db.GivenAsync([.. setup, .. opened, Given.Estimated(caseId, Given.RecordedAt, (ags, 180_000m)),
            .. setup2, .. opened2, Given.Estimated(caseId2, Given.RecordedAt, (ags2, 180_000m))]);

        var later = await EntryAsync(ags, procedure);
        var sooner = await EntryAsync(ags2, procedure2);

        Assert.Equal(ProcedureTypeBasis.SuggestedFromValue, later.ProcedureType!.Basis);
        Assert.Equal(new DateOnly(2029, 9, 30), later.Milestones!.LatestProcurementStart);
        Assert.True(later.ProcedureType.Provisional);
        Assert.True(later.Milestones.Provisional);
        Assert.Contains("vorläufig", later.ProcedureType.ThresholdPeriod, StringComparison.Ordinal);
        Assert.False(sooner.ProcedureType!.Provisional);
        Assert.False(sooner.Milestones!.Provisional);
        Assert.Equal("2026–2027", sooner.ProcedureType.ThresholdPeriod);
    }

    [Fact]
    public async Task Without_an_estimate_the_threshold_shown_is_the_one_of_the_latest_start()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2030, 12, 31));
        await db.GivenAsync(setup);

        var type = (await EntryAsync(ags, procedure)).ProcedureType!;

        Assert.Equal(ProcedureTypeBasis.AssumedWithoutEstimate, type.Basis);
        Assert.True(type.Provisional);
    }

    [Fact]
    public async Task A_determination_on_a_provisional_threshold_becomes_final_once_the_rules_publish_that_period()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        var (caseId, opened) = Given.Case("Gewerbe", ProcedureCategory.Gewerbe, (ags, procedure));
        // Recorded as the 2025 rules would have: the 2026 period not yet published, 221,000 € standing in.
        var determined = (Roadmap.Domain.Procurements.ProcurementProcedureDetermined)Given.Determined(caseId, 180_000m, new DateOnly(2026, 3, 1));
        await db.GivenAsync([.. setup, .. opened, Given.Estimated(caseId, Given.RecordedAt, (ags, 180_000m)),
            determined with { ThresholdAmount = Money.Euro(221_000m), ThresholdValidFrom = new DateOnly(2024, 1, 1), ThresholdValidTo = new DateOnly(2025, 12, 31), ThresholdProvisional = true }]);

        var type = (await EntryAsync(ags, procedure)).ProcedureType!;

        Assert.False(type.Provisional);
        Assert.Equal(216_000m, type.Threshold);
        Assert.Equal("2026–2027", type.ThresholdPeriod);
    }

    [Fact]
    public async Task A_contracting_authority_kind_other_than_sub_central_shows_with_its_justification()
    {
        var (ags, procedure, setup) = Given.MunicipalityWithProcedure(new DateOnly(2028, 12, 31));
        var (caseId, opened) = Given.Case("Leitsystem", ProcedureCategory.Gewerbe, (ags, procedure));
        await db.GivenAsync([.. setup, .. opened, Given.Estimated(caseId, Given.RecordedAt, (ags, 400_000m)),
            Given.Determined(caseId, 400_000m, new DateOnly(2026, 9, 1), kind: ContractingAuthorityKind.Sector, kindJustification: "Wasserversorgung (§ 102 GWB)")]);

        var type = (await EntryAsync(ags, procedure)).ProcedureType!;

        Assert.Equal(ContractingAuthorityKind.Sector, type.AuthorityKind);
        Assert.Equal("Wasserversorgung (§ 102 GWB)", type.AuthorityKindJustification);
        Assert.Equal(432_000m, type.Threshold);
        Assert.Contains("Sektorenauftraggeber", type.Reason, StringComparison.Ordinal);
        Assert.Contains("Wasserversorgung (§ 102 GWB)", type.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cases_of_one_municipality_and_category_within_twelve_months_that_together_reach_the_threshold_get_a_splitting_warning()
    {
        var (ags, municipality) = Given.Municipality();
        var (release, releaseEvents) = Given.Release(new DateOnly(2029, 12, 31));
        var (p1, i1) = Given.Procedure(ags, release);
        var (p2, i2) = Given.Procedure(ags, release);
        var (p3, i3) = Given.Procedure(ags, release);
        var (p4, i4) = Given.Procedure(ags, release, ProcedureCategory.Wahlen);
        var (first, o1) = Given.Case("Gewerbe Teil 1", ProcedureCategory.Gewerbe, (ags, p1));
        var (second, o2) = Given.Case("Gewerbe Teil 2", ProcedureCategory.Gewerbe, (ags, p2));
        var (third, o3) = Given.Case("Gewerbe 2028", ProcedureCategory.Gewerbe, (ags, p3));
        var (other, o4) = Given.Case("Wahlen", ProcedureCategory.Wahlen, (ags, p4));
        await db.GivenAsync([municipality, .. releaseEvents, i1, i2, i3, i4, .. o1, .. o2, .. o3, .. o4,
            Given.Estimated(first, Given.RecordedAt, (ags, 120_000m)), Given.Determined(first, 120_000m, new DateOnly(2026, 4, 1)),
            Given.Estimated(second, Given.RecordedAt, (ags, 110_000m)), Given.Determined(second, 110_000m, new DateOnly(2026, 9, 1)),
            Given.Estimated(third, Given.RecordedAt, (ags, 100_000m)), Given.Determined(third, 100_000m, new DateOnly(2027, 10, 1)),
            Given.Estimated(other, Given.RecordedAt, (ags, 150_000m))]);

        var roadmap = (await db.Queries.GetRoadmapAsync(Ags.Parse(ags), Today, null, CancellationToken.None))!;

        var warning = Assert.Single(roadmap.SplittingWarnings);
        Assert.Equal([first, second], warning.Cases.Select(c => c.CaseId));
        Assert.Equal(230_000m, warning.CombinedNetValue);
        Assert.Equal(216_000m, warning.Threshold);
        Assert.Equal(ProcedureCategory.Gewerbe, warning.Category);
        Assert.Contains("§ 3 Abs. 2 VgV", warning.Message, StringComparison.Ordinal);
        Assert.Equal(warning, roadmap.Entries.Single(e => e.ProcedureId == p1).SplittingWarning);
        Assert.Null(roadmap.Entries.Single(e => e.ProcedureId == p3).SplittingWarning);
        Assert.Equal(first, Assert.Single(await db.Queries.GetSplittingWarningsAsync(first, CancellationToken.None)).Cases[0].CaseId);
        Assert.Empty(await db.Queries.GetSplittingWarningsAsync(third, CancellationToken.None));
        Assert.Empty(await db.Queries.GetSplittingWarningsAsync(other, CancellationToken.None));

        // Once the second part is cancelled nothing adds up any more.
        await db.GivenAsync(Given.Cancelled(second, new DateOnly(2026, 2, 1)));
        Assert.Empty((await db.Queries.GetRoadmapAsync(Ags.Parse(ags), Today, null, CancellationToken.None))!.SplittingWarnings);
    }

    [Fact]
    public async Task Cases_that_each_reach_the_threshold_are_no_split_and_a_single_case_never_is()
    {
        var (ags, municipality) = Given.Municipality();
        var (release, releaseEvents) = Given.Release(new DateOnly(2029, 12, 31));
        var (p1, i1) = Given.Procedure(ags, release);
        var (p2, i2) = Given.Procedure(ags, release);
        var (big1, o1) = Given.Case("EU 1", ProcedureCategory.Gewerbe, (ags, p1));
        var (big2, o2) = Given.Case("EU 2", ProcedureCategory.Gewerbe, (ags, p2));
        await db.GivenAsync([municipality, .. releaseEvents, i1, i2, .. o1, .. o2,
            Given.Estimated(big1, Given.RecordedAt, (ags, 300_000m)), Given.Estimated(big2, Given.RecordedAt, (ags, 250_000m))]);

        Assert.Empty((await db.Queries.GetRoadmapAsync(Ags.Parse(ags), Today, null, CancellationToken.None))!.SplittingWarnings);
    }
}

using Roadmap.Domain.Procedures;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;
using Roadmap.Projections.Tests.Infrastructure;

namespace Roadmap.Projections.Tests;

/// <summary>Which fact documents the live roadmap reads (one statement, one snapshot).</summary>
public sealed class RoadmapQueriesTests(RoadmapDatabase db) : IClassFixture<RoadmapDatabase>
{
    [Fact]
    public async Task The_live_facts_are_the_municipalitys_documents_every_case_it_or_its_procedures_belong_to_and_their_catalogue_and_nothing_else()
    {
        var (ags, municipality) = Given.Municipality();
        var (other, otherMunicipality) = Given.Municipality();
        var (release1, release1Events) = Given.Release(new DateOnly(2028, 12, 31));
        var (release2, release2Events) = Given.Release(new DateOnly(2029, 12, 31), ProcedureCategory.Wahlen);
        var (release3, release3Events) = Given.Release(new DateOnly(2030, 12, 31));
        var (p1, i1) = Given.Procedure(ags, release1);
        var (p2, i2) = Given.Procedure(ags, release2, ProcedureCategory.Wahlen);
        var (p3, i3) = Given.Procedure(ags, release1);
        var (q1, j1) = Given.Procedure(other, release3);
        var (q2, j2) = Given.Procedure(other, release3);
        var (q3, j3) = Given.Procedure(other, release3);
        // Joint: both take part. Foreign: only the other municipality takes part, yet p2 is assigned to it.
        // Done: it took part, but p3 was cut over (the procedure no longer refers to the case). Unrelated: only the other.
        var (joint, openedJoint) = Given.Case("Gemeinsam", ProcedureCategory.Gewerbe, (ags, p1), (other, q1));
        var (foreign, openedForeign) = Given.Case("Fremd", ProcedureCategory.Wahlen, (other, q2));
        var (done, openedDone) = Given.Case("Erledigt", ProcedureCategory.Gewerbe, (ags, p3));
        var (unrelated, openedUnrelated) = Given.Case("Nur die andere", ProcedureCategory.Gewerbe, (other, q3));
        await db.GivenAsync([municipality, otherMunicipality, .. release1Events, .. release2Events, .. release3Events, i1, i2, i3, j1, j2, j3,
            .. openedJoint, .. openedForeign, new ProcedureAssignedToProcurement(p2, foreign, Given.By, Given.RecordedAt), .. openedDone,
            new CutOverCompleted(p3, new DateOnly(2026, 1, 5), release1, release1, Given.By, Given.RecordedAt), .. openedUnrelated]);

        var (facts, version) = await db.Queries.LoadLiveFactsAsync(Ags.Parse(ags), CancellationToken.None);

        Assert.Equal([ags], facts.Municipalities.Keys);
        Assert.Equal(Sorted(p1, p2, p3), Sorted([.. facts.Procedures.Keys]));
        Assert.Null(facts.Procedures[p3].CaseId);
        Assert.Equal(Sorted(joint, foreign, done), Sorted([.. facts.Cases.Keys]));
        Assert.Equal(Sorted(release1, release2), Sorted([.. facts.Releases.Keys]));
        Assert.Equal(Sorted([.. facts.Releases.Values.Select(r => r.ProductId)]), Sorted([.. facts.Products.Keys]));
        Assert.Equal(Sorted([.. facts.Products.Values.Select(p => p.VendorId)]), Sorted([.. facts.Vendors.Keys]));
        Assert.Equal(2, facts.Vendors.Count);
        Assert.Empty(facts.Changed);
        Assert.NotNull(version);
        Assert.Equal(await db.Queries.GetRoadmapVersionAsync(Ags.Parse(ags), CancellationToken.None), version);
        Assert.DoesNotContain(unrelated, facts.Cases.Keys);
    }

    [Fact]
    public async Task An_unknown_municipality_has_no_facts_no_version_and_no_roadmap()
    {
        var (ags, _) = Given.Municipality();

        var (facts, version) = await db.Queries.LoadLiveFactsAsync(Ags.Parse(ags), CancellationToken.None);
        var live = await db.Queries.GetLiveRoadmapAsync(Ags.Parse(ags), new DateOnly(2026, 1, 15), CancellationToken.None);

        Assert.Empty(facts.Municipalities);
        Assert.Empty(facts.Procedures);
        Assert.Null(version);
        Assert.Null(live.Roadmap);
        Assert.Null(live.Version);
    }

    private static List<Guid> Sorted(params Guid[] ids) => [.. ids.Order()];
}

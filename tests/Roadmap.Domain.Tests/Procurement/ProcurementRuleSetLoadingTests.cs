using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Roadmap.Domain.Procurement;

namespace Roadmap.Domain.Tests.Procurement;

public sealed class ProcurementRuleSetLoadingTests
{
    private static JsonNode DefaultRules()
    {
        using var stream = typeof(ProcurementRuleSet).Assembly.GetManifestResourceStream("Roadmap.Domain.Procurement.procurement-rules.json")!;
        return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
    }

    private static InvalidProcurementRulesException LoadFails(Action<JsonNode> change)
    {
        var rules = DefaultRules();
        change(rules);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(rules.ToJsonString()));
        return Assert.Throws<InvalidProcurementRulesException>(() => ProcurementRuleSet.Load(stream));
    }

    [Fact]
    public void The_shipped_rules_load()
    {
        var rules = ProcurementRuleSet.LoadDefault();

        Assert.Equal(2, rules.EuThresholds.Count);
        Assert.Contains(rules.LandLimits, l => l.IsFallback);
    }

    [Fact]
    public void Rules_read_from_a_stream_equal_the_shipped_ones()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(DefaultRules().ToJsonString()));

        var rules = ProcurementRuleSet.Load(stream);

        Assert.Equal(ProcurementRuleSet.LoadDefault().ThresholdOn(new DateOnly(2026, 1, 1)), rules.ThresholdOn(new DateOnly(2026, 1, 1)));
    }

    [Fact]
    public void Overlapping_threshold_periods_are_rejected()
    {
        var error = LoadFails(r => r["euThresholds"]![1]!["validFrom"] = "2025-12-31");

        Assert.Contains(error.Problems, p => p.Contains("overlap", StringComparison.Ordinal));
    }

    [Fact]
    public void Overlapping_land_limits_of_one_land_are_rejected()
    {
        var error = LoadFails(r =>
        {
            var copy = r["landLimits"]![0]!.DeepClone();
            copy["validFrom"] = "2026-01-01";
            r["landLimits"]!.AsArray().Add(copy);
        });

        Assert.Contains(error.Problems, p => p.Contains("Land limits 09", StringComparison.Ordinal) && p.Contains("overlap", StringComparison.Ordinal));
    }

    [Fact]
    public void A_procedure_type_without_a_planning_duration_is_rejected()
    {
        var error = LoadFails(r => r["planning"]![0]!["procurementMonths"]!.AsObject().Remove("Verhandlungsvergabe"));

        Assert.Contains(error.Problems, p => p.Contains("Verhandlungsvergabe", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_names_negative_amounts_and_misspelt_keys_are_rejected()
    {
        Assert.Contains(LoadFails(r => r["freezeWindows"]![0]!["categories"]![0] = "Finanzen").Problems,
            p => p.Contains("'Finanzen'", StringComparison.Ordinal));
        Assert.Contains(LoadFails(r => r["landLimits"]![0]!["directAwardMaxNet"] = -1).Problems,
            p => p.Contains("not negative", StringComparison.Ordinal));
        Assert.NotEmpty(LoadFails(r => r["planning"]![0]!["goLiveBuferMonths"] = 3).Problems);
    }

    [Fact]
    public void Rules_without_a_fallback_for_other_laender_are_rejected()
    {
        var error = LoadFails(r => r["landLimits"]!.AsArray().RemoveAt(1));

        Assert.Contains(error.Problems, p => p.Contains("fallback", StringComparison.Ordinal));
    }
}

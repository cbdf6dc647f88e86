using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Procurement;

public sealed class ProcurementRuleSetTests
{
    private static readonly ProcurementRuleSet Rules = ProcurementRuleSet.LoadDefault();

    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2024-01-01", ContractingAuthorityKind.SubCentral, 221_000, "2024-01-01", false)]
    [InlineData("2025-12-31", ContractingAuthorityKind.SubCentral, 221_000, "2024-01-01", false)]
    [InlineData("2026-01-01", ContractingAuthorityKind.SubCentral, 216_000, "2026-01-01", false)]
    [InlineData("2027-12-31", ContractingAuthorityKind.SubCentral, 216_000, "2026-01-01", false)]
    [InlineData("2028-01-01", ContractingAuthorityKind.SubCentral, 216_000, "2026-01-01", true)]
    [InlineData("2029-07-01", ContractingAuthorityKind.SubCentral, 216_000, "2026-01-01", true)]
    [InlineData("2025-06-30", ContractingAuthorityKind.TopLevelFederal, 143_000, "2024-01-01", false)]
    [InlineData("2026-06-30", ContractingAuthorityKind.TopLevelFederal, 140_000, "2026-01-01", false)]
    [InlineData("2025-06-30", ContractingAuthorityKind.Sector, 443_000, "2024-01-01", false)]
    [InlineData("2026-06-30", ContractingAuthorityKind.Sector, 432_000, "2026-01-01", false)]
    [InlineData("2025-06-30", ContractingAuthorityKind.Works, 5_538_000, "2024-01-01", false)]
    [InlineData("2028-06-30", ContractingAuthorityKind.Works, 5_404_000, "2026-01-01", true)]
    public void The_eu_threshold_depends_on_the_date_and_the_kind_of_authority(
        string date, ContractingAuthorityKind kind, int amount, string periodFrom, bool provisional)
    {
        var threshold = Rules.ThresholdOn(D(date), kind);

        Assert.Equal(Money.Euro(amount), threshold.Amount);
        Assert.Equal(D(periodFrom), threshold.ValidFrom);
        Assert.Equal(provisional, threshold.Provisional);
    }

    [Fact]
    public void A_provisional_threshold_says_so_in_its_label()
    {
        Assert.Equal("2026–2027, vorläufig", Rules.ThresholdOn(D("2028-03-01")).GermanLabel);
        Assert.Equal("2026–2027", Rules.ThresholdOn(D("2027-03-01")).GermanLabel);
    }

    [Theory]
    [InlineData("09", 25_000, "2026-05-01", ProcurementProcedureType.Direktauftrag)]
    [InlineData("09", 100_000, "2026-05-01", ProcurementProcedureType.Direktauftrag)]
    [InlineData("09", 100_000.01, "2026-05-01", ProcurementProcedureType.Verhandlungsvergabe)]
    [InlineData("09", 180_000, "2026-05-01", ProcurementProcedureType.Verhandlungsvergabe)]
    [InlineData("09", 215_999.99, "2026-05-01", ProcurementProcedureType.Verhandlungsvergabe)]
    [InlineData("09", 216_000, "2026-05-01", ProcurementProcedureType.EuOffenesVerfahren)]
    [InlineData("09", 540_000, "2026-05-01", ProcurementProcedureType.EuOffenesVerfahren)]
    [InlineData("09", 220_000, "2025-12-31", ProcurementProcedureType.Verhandlungsvergabe)]
    [InlineData("09", 220_000, "2026-01-01", ProcurementProcedureType.EuOffenesVerfahren)]
    [InlineData("09", 50_000, "2024-12-31", ProcurementProcedureType.OeffentlicheAusschreibung)]
    [InlineData("09", 50_000, "2025-01-01", ProcurementProcedureType.Direktauftrag)]
    [InlineData("08", 15_000, "2026-05-01", ProcurementProcedureType.Direktauftrag)]
    [InlineData("08", 50_000, "2026-05-01", ProcurementProcedureType.OeffentlicheAusschreibung)]
    [InlineData("08", 216_000, "2026-05-01", ProcurementProcedureType.EuOffenesVerfahren)]
    public void The_suggested_procedure_follows_value_land_and_publication_date(
        string land, decimal value, string publication, ProcurementProcedureType expected)
    {
        Assert.Equal(expected, Rules.Suggest(Money.Euro(value), LandCode.Parse(land), D(publication)).Type);
    }

    [Fact]
    public void The_suggestion_explains_itself_in_german()
    {
        var suggestion = Rules.Suggest(Money.Euro(180_000), LandCode.Bayern, D("2026-09-01"));

        Assert.Equal(
            "180.000 € liegt unter dem EU-Schwellenwert von 216.000 € (2026–2027) und über der Direktauftragsgrenze von 100.000 € (Bayern, seit 1.1.2025).",
            suggestion.Reason);
        Assert.True(suggestion.ExPostPublicationRequired);
    }

    [Fact]
    public void Joint_procurement_adds_up_the_values_and_crosses_the_eu_threshold()
    {
        Money[] shares = [Money.Euro(180_000), Money.Euro(180_000), Money.Euro(180_000)];

        Assert.All(shares, share => Assert.Equal(ProcurementProcedureType.Verhandlungsvergabe, Rules.Suggest(share, LandCode.Bayern, D("2026-09-01")).Type));
        var joint = Rules.Suggest(Money.Sum(shares), LandCode.Bayern, D("2026-09-01"));
        Assert.True(joint.Type.IsEu());
        Assert.Equal(Money.Euro(216_000), joint.AppliedLimitAmount);
    }

    [Fact]
    public void A_threshold_period_change_between_planning_and_publication_changes_the_suggestion()
    {
        var value = Money.Euro(218_000);

        var plannedForDecember = Rules.Suggest(value, LandCode.Bayern, D("2025-12-15"));
        var publishedInJanuary = Rules.Suggest(value, LandCode.Bayern, D("2026-01-15"));

        Assert.Equal(ProcurementProcedureType.Verhandlungsvergabe, plannedForDecember.Type);
        Assert.Equal(Money.Euro(221_000), plannedForDecember.Threshold.Amount);
        Assert.Equal(ProcurementProcedureType.EuOffenesVerfahren, publishedInJanuary.Type);
        Assert.Equal(Money.Euro(216_000), publishedInJanuary.Threshold.Amount);
    }

    [Fact]
    public void A_suggestion_for_a_year_without_published_thresholds_is_provisional()
    {
        var suggestion = Rules.Suggest(Money.Euro(216_000), LandCode.Bayern, D("2028-04-01"));

        Assert.True(suggestion.Threshold.Provisional);
        Assert.Contains("vorläufig", suggestion.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProcurementProcedureType.Verhandlungsvergabe, 24_999.99, false)]
    [InlineData(ProcurementProcedureType.Verhandlungsvergabe, 25_000, true)]
    [InlineData(ProcurementProcedureType.BeschraenkteAusschreibung, 30_000, true)]
    [InlineData(ProcurementProcedureType.Direktauftrag, 90_000, false)]
    [InlineData(ProcurementProcedureType.OeffentlicheAusschreibung, 150_000, false)]
    public void Bavarian_negotiated_awards_from_25000_euro_are_published_afterwards(ProcurementProcedureType type, decimal value, bool required)
    {
        Assert.Equal(required, Rules.LimitsOn(LandCode.Bayern, D("2026-01-01")).RequiresExPostPublication(type, Money.Euro(value)));
    }

    [Fact]
    public void Bavarian_limits_apply_from_2025_and_the_fallback_before()
    {
        Assert.Equal(Money.Euro(100_000), Rules.LimitsOn(LandCode.Bayern, D("2025-01-01")).DirectAwardMaxNet);
        Assert.True(Rules.LimitsOn(LandCode.Bayern, D("2024-12-31")).IsFallback);
        Assert.Equal(Money.Euro(15_000), Rules.LimitsOn(LandCode.Parse("05"), D("2026-01-01")).DirectAwardMaxNet);
    }

    [Theory]
    [InlineData(ProcurementProcedureType.Direktauftrag, ProcurementProcedureType.Verhandlungsvergabe, true)]
    [InlineData(ProcurementProcedureType.OeffentlicheAusschreibung, ProcurementProcedureType.EuOffenesVerfahren, true)]
    [InlineData(ProcurementProcedureType.EuVerhandlungsverfahren, ProcurementProcedureType.EuOffenesVerfahren, true)]
    [InlineData(ProcurementProcedureType.EuNichtoffenesVerfahren, ProcurementProcedureType.EuOffenesVerfahren, false)]
    [InlineData(ProcurementProcedureType.OeffentlicheAusschreibung, ProcurementProcedureType.Verhandlungsvergabe, false)]
    [InlineData(ProcurementProcedureType.EuOffenesVerfahren, ProcurementProcedureType.Direktauftrag, false)]
    public void Procedures_are_ordered_by_strictness(ProcurementProcedureType chosen, ProcurementProcedureType suggested, bool lessStrict)
    {
        Assert.Equal(lessStrict, chosen.IsLessStrictThan(suggested));
    }

    [Theory]
    [InlineData(false, false, 35)]
    [InlineData(true, false, 30)]
    [InlineData(false, true, 15)]
    [InlineData(true, true, 15)]
    public void The_open_procedure_offer_period_shortens_for_electronic_submission_and_urgency(bool electronic, bool urgent, int days)
    {
        var offers = Rules.LegalPeriodsOn(D("2026-05-01")).MinimumPeriodsFor(ProcurementProcedureType.EuOffenesVerfahren)!.Offers!;

        Assert.Equal(days, offers.For(electronic, urgent));
    }

    [Fact]
    public void National_procedures_have_no_legal_minimum_periods_here()
    {
        Assert.Null(Rules.LegalPeriodsOn(D("2026-05-01")).MinimumPeriodsFor(ProcurementProcedureType.Verhandlungsvergabe));
    }

    [Theory]
    [InlineData("2028-12-15", ProcedureCategory.Finanzwesen, "09", "2028-12-15", "2029-01-15")]
    [InlineData("2029-01-15", ProcedureCategory.Finanzwesen, "09", "2028-12-15", "2029-01-15")]
    [InlineData("2026-03-08", ProcedureCategory.Einwohnermeldewesen, "09", "2026-01-01", "2026-03-31")]
    [InlineData("2026-03-08", ProcedureCategory.Wahlen, "09", "2026-01-01", "2026-03-31")]
    public void Freeze_windows_cover_year_end_close_and_elections(string date, ProcedureCategory category, string land, string from, string to)
    {
        var freeze = Rules.FreezeOn(D(date), category, LandCode.Parse(land));

        Assert.NotNull(freeze);
        Assert.Equal((D(from), D(to)), (freeze.From, freeze.To));
    }

    [Theory]
    [InlineData("2028-12-14", ProcedureCategory.Finanzwesen, "09")]
    [InlineData("2029-01-16", ProcedureCategory.Finanzwesen, "09")]
    [InlineData("2028-12-31", ProcedureCategory.Gewerbe, "09")]
    [InlineData("2026-03-08", ProcedureCategory.Wahlen, "08")]
    public void Outside_their_categories_lands_and_dates_freeze_windows_do_not_apply(string date, ProcedureCategory category, string land)
    {
        Assert.Null(Rules.FreezeOn(D(date), category, LandCode.Parse(land)));
    }
}

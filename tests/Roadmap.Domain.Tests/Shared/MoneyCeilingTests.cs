using System.Text.Json;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests.Shared;

/// <summary>Money is an amount the service can compute with: whole cents, at most the ceiling, sums checked (issue 10).</summary>
public sealed class MoneyCeilingTests
{
    [Theory]
    [InlineData("10000000000.01")]
    [InlineData("0.001")]
    [InlineData("79228162514264337593543950335")]
    public void An_amount_above_the_ceiling_or_below_a_cent_is_refused(string euros)
    {
        var value = decimal.Parse(euros, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Money.TryCreate(value, out _, out var reason));
        Assert.NotNull(reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.Euro(value));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Money>(euros));
    }

    [Fact]
    public void The_ceiling_and_minus_zero_are_amounts()
    {
        Assert.Equal(Money.MaxEuros, Money.Euro(Money.MaxEuros).Euros);
        Assert.Equal("0 €", Money.Euro(-0m).ToGermanString());
        Assert.Equal(Money.Zero, Money.Euro(-0m));
    }

    [Fact]
    public void Sums_beyond_the_ceiling_are_reported_not_overflowed()
    {
        var huge = Enumerable.Repeat(Money.Euro(Money.MaxEuros), 1000).ToList();
        Assert.False(Money.TrySum(huge, out _));
        Assert.Throws<OverflowException>(() => Money.Sum(huge));
        Assert.Throws<OverflowException>(() => Money.Euro(Money.MaxEuros) + Money.Euro(0.01m));
        Assert.True(Money.TrySum([Money.Euro(5_000_000_000m), Money.Euro(5_000_000_000m)], out var total));
        Assert.Equal(Money.Euro(Money.MaxEuros), total);
    }

    [Fact]
    public void A_joint_estimate_above_the_ceiling_breaks_a_rule_instead_of_overflowing()
    {
        var decider = ProcurementCase.Decider;
        var now = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(1));
        var (a, b) = (Ags.Parse("09181128"), Ags.Parse("09181132"));
        var caseId = Guid.NewGuid();
        var opened = decider.Decide(new OpenProcurementCase(caseId, "Gemeinsam", ProcedureCategory.Einwohnermeldewesen, a,
            [new ProcurementParticipant(a, Guid.NewGuid()), new ProcurementParticipant(b, Guid.NewGuid())], now, "pm"), decider.Initial);
        var state = opened.Aggregate(decider.Initial, decider.Evolve);

        var violation = Assert.Throws<DomainRuleViolation>(() => decider.Decide(new EstimateProcurementValue(caseId,
            [new ValueShare(a, Money.Euro(Money.MaxEuros)), new ValueShare(b, Money.Euro(0.01m))], true, null, now, "pm"), state));

        Assert.Equal(ViolationCodes.ValueAboveCeiling, violation.Code);
        Assert.Equal("shares", violation.Field);
    }
}

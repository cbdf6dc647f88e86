using System.Text.Json;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests.Shared;

public sealed class MoneyTests
{
    [Fact]
    public void A_negative_amount_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.Euro(-0.01m));
        Assert.False(Money.TryCreate(-1m, out _, out var reason));
        Assert.NotNull(reason);
    }

    [Fact]
    public void Amounts_add_up()
    {
        Assert.Equal(Money.Euro(540_000m), Money.Sum([Money.Euro(180_000m), Money.Euro(180_000m), Money.Euro(180_000m)]));
        Assert.Equal(Money.Euro(0.3m), Money.Euro(0.1m) + Money.Euro(0.2m));
    }

    [Theory]
    [InlineData(216000, "216.000 €", "EUR 216,000")]
    [InlineData(1234.5, "1.234,50 €", "EUR 1,234.50")]
    [InlineData(0, "0 €", "EUR 0")]
    public void Amounts_are_written_the_german_and_the_english_way(decimal euros, string german, string english)
    {
        Assert.Equal(german, Money.Euro(euros).ToGermanString());
        Assert.Equal(english, Money.Euro(euros).ToString());
    }

    [Fact]
    public void An_amount_is_stored_as_a_json_number()
    {
        Assert.Equal("180000.50", JsonSerializer.Serialize(Money.Euro(180_000.50m)));
        Assert.Equal(Money.Euro(180_000.50m), JsonSerializer.Deserialize<Money>("180000.50"));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Money>("-5"));
    }
}

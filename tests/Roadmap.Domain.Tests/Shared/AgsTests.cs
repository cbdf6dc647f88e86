using System.Text.Json;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests.Shared;

public sealed class AgsTests
{
    [Fact]
    public void An_ags_names_land_regierungsbezirk_kreis_and_gemeinde()
    {
        var ags = Ags.Parse("09181139");

        Assert.Equal("09", ags.Land.Value);
        Assert.Equal("Bayern", ags.Land.Name);
        Assert.Equal("1", ags.Regierungsbezirk);
        Assert.Equal("09181", ags.Kreis);
        Assert.Equal("139", ags.Gemeinde);
        Assert.False(ags.IsCounty);
    }

    [Fact]
    public void The_county_of_a_municipality_is_its_kreis_followed_by_000()
    {
        var county = Ags.Parse("09181139").County;

        Assert.Equal("09181000", county.Value);
        Assert.True(county.IsCounty);
        Assert.True(Ags.Parse("09181132").BelongsTo(county));
        Assert.False(Ags.Parse("09188139").BelongsTo(county));
    }

    [Theory]
    [InlineData("0918113", "exactly 8 digits")]
    [InlineData("091811390", "exactly 8 digits")]
    [InlineData("0918A139", "digits only")]
    [InlineData("09181 39", "digits only")]
    [InlineData("0918113\0", "digits only")]
    [InlineData("\009181139", "digits only")]
    [InlineData("", "missing")]
    [InlineData(null, "missing")]
    [InlineData("17181139", "Land")]
    [InlineData("00181139", "Land")]
    public void Malformed_ags_is_rejected_with_a_reason(string? value, string reasonMentions)
    {
        Assert.False(Ags.TryParse(value, out var ags, out var reason));
        Assert.Null(ags);
        Assert.Contains(reasonMentions, reason, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => Ags.Parse(value!));
    }

    [Fact]
    public void Agses_with_equal_digits_are_equal()
    {
        Assert.Equal(Ags.Parse("09181139"), Ags.Parse("09181139"));
        Assert.NotEqual(Ags.Parse("09181139"), Ags.Parse("09181132"));
    }

    [Fact]
    public void An_ags_is_stored_as_a_json_string_and_validated_when_read()
    {
        var json = JsonSerializer.Serialize(Ags.Parse("09181139"));

        Assert.Equal("\"09181139\"", json);
        Assert.Equal(Ags.Parse("09181139"), JsonSerializer.Deserialize<Ags>(json));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Ags>("\"0918113\""));
    }

    [Theory]
    [InlineData("09", true)]
    [InlineData("16", true)]
    [InlineData("9", false)]
    [InlineData("17", false)]
    [InlineData("BY", false)]
    public void Land_codes_are_two_digits_from_01_to_16(string value, bool valid)
    {
        Assert.Equal(valid, LandCode.TryParse(value, out _, out _));
    }
}

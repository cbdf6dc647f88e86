using Roadmap.Api.Roadmaps;
using Roadmap.Domain.Procurement;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Tests.Pages;

public sealed class CountyOverviewPageTests
{
    private static RiskCell Cell(string ags, string municipality, SlackBand? band) =>
        new(ags, municipality, Guid.NewGuid(), "Lech-EWO", band is null ? null : 10, band, false, false);

    [Fact]
    public void Every_municipality_is_listed_with_a_link_and_its_procedures_per_band()
    {
        var release = new ReleaseRef(Guid.NewGuid(), "7.2", "Lech-EWO", "Ammerdata AG");
        var board = new RiskBoard("09181000", SampleRoadmaps.Today, SampleRoadmaps.Today,
            [new RiskBoardRow(release, new DateOnly(2027, 12, 31),
                [Cell("09181118", "Kaufering", SlackBand.Late), Cell("09181118", "Kaufering", SlackBand.Late), Cell("09181132", "Landsberg <am Lech>", null)],
                new BandCounts(2, 0, 0, 0, 1))],
            new BandCounts(2, 0, 0, 0, 1));
        CountyMunicipality[] municipalities = [new("09181118", "Kaufering"), new("09181132", "Landsberg <am Lech>"), new("09181139", "Penzing")];

        var html = CountyOverviewPage.Render(municipalities, board);

        Assert.Contains("<a href=\"/gemeinden/09181118/roadmap\">Kaufering</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/gemeinden/09181132/roadmap\">Landsberg &lt;am Lech&gt;</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/gemeinden/09181139/roadmap\">Penzing</a>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-ags=\"09181118\"><th scope=\"row\"><a href=\"/gemeinden/09181118/roadmap\">Kaufering</a></th><td>09181118</td><td class=\"count\">2</td>", html, StringComparison.Ordinal);
        Assert.Contains("Stand: 12.05.2026", html, StringComparison.Ordinal);
        Assert.Contains("! verspätet", html, StringComparison.Ordinal);
        Assert.Contains("@page { size: A4 landscape", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_title_names_the_county_by_its_registered_name_not_its_code()
    {
        var board = new RiskBoard("09181000", SampleRoadmaps.Today, SampleRoadmaps.Today, [], new BandCounts(0, 0, 0, 0, 0));

        var named = CountyOverviewPage.Render([new("09181000", "Landkreis Landsberg am Lech"), new("09181118", "Kaufering")], board);
        var unnamed = CountyOverviewPage.Render([new("09181118", "Kaufering")], board);

        Assert.Contains("<h1>Roadmaps der Gemeinden im Landkreis Landsberg am Lech</h1>", named, StringComparison.Ordinal);
        Assert.Contains("<title>Roadmaps der Gemeinden im Landkreis Landsberg am Lech</title>", named, StringComparison.Ordinal);
        Assert.Contains("<h1>Roadmaps der Gemeinden im Landkreis 09181000</h1>", unnamed, StringComparison.Ordinal);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Roadmap.Api.Municipalities;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /gemeinden: the county's municipalities with their procedures per band, each linked to its roadmap page.</summary>
public static class CountyOverview
{
    public const string DefaultCountyAgs = "09181000";

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", GetAsync)
            .WithSummary("The county overview page (German HTML): every municipality with its procedures per band and a link to its roadmap; `?kreis=` selects the county (default: configuration Roadmap:CountyAgs).")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status403Forbidden, "text/html");

    private static async Task<ContentHttpResult> GetAsync(
        string? kreis, string? stand, string? heute, string? asOf, string? today, HttpContext http, [FromServices] IRoadmapQueries queries, NpgsqlDataSource dataSource,
        EventStoreOptions options, IConfiguration configuration, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (standName, heuteName) = (stand is null && asOf is not null ? "asOf" : "stand", heute is null && today is not null ? "today" : "heute");
        stand ??= asOf; // the page's German names, or the ones the JSON, CSV and iCalendar take
        heute ??= today;
        var county = string.IsNullOrEmpty(kreis) ? configuration["Roadmap:CountyAgs"] ?? DefaultCountyAgs : kreis;
        if (!Ags.TryParse(county, out var countyAgs, out var reason))
        {
            return Html(StatusCodes.Status400BadRequest, ErrorPage.Render("Ungültiger Kreisschlüssel", $"{county}: {reason}"));
        }

        if (!Access.AccessClaims.ScopeOf(http.User).CoversCounty(countyAgs.Value))
        {
            return Html(StatusCodes.Status403Forbidden,
                ErrorPage.Render("Kein Zugriff", $"Die Übersicht des Kreises {countyAgs.Value} ist Schlüsseln für den ganzen Kreis vorbehalten."));
        }

        if (!PageDates.TryParse(stand, out var knownAt) || !PageDates.TryParse(heute, out var day))
        {
            return Html(StatusCodes.Status400BadRequest,
                ErrorPage.Render("Ungültiges Datum", PageDates.GermanRefusal(stand, heute, standName, heuteName)));
        }

        var municipalities = await MunicipalityReads.QueryAsync(dataSource, options, countyAgs, cancellationToken);
        var board = await queries.GetRiskBoardAsync(countyAgs, day ?? CalendarDay.Today(clock), knownAt, cancellationToken);
        return Html(StatusCodes.Status200OK,
            CountyOverviewPage.Render(municipalities.Select(m => new CountyMunicipality(m.Ags, m.Name)).ToList(), board));
    }

    private static ContentHttpResult Html(int status, string html) => TypedResults.Content(html, MayorRoadmapPage.HtmlContentType, statusCode: status);
}

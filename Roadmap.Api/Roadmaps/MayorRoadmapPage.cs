using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>GET /gemeinden/{ags}/roadmap: the mayor's page, in German, printable on one A4 landscape sheet.</summary>
public static class MayorRoadmapPage
{
    public const string HtmlContentType = "text/html; charset=utf-8";

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{ags}/roadmap", GetAsync)
            .WithSummary("The mayor's roadmap page (German HTML with an SVG timeline); `?asOf=YYYY-MM-DD` shows the knowledge of that day, `?today=YYYY-MM-DD` counts slack from that day, as on the JSON, CSV and iCalendar (`stand` and `heute` are the page's German aliases).")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status404NotFound, "text/html");

    private static async Task<ContentHttpResult> GetAsync(
        string ags, string? stand, string? heute, string? asOf, string? today, [FromServices] IRoadmapQueries queries, TimeProvider clock,
        Npgsql.NpgsqlDataSource dataSource, Roadmap.EventStore.EventStoreOptions options, CancellationToken cancellationToken)
    {
        var (standName, heuteName) = (stand is null && asOf is not null ? "asOf" : "stand", heute is null && today is not null ? "today" : "heute");
        stand ??= asOf;
        heute ??= today;
        if (!PageDates.TryParse(stand, out var knownAt) || !PageDates.TryParse(heute, out var day))
        {
            return Html(StatusCodes.Status400BadRequest, "Ungültiges Datum", PageDates.GermanRefusal(stand, heute, standName, heuteName));
        }

        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return Unknown(ags);
        }

        var roadmap = await queries.GetRoadmapAsync(parsed, day ?? CalendarDay.Today(clock), knownAt, cancellationToken);
        if (roadmap is null)
        {
            return Unknown(ags);
        }

        var alerts = await Roadmap.Api.Deadlines.DeadlineAlertReads.LastThirtyDaysAsync(dataSource, options.Schema, roadmap.Ags, roadmap.Stand, cancellationToken);
        return Html(StatusCodes.Status200OK, MayorPage.Render(roadmap, alerts));
    }

    private static ContentHttpResult Unknown(string ags) =>
        Html(StatusCodes.Status404NotFound, "Gemeinde nicht gefunden", $"Für den Gemeindeschlüssel {ags} ist keine Gemeinde registriert.");

    private static ContentHttpResult Html(int status, string heading, string sentence) => Html(status, ErrorPage.Render(heading, sentence));

    private static ContentHttpResult Html(int status, string html) => TypedResults.Content(html, HtmlContentType, statusCode: status);
}

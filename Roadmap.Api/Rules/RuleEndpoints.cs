using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Roadmaps;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Rules;

/// <summary>GET /rules (JSON) and /regeln (the same in German, for mayors and councils).</summary>
public static class RuleEndpoints
{
    public static IEndpointRouteBuilder MapRules(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/rules").WithTags("Rules").AllowAnonymous();
        rules.MapGet("/", GetRules)
            .WithSummary("The procurement rules and planning figures the roadmaps are computed with: EU thresholds, Land limits, legal minimum periods, the appeal period after a dismissed review, planning durations, freeze windows and public holidays (periods ending on one end on the next working day), each with its validity and source.")
            .WithDescription("`today` (yyyy-MM-dd, default: the current day in Europe/Berlin) sets `inForce` of every entry. Thresholds after " +
                "`publishedThresholdsUntil` are not yet published: figures resting on them are marked provisional. 400 for a malformed date.");

        var page = app.MapGroup("/regeln").WithTags("Pages").AllowAnonymous();
        page.MapGet("/", GetPage)
            .WithSummary("The rules in German (HTML): what the roadmaps rest on, with validity and source; `?heute=YYYY-MM-DD` marks what is in force that day.")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html");
        return app;
    }

    private static Results<Ok<RulesView>, ValidationProblem> GetRules(string? today, ProcurementRuleSet rules, TimeProvider clock)
    {
        if (!RoadmapDays.TryParse(today, null, clock, out var days, out var problem))
        {
            return problem!;
        }

        return TypedResults.Ok(RulesView.From(rules, days.Today));
    }

    private static ContentHttpResult GetPage(string? heute, ProcurementRuleSet rules, TimeProvider clock)
    {
        if (!PageDates.TryParse(heute, out var today))
        {
            return TypedResults.Content(
                ErrorPage.Render("Ungültiges Datum", PageDates.GermanRefusal(null, heute)),
                MayorRoadmapPage.HtmlContentType, statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Content(RulesPage.Render(RulesView.From(rules, today ?? CalendarDay.Today(clock))), MayorRoadmapPage.HtmlContentType);
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using NpgsqlTypes;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>
/// GET /municipalities/{ags}/roadmap.ics: the milestones as an iCalendar feed a mayor's office subscribes to. The
/// dates it has published are kept (<c>calendar_milestones</c>): a milestone whose date moved gets a higher SEQUENCE
/// and the time of the change as DTSTAMP and LAST-MODIFIED. The answer carries an ETag (a hash of the calendar) and
/// Last-Modified (the latest change), and If-None-Match or If-Modified-Since answer 304.
/// </summary>
public static class RoadmapCalendarFeed
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{ags}/roadmap.ics", GetAsync)
            .WithSummary("The municipality's milestones as iCalendar (RFC 5545): latest procurement start, latest award, go-live and end of support per procedure, with stable UIDs.")
            .WithDescription("`today` (yyyy-MM-dd) computes the slack from that day, `asOf` shows the roadmap as it was known then, as on the JSON and CSV. " +
                "A milestone whose date moved carries a higher `SEQUENCE` and the time of the change as `DTSTAMP` and `LAST-MODIFIED`. " +
                "The answer has `ETag` and `Last-Modified`; `If-None-Match` or `If-Modified-Since` answer 304 while nothing changed.")
            .Produces<string>(StatusCodes.Status200OK, "text/calendar")
            .Produces(StatusCodes.Status304NotModified);

    private static async Task<IResult> GetAsync(
        string ags, string? today, string? asOf, HttpContext http, [FromServices] IRoadmapQueries queries, NpgsqlDataSource dataSource,
        EventStoreOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!PageDates.TryParse(asOf, today, out var knownAt, out var day, out var errors))
        {
            return TypedResults.ValidationProblem(
                errors.ToDictionary(e => e.Key == "stand" ? "asOf" : e.Key == "heute" ? "today" : e.Key, e => e.Value),
                title: "The request has invalid fields", type: Problems.TypeFor("validation"));
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

        // The published dates are the current knowledge's: a view of the past (asOf) neither reads nor moves them.
        var versions = knownAt is null
            ? await PublishAsync(dataSource, options.Schema, roadmap, clock.GetUtcNow(), cancellationToken)
            : new Dictionary<string, RoadmapCalendar.MilestoneVersion>();
        var body = RoadmapCalendar.Render(roadmap, versions);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..32]}\"";
        var lastModified = versions.Count > 0 ? versions.Values.Max(v => v.ChangedAt) : new DateTimeOffset(roadmap.Stand.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        http.Response.Headers.ETag = etag;
        http.Response.Headers.LastModified = lastModified.ToString("R");
        var request = http.Request.GetTypedHeaders();
        var notModified = request.IfNoneMatch.Count > 0
            ? request.IfNoneMatch.Any(t => t.Tag.Equals(etag, StringComparison.Ordinal) || t.Tag.Equals("*", StringComparison.Ordinal))
            : request.IfModifiedSince is { } since && lastModified <= since;
        return notModified
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Content(body, RoadmapCalendar.ContentType);
    }

    /// <summary>
    /// Records each milestone's date (a moved date: SEQUENCE + 1 and the time of the change) and answers every
    /// milestone's version. Two nodes answering at once agree: the row lock of the upsert orders them.
    /// </summary>
    private static async Task<Dictionary<string, RoadmapCalendar.MilestoneVersion>> PublishAsync(
        NpgsqlDataSource dataSource, string schema, MunicipalityRoadmap roadmap, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var milestones = RoadmapCalendar.Milestones(roadmap).ToList();
        var versions = new Dictionary<string, RoadmapCalendar.MilestoneVersion>();
        if (milestones.Count == 0)
        {
            return versions;
        }

        await using var batch = dataSource.CreateBatch();
        var upsert = new NpgsqlBatchCommand(
            $"""
            insert into {schema}.calendar_milestones (uid, ags, on_date, changed_at)
            select m.uid, $2, m.on_date, $4 from unnest($1::text[], $3::date[]) as m(uid, on_date)
            on conflict (uid) do update set on_date = excluded.on_date, sequence = {schema}.calendar_milestones.sequence + 1, changed_at = excluded.changed_at
             where {schema}.calendar_milestones.on_date <> excluded.on_date
            """);
        upsert.Parameters.Add(new NpgsqlParameter { Value = milestones.Select(m => m.Uid).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = roadmap.Ags });
        upsert.Parameters.Add(new NpgsqlParameter { Value = milestones.Select(m => m.Date).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        upsert.Parameters.Add(new NpgsqlParameter { Value = now });
        batch.BatchCommands.Add(upsert);
        var select = new NpgsqlBatchCommand($"select uid, sequence, changed_at from {schema}.calendar_milestones where uid = any($1)");
        select.Parameters.Add(new NpgsqlParameter { Value = milestones.Select(m => m.Uid).ToArray() });
        batch.BatchCommands.Add(select);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Whole seconds, as iCalendar and Last-Modified carry them.
            var changedAt = reader.GetFieldValue<DateTimeOffset>(2);
            versions[reader.GetString(0)] = new RoadmapCalendar.MilestoneVersion(
                reader.GetInt32(1), new DateTimeOffset(changedAt.UtcTicks - (changedAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero));
        }

        return versions;
    }

    private static ProblemHttpResult Unknown(string ags) =>
        Problems.NotFound("municipality-unknown", $"No municipality with AGS {ags} is registered.");
}

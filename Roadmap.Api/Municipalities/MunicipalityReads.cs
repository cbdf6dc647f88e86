using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Municipalities;

/// <summary>GET /municipalities, /municipalities/{ags} and its audit trail.</summary>
public static class MunicipalityReads
{
    public sealed record MunicipalityView(string Ags, string Name, string Land, string LandName, string CountyAgs, long Version);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync).WithSummary("All registered municipalities, by AGS; `?county=09181000` filters one county.");
        group.MapGet("/{ags}", GetAsync).WithSummary("One municipality; the ETag is its stream version.");
        group.MapGet("/{ags}/history", HistoryAsync).WithSummary("Every event of the municipality with who, when and correlation: the audit trail.");
    }

    private static async Task<Results<Ok<IReadOnlyList<MunicipalityView>>, ProblemHttpResult>> ListAsync(
        string? county, HttpContext http, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        Ags? countyAgs = null;
        if (county is not null && !Ags.TryParse(county, out countyAgs, out var reason))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid county", reason);
        }

        // Only what the caller's key covers.
        var scope = Access.AccessClaims.ScopeOf(http.User);
        var all = await QueryAsync(dataSource, options, countyAgs, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<MunicipalityView>>(scope.Everything ? all : all.Where(m => scope.Covers(m.Ags) || scope.CoversCounty(m.Ags)).ToList());
    }

    /// <summary>The registered municipalities by AGS, of one county or all; also the county overview page's list.</summary>
    public static async Task<IReadOnlyList<MunicipalityView>> QueryAsync(
        NpgsqlDataSource dataSource, EventStoreOptions options, Ags? countyAgs, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"select ags, name, land, county_ags, version from {options.Schema}.municipality_index where ($1::text is null or county_ags = $1) order by ags");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)countyAgs?.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var views = new List<MunicipalityView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var land = LandCode.Parse(reader.GetString(2));
            views.Add(new MunicipalityView(reader.GetString(0), reader.GetString(1), land.Value, land.Name, reader.GetString(3), reader.GetInt64(4)));
        }

        return views;
    }

    private static async Task<Results<Ok<MunicipalityView>, ProblemHttpResult>> GetAsync(
        string ags, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (!Ags.TryParse(ags, out var parsed, out _))
        {
            return Unknown(ags);
        }

        var events = await store.ReadStreamAsync(Municipality.StreamId(parsed), cancellationToken: cancellationToken);
        var registered = events.Select(e => e.Data).OfType<MunicipalityRegistered>().FirstOrDefault();
        if (registered is null)
        {
            return Unknown(ags);
        }

        var name = events.Select(e => e.Data).OfType<MunicipalityRenamed>().LastOrDefault()?.Name ?? registered.Name;
        HttpVersioning.SetETag(http, events[^1].Version);
        return TypedResults.Ok(new MunicipalityView(
            registered.Ags.Value, name, registered.Land.Value, registered.Land.Name, registered.CountyAgs.Value, events[^1].Version));
    }

    private static async Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        string ags, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken) =>
        Ags.TryParse(ags, out var parsed, out _)
            ? await StreamReads.HistoryAsync(http, store, Municipality.StreamId(parsed), "municipality-unknown", $"No municipality with AGS {ags} is registered.", cancellationToken)
            : Unknown(ags);

    private static ProblemHttpResult Unknown(string ags) =>
        Problems.NotFound("municipality-unknown", $"No municipality with AGS {ags} is registered.");
}

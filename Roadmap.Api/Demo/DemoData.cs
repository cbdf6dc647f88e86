using System.Diagnostics;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Demo;

/// <summary>
/// Demo data for a new user (<c>Roadmap:Demo:Load</c>, set by <c>./roadmap run</c>): Landkreis Landsberg am Lech and its
/// 31 municipalities with their real names and AGS (Demo/landkreis-landsberg.json), a fictional catalogue of vendors,
/// products and releases with deprecation notices (Demo/demo-catalogue.json), the procedures every municipality runs
/// and procurement cases in several states (Demo/demo-roadmap.json). Every event goes through the deciders, so the demo
/// obeys the same rules as the API. A stream that exists already is left alone: loading twice changes nothing.
/// </summary>
public sealed class DemoData(PostgresEventStore store, TimeProvider clock, ILogger<DemoData> logger)
{
    public const string Actor = "demo-loader";

    private sealed record MunicipalityEntry(string Ags, string Name, string Kind);

    private sealed record CountyFile(string Source, IReadOnlyList<MunicipalityEntry> Municipalities);

    private sealed record RoadmapFile(string Source, DemoProcedures.ProfileEntry Procedures, IReadOnlyList<DemoProcurements.CaseEntry> Procurements);

    /// <summary>Loads what is missing; answers how many streams it created (0 when everything was loaded before).</summary>
    public async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var county = await DemoStreamWriter.ReadFileAsync<CountyFile>("landkreis-landsberg.json", cancellationToken);
        var catalogueFile = await DemoStreamWriter.ReadFileAsync<DemoCatalogue.CatalogueFile>("demo-catalogue.json", cancellationToken);
        var roadmap = await DemoStreamWriter.ReadFileAsync<RoadmapFile>("demo-roadmap.json", cancellationToken);

        // The decisions are recorded now; the dates they are about come from the files.
        var now = clock.GetUtcNow();
        var countyAgs = Ags.Parse(county.Municipalities.Single(m => Ags.Parse(m.Ags).IsCounty).Ags);
        var streams = new List<DemoStream>();
        foreach (var entry in county.Municipalities)
        {
            var ags = Ags.Parse(entry.Ags);
            streams.Add(DemoDecisions.Stream(Municipality.StreamId(ags),
                DemoDecisions.DecideAll(Municipality.Decider, [new RegisterMunicipality(ags, entry.Name, countyAgs, null, now, Actor)])));
        }

        var catalogue = DemoCatalogue.Build(catalogueFile, now, Actor);
        streams.AddRange(catalogue.Streams);
        var procurements = DemoProcurements.Build(roadmap.Procurements, catalogue.Releases, now, Actor);
        var municipalities = county.Municipalities.Select(m => new DemoProcedures.DemoMunicipality(m.Ags, m.Name, Ags.Parse(m.Ags).IsCounty)).ToList();
        var unknown = procurements.Participations.Keys.FirstOrDefault(k => municipalities.All(m => m.Ags != k.Ags));
        if (unknown != default)
        {
            throw new InvalidOperationException($"Demo/demo-roadmap.json: a procurement case names {unknown.Ags}, which is not in the demo county.");
        }

        var procedures = DemoProcedures.Build(roadmap.Procedures, municipalities, catalogue.Releases, procurements.Participations, now, Actor);
        streams.AddRange(procedures);
        streams.AddRange(procurements.Streams);

        var created = await new DemoStreamWriter(store, clock).WriteNewAsync(streams, Actor, cancellationToken);
        logger.LogInformation(
            "Demo data: {Created} new streams in {Elapsed} ms ({Municipalities} municipalities of {County}, {Vendors} vendors, {Products} products, " +
            "{Releases} releases, {Procedures} procedures, {Cases} procurement cases)",
            created, watch.ElapsedMilliseconds, county.Municipalities.Count, countyAgs, catalogue.Vendors, catalogue.Products, catalogue.Releases.Count,
            procedures.Count, procurements.Streams.Count);
        return created;
    }
}

/// <summary>Loads the demo data at start-up when Roadmap:Demo:Load is true (after migrations and projection tables).</summary>
internal sealed class DemoDataService(DemoData demo, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        configuration.GetValue("Roadmap:Demo:Load", false) ? demo.LoadAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

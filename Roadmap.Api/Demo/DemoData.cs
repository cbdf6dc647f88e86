using System.Text.Json;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Demo;

/// <summary>
/// Demo data for a new user (<c>Roadmap:Demo:Load</c>, set by <c>./roadmap run</c>): Landkreis Landsberg am Lech and its
/// 31 municipalities with their real names and AGS. Every event goes through the deciders, so the demo obeys the
/// same rules as the API, and a stream that exists already is left alone: loading twice changes nothing.
/// </summary>
public sealed class DemoData(PostgresEventStore store, TimeProvider clock, ILogger<DemoData> logger)
{
    public const string Actor = "demo-loader";

    private sealed record MunicipalityEntry(string Ags, string Name, string Kind);

    private sealed record CountyFile(string Source, IReadOnlyList<MunicipalityEntry> Municipalities);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var county = await ReadCountyAsync(cancellationToken);
        var countyAgs = Ags.Parse(county.Municipalities.Single(m => Ags.Parse(m.Ags).IsCounty).Ags);
        var created = 0;
        foreach (var entry in county.Municipalities)
        {
            var ags = Ags.Parse(entry.Ags);
            created += await DecideOnceAsync(Municipality.StreamId(ags), Municipality.StreamType, Municipality.Decider,
                new RegisterMunicipality(ags, entry.Name, countyAgs, null, clock.GetUtcNow(), Actor), cancellationToken);
        }

        logger.LogInformation("Demo data: {Created} new streams ({Municipalities} municipalities of {County})",
            created, county.Municipalities.Count, countyAgs);
    }

    private static async Task<CountyFile> ReadCountyAsync(CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Demo", "landkreis-landsberg.json"));
        return await JsonSerializer.DeserializeAsync<CountyFile>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web), cancellationToken)
            ?? throw new InvalidOperationException("Demo/landkreis-landsberg.json is empty.");
    }

    /// <summary>Decides and appends on a new stream; 0 when the stream exists already (an earlier load).</summary>
    private async Task<int> DecideOnceAsync<TCommand, TEvent, TState>(
        string streamId, string streamType, Decider<TCommand, TEvent, TState> decider, TCommand command, CancellationToken cancellationToken)
        where TEvent : class
    {
        if (await store.GetStreamAsync(streamId, cancellationToken) is not null)
        {
            return 0;
        }

        var events = decider.Decide(command, decider.Initial);
        var metadata = new EventMetadata(Actor, "demo-data");
        try
        {
            await store.AppendAsync(streamId, streamType, ExpectedVersion.NoStream,
                events.Select(e => new NewEvent(Guid.CreateVersion7(clock.GetUtcNow()), e, metadata)).ToList(), cancellationToken);
            return 1;
        }
        catch (WrongExpectedVersionException)
        {
            return 0; // another node loaded it at the same moment
        }
    }
}

/// <summary>Loads the demo data at start-up when Roadmap:Demo:Load is true (after migrations and projection tables).</summary>
internal sealed class DemoDataService(DemoData demo, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        configuration.GetValue("Roadmap:Demo:Load", false) ? demo.LoadAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations;

/// <summary>
/// A CloudEvents 1.0 event in structured mode (application/cloudevents+json), as webhooks, the pull feed and the
/// live stream deliver it. <see cref="Id"/> is the stored event's id, so every channel and every retry of one
/// event carries the same id and receivers can deduplicate.
/// </summary>
public sealed record CloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] DeprecationData Data);

/// <summary>
/// The payload, close to the OASIS OpenEoX draft: dates as yyyy-MM-dd or "tba" (null when unknown), plus what
/// Roadmap knows about who is affected. <see cref="AffectedMunicipalities"/> are the municipalities running the
/// release when the event is delivered (the filter by municipality uses them).
/// </summary>
public sealed record DeprecationData(
    [property: JsonPropertyName("release_id")] Guid ReleaseId,
    [property: JsonPropertyName("product_id")] Guid ProductId,
    [property: JsonPropertyName("product_name")] string? ProductName,
    [property: JsonPropertyName("product_version")] string? ProductVersion,
    [property: JsonPropertyName("vendor_name")] string? VendorName,
    [property: JsonPropertyName("notice_id")] string? NoticeId,
    [property: JsonPropertyName("announced_on")] string? AnnouncedOn,
    [property: JsonPropertyName("end_of_security_support")] string? EndOfSecuritySupport,
    [property: JsonPropertyName("end_of_life")] string? EndOfLife,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("source")] string? NoticeSource,
    [property: JsonPropertyName("last_updated")] DateTimeOffset LastUpdated,
    [property: JsonPropertyName("affected_municipalities")] IReadOnlyList<string> AffectedMunicipalities);

/// <summary>Which stored events integrations see, and how they become CloudEvents.</summary>
public static class DeprecationCloudEvents
{
    public const string ContentType = "application/cloudevents+json";
    public const string DeprecationAnnounced = "de.roadmap.release.deprecation-announced.v1";
    public const string EndOfSupportChanged = "de.roadmap.release.end-of-support-changed.v1";

    /// <summary>The event types a subscription may ask for.</summary>
    public static IReadOnlyList<string> Types { get; } = [DeprecationAnnounced, EndOfSupportChanged];

    /// <summary>The stored event names behind them (for SQL filters on the log).</summary>
    public static IReadOnlyList<string> StoredEventTypes { get; } = ["release.deprecation-announced", "release.end-of-support-changed"];

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    // Qualified on purpose: inside this class the bare name EndOfSupportChanged is the string constant above, so
    // "is ... or EndOfSupportChanged" compiled as a constant pattern and was false for every end-of-support change.
    public static bool IsIntegrationEvent(RecordedEvent recorded) =>
        recorded.Data is VendorDeprecationAnnounced or Roadmap.Domain.Catalogue.EndOfSupportChanged;

    /// <summary>
    /// The CloudEvents for the stored deprecations and end-of-support changes among <paramref name="events"/>, in
    /// their order (other events are left out), with the releases' context read in one query.
    /// </summary>
    public static async Task<IReadOnlyList<(RecordedEvent Recorded, CloudEvent Event)>> ToCloudEventsAsync(
        IReadOnlyList<RecordedEvent> events, NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var facts = events.Select(e => (Recorded: e, Fact: Facts(e.Data))).Where(x => x.Fact is not null).ToList();
        if (facts.Count == 0)
        {
            return [];
        }

        var contexts = await ReleaseContextsAsync(dataSource, schema, facts.Select(x => x.Fact!.ReleaseId).Distinct().ToArray(), cancellationToken);
        return facts.Select(x =>
        {
            var (recorded, fact) = (x.Recorded, x.Fact!);
            var context = contexts.GetValueOrDefault(fact.ReleaseId) ?? ReleaseContext.Unknown;
            var data = new DeprecationData(
                fact.ReleaseId, fact.ProductId, context.Product, context.Version, context.Vendor, fact.NoticeId, Date(fact.AnnouncedOn),
                DateOrTba(fact.EndOfSecuritySupport, fact.EndOfSecuritySupportTba), DateOrTba(fact.EndOfLife, fact.EndOfLifeTba),
                fact.Reason, fact.Source, recorded.RecordedAt, context.Municipalities);
            return (recorded, new CloudEvent(
                "1.0", recorded.EventId.ToString(), $"/catalogue/releases/{fact.ReleaseId}", fact.Type, $"release/{fact.ReleaseId}",
                recorded.RecordedAt, "application/json", data));
        }).ToList();
    }

    /// <summary>What the stored event itself says; the release's names and who runs it come from the indexes.</summary>
    private sealed record Fact(
        string Type, Guid ReleaseId, Guid ProductId, string? NoticeId, DateOnly? AnnouncedOn, DateOnly? EndOfSecuritySupport,
        bool EndOfSecuritySupportTba, DateOnly? EndOfLife, bool EndOfLifeTba, string? Reason, string? Source);

    private static Fact? Facts(object data) => data switch
    {
        VendorDeprecationAnnounced e => new Fact(DeprecationAnnounced, e.ReleaseId, e.ProductId, e.NoticeId, e.AnnouncedOn,
            e.EndOfSecuritySupport, e.EndOfSecuritySupportTba, e.EndOfLife, e.EndOfLifeTba, null, e.Source),
        EndOfSupportChanged e => new Fact(EndOfSupportChanged, e.ReleaseId, e.ProductId, null, null,
            e.EndOfSecuritySupport, e.EndOfSecuritySupportTba, e.EndOfLife, e.EndOfLifeTba, e.Reason, null),
        _ => null,
    };

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? DateOrTba(DateOnly? date, bool tba) => tba ? "tba" : Date(date);

    private sealed record ReleaseContext(string? Product, string? Version, string? Vendor, IReadOnlyList<string> Municipalities)
    {
        public static ReleaseContext Unknown { get; } = new(null, null, null, []);
    }

    private static async Task<Dictionary<Guid, ReleaseContext>> ReleaseContextsAsync(
        NpgsqlDataSource dataSource, string schema, Guid[] releaseIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select r.release_id, p.name, r.version_label, v.name,
                   coalesce((select array_agg(distinct i.ags order by i.ags) from {schema}.procedure_index i
                              where i.release_id = r.release_id and i.state <> 'retired'), array[]::text[])
              from {schema}.release_index r
              left join {schema}.product_index p on p.product_id = r.product_id
              left join {schema}.vendor_index v on v.vendor_id = p.vendor_id
             where r.release_id = any($1)
            """);
        command.Parameters.AddWithValue(releaseIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var contexts = new Dictionary<Guid, ReleaseContext>(releaseIds.Length);
        while (await reader.ReadAsync(cancellationToken))
        {
            contexts[reader.GetGuid(0)] = new ReleaseContext(
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<string[]>(4));
        }

        return contexts;
    }
}

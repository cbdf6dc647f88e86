using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Npgsql;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations;

/// <summary>
/// A CloudEvents 1.0 event in structured mode (application/cloudevents+json), as webhooks, the pull feeds and the
/// live streams deliver it. <see cref="Id"/> is the stored event's id, so every channel and every retry of one event
/// carries the same id and receivers can deduplicate.
/// </summary>
public sealed record CloudEvent<TData>(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] TData Data);

/// <summary>
/// The payload of a deprecation or end-of-support change, close to the OASIS OpenEoX draft: dates as yyyy-MM-dd or
/// "tba" (null when unknown), plus what Roadmap knew about who is affected. Names and
/// <see cref="AffectedMunicipalities"/> (the municipalities running the release) are as they were when the event
/// was recorded, on every channel and every read.
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

/// <summary>
/// An integration event as stored (table integration_events): its CloudEvent's JSON, fixed in the transaction that
/// recorded the event, and the values the subscriptions' and feeds' filters match.
/// </summary>
public sealed record IntegrationEvent(
    Guid EventId, string Type, string Body, IReadOnlyList<string> Municipalities, Guid? ProductId, Guid? ReleaseId, DateTimeOffset RecordedAt)
{
    public static IntegrationEvent Of<TData>(CloudEvent<TData> cloudEvent, IReadOnlyList<string> municipalities, Guid? productId, Guid? releaseId) =>
        new(Guid.Parse(cloudEvent.Id), cloudEvent.Type, JsonSerializer.Serialize(cloudEvent, IntegrationEventTypes.Json), municipalities,
            productId, releaseId, cloudEvent.Time);
}

/// <summary>The CloudEvent types integrations can subscribe to, and the stored events behind them.</summary>
public static class IntegrationEventTypes
{
    public const string ContentType = "application/cloudevents+json";
    public const string DeprecationAnnounced = "de.roadmap.release.deprecation-announced.v1";
    public const string EndOfSupportChanged = "de.roadmap.release.end-of-support-changed.v1";
    public const string DeadlineApproaching = "de.roadmap.municipality.deadline-approaching.v1";
    public const string DeadlineMissed = "de.roadmap.municipality.deadline-missed.v1";

    /// <summary>Every type a subscription may ask for.</summary>
    public static IReadOnlyList<string> All { get; } = [DeprecationAnnounced, EndOfSupportChanged, DeadlineApproaching, DeadlineMissed];

    public static IReadOnlyList<string> Deprecations { get; } = [DeprecationAnnounced, EndOfSupportChanged];

    public static IReadOnlyList<string> Deadlines { get; } = [DeadlineApproaching, DeadlineMissed];

    /// <summary>The stored event names behind the CloudEvent types (for SQL filters on the log).</summary>
    public static IReadOnlyDictionary<string, string> StoredName { get; } = new Dictionary<string, string>
    {
        [DeprecationAnnounced] = "release.deprecation-announced",
        [EndOfSupportChanged] = "release.end-of-support-changed",
        [DeadlineApproaching] = "municipality.deadline-approaching",
        [DeadlineMissed] = "municipality.deadline-missed",
    };

    public static IReadOnlyList<string> StoredNames(IEnumerable<string> types) => types.Select(t => StoredName[t]).ToList();

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public static bool IsIntegrationEvent(RecordedEvent recorded) => IsIntegrationEvent(recorded.Data);

    // Qualified on purpose: a bare EndOfSupportChanged here would be the string constant above, and "is ... or
    // EndOfSupportChanged" would compile as a constant pattern that is false for every end-of-support change.
    public static bool IsIntegrationEvent(object data) =>
        data is VendorDeprecationAnnounced or Roadmap.Domain.Catalogue.EndOfSupportChanged
            or Roadmap.Domain.Municipalities.DeadlineApproaching or Roadmap.Domain.Municipalities.DeadlineMissed;
}

/// <summary>
/// Stores and reads the integration events' CloudEvents. A decision that records an integration event stores its
/// CloudEvent in the same transaction (<see cref="Queue"/>); every channel reads it back (<see cref="ReadAsync"/>).
/// </summary>
public static class IntegrationEventLog
{
    /// <summary>Queues the insert on the decision's session: it commits with the events or not at all.</summary>
    public static void Queue(IDocumentSession session, string schema, IntegrationEvent e) =>
        session.QueueSqlCommand(
            $"""
            insert into {schema}.integration_events (event_id, type, body, municipalities, product_id, release_id, recorded_at)
            values (?, ?, ?, ?, ?, ?, ?) on conflict (event_id) do nothing
            """,
            e.EventId, e.Type, e.Body, e.Municipalities.ToArray(), (object?)e.ProductId ?? DBNull.Value, (object?)e.ReleaseId ?? DBNull.Value,
            e.RecordedAt);

    /// <summary>
    /// The stored CloudEvents of the integration events among <paramref name="events"/>, in their order. An event
    /// appended outside a decision (the demo loader, the benchmarks' load, a log from before migration 0008) has no
    /// stored CloudEvent yet: its payload is built from the registry as it is now and stored (first writer wins), so
    /// from then on it is the same on every channel.
    /// </summary>
    public static async Task<IReadOnlyList<(RecordedEvent Recorded, IntegrationEvent Event)>> ReadAsync(
        IReadOnlyList<RecordedEvent> events, NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var wanted = events.Where(IntegrationEventTypes.IsIntegrationEvent).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        var stored = await SelectAsync(dataSource, schema, wanted.Select(e => e.EventId).ToArray(), cancellationToken);
        var missing = wanted.Where(e => !stored.ContainsKey(e.EventId)).ToList();
        if (missing.Count > 0)
        {
            await InsertAsync(dataSource, schema, await DeprecationCloudEvents.BuildAsync(missing, dataSource, schema, cancellationToken), cancellationToken);

            foreach (var (id, e) in await SelectAsync(dataSource, schema, missing.Select(e => e.EventId).ToArray(), cancellationToken))
            {
                stored[id] = e;
            }
        }

        return wanted.Where(e => stored.ContainsKey(e.EventId)).Select(e => (e, stored[e.EventId])).ToList();
    }

    private static async Task<Dictionary<Guid, IntegrationEvent>> SelectAsync(
        NpgsqlDataSource dataSource, string schema, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"select event_id, type, body, municipalities, product_id, release_id, recorded_at from {schema}.integration_events where event_id = any($1)");
        command.Parameters.AddWithValue(ids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<Guid, IntegrationEvent>(ids.Length);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetGuid(0)] = new IntegrationEvent(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<string[]>(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.GetFieldValue<DateTimeOffset>(6));
        }

        return found;
    }

    /// <summary>Stores CloudEvents built after the fact, in one statement; the first writer of an id wins.</summary>
    private static async Task InsertAsync(
        NpgsqlDataSource dataSource, string schema, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        // Municipalities are a list per event: as text, split in SQL (an AGS never holds a comma).
        await using var command = dataSource.CreateCommand(
            $"""
            insert into {schema}.integration_events (event_id, type, body, municipalities, product_id, release_id, recorded_at)
            select e.event_id, e.type, e.body, string_to_array(e.municipalities, ','), e.product_id, e.release_id, e.recorded_at
              from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::timestamptz[])
                   as e(event_id, type, body, municipalities, product_id, release_id, recorded_at)
            on conflict (event_id) do nothing
            """);
        command.Parameters.AddWithValue(events.Select(e => e.EventId).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.Type).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.Body).ToArray());
        command.Parameters.AddWithValue(events.Select(e => string.Join(',', e.Municipalities)).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.ProductId).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.ReleaseId).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.RecordedAt).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>How deprecations and end-of-support changes become CloudEvents.</summary>
public static class DeprecationCloudEvents
{
    /// <summary>
    /// The CloudEvents of the deprecations and end-of-support changes among <paramref name="recorded"/>, with the
    /// releases' names and the municipalities running them as the registry holds them now (one query): for events
    /// appended outside a decision. A decision reads the same context with its stream's lock (<see cref="ContextSql"/>),
    /// and so fixes the payload as of the moment it records the event.
    /// </summary>
    public static async Task<IReadOnlyList<IntegrationEvent>> BuildAsync(
        IReadOnlyList<RecordedEvent> recorded, NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var list = recorded.Select(e => (e.EventId, e.Data, e.RecordedAt)).ToList();
        var releaseIds = list.Select(e => Facts(e.Data)?.ReleaseId).OfType<Guid>().Distinct().ToArray();
        if (releaseIds.Length == 0)
        {
            return [];
        }

        await using var command = dataSource.CreateCommand(ContextSql(schema));
        command.Parameters.AddWithValue(releaseIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return Build(list, await ReadContextsAsync(reader, cancellationToken));
    }

    /// <summary>The CloudEvents of <paramref name="events"/> with the releases' context read before (<see cref="ContextSql"/>).</summary>
    public static IReadOnlyList<IntegrationEvent> Build(
        IEnumerable<(Guid EventId, object Data, DateTimeOffset RecordedAt)> events, IReadOnlyDictionary<Guid, ReleaseContext> contexts)
    {
        var facts = events.Select(e => (e.EventId, e.RecordedAt, Fact: Facts(e.Data))).Where(x => x.Fact is not null).ToList();
        return facts.Select(x =>
        {
            var fact = x.Fact!;
            var context = contexts.GetValueOrDefault(fact.ReleaseId) ?? ReleaseContext.Unknown;
            var data = new DeprecationData(
                fact.ReleaseId, fact.ProductId, context.Product, context.Version, context.Vendor, fact.NoticeId, Date(fact.AnnouncedOn),
                DateOrTba(fact.EndOfSecuritySupport, fact.EndOfSecuritySupportTba), DateOrTba(fact.EndOfLife, fact.EndOfLifeTba),
                fact.Reason, fact.Source, x.RecordedAt, context.Municipalities);
            var cloudEvent = new CloudEvent<DeprecationData>(
                "1.0", x.EventId.ToString(), $"/catalogue/releases/{fact.ReleaseId}", fact.Type, $"release/{fact.ReleaseId}",
                x.RecordedAt, "application/json", data);
            return IntegrationEvent.Of(cloudEvent, context.Municipalities, fact.ProductId, fact.ReleaseId);
        }).ToList();
    }

    /// <summary>What the stored event itself says; the release's names and who runs it come from the indexes.</summary>
    private sealed record Fact(
        string Type, Guid ReleaseId, Guid ProductId, string? NoticeId, DateOnly? AnnouncedOn, DateOnly? EndOfSecuritySupport,
        bool EndOfSecuritySupportTba, DateOnly? EndOfLife, bool EndOfLifeTba, string? Reason, string? Source);

    private static Fact? Facts(object data) => data switch
    {
        VendorDeprecationAnnounced e => new Fact(IntegrationEventTypes.DeprecationAnnounced, e.ReleaseId, e.ProductId, e.NoticeId, e.AnnouncedOn,
            e.EndOfSecuritySupport, e.EndOfSecuritySupportTba, e.EndOfLife, e.EndOfLifeTba, null, e.Source),
        EndOfSupportChanged e => new Fact(IntegrationEventTypes.EndOfSupportChanged, e.ReleaseId, e.ProductId, null, null,
            e.EndOfSecuritySupport, e.EndOfSecuritySupportTba, e.EndOfLife, e.EndOfLifeTba, e.Reason, null),
        _ => null,
    };

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? DateOrTba(DateOnly? date, bool tba) => tba ? "tba" : Date(date);

    /// <summary>What the registry knows of a release when its event is recorded: names, and the municipalities running it.</summary>
    public sealed record ReleaseContext(string? Product, string? Version, string? Vendor, IReadOnlyList<string> Municipalities)
    {
        public static ReleaseContext Unknown { get; } = new(null, null, null, []);
    }

    /// <summary>The releases' context, for the release ids in parameter $1 (uuid[]).</summary>
    public static string ContextSql(string schema) =>
            $"""
            select r.release_id, p.name, r.version_label, v.name,
                   coalesce((select array_agg(distinct i.ags order by i.ags) from {schema}.procedure_index i
                              where i.release_id = r.release_id and i.state <> 'retired'), array[]::text[])
              from {schema}.release_index r
              left join {schema}.product_index p on p.product_id = r.product_id
              left join {schema}.vendor_index v on v.vendor_id = p.vendor_id
             where r.release_id = any($1)
            """;

    /// <summary>Reads the rows of <see cref="ContextSql"/> from the reader's current result.</summary>
    public static async Task<Dictionary<Guid, ReleaseContext>> ReadContextsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var contexts = new Dictionary<Guid, ReleaseContext>();
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

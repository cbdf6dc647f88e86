using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>GET /catalogue/releases, /catalogue/releases/{id} and its audit trail.</summary>
public static class ReleaseReads
{
    /// <summary>Lifecycle dates as on input: "yyyy-MM-dd", "tba" for the end dates, or null when not known.</summary>
    /// <param name="EffectiveEndOfSupport">The end of security support, else the end of life (before any extended support).</param>
    public sealed record LifecycleView(
        string? GeneralAvailability, string? EndOfSales, string? EndOfSecuritySupport, string? EndOfLife, DateOnly? EffectiveEndOfSupport)
    {
        public static LifecycleView From(ReleaseLifecycle l) => new(
            LifecycleDates.Write(l.GeneralAvailability), LifecycleDates.Write(l.EndOfSales),
            LifecycleDates.Write(l.EndOfSecuritySupport, l.EndOfSecuritySupportTba), LifecycleDates.Write(l.EndOfLife, l.EndOfLifeTba),
            l.EffectiveEndOfSupport);
    }

    /// <summary>A vendor's deprecation notice as recorded: the end dates it announced, its source, who recorded it and when.</summary>
    public sealed record DeprecationNoticeView(
        string NoticeId, DateOnly AnnouncedOn, string? EndOfSecuritySupport, string? EndOfLife, string Source, string By, DateTimeOffset RecordedAt);

    /// <param name="Version">The vendor's version label.</param>
    /// <param name="StreamVersion">The version of the release's stream, also its ETag.</param>
    public sealed record ReleaseView(
        Guid ReleaseId,
        Guid ProductId,
        string Version,
        LifecycleView Lifecycle,
        Guid? SuccessorReleaseId,
        IReadOnlyList<DeprecationNoticeView> DeprecationNotices,
        long StreamVersion);

    /// <param name="DeprecatedOn">The day the first deprecation notice was announced, if any.</param>
    public sealed record ReleaseSummary(
        Guid ReleaseId, Guid ProductId, string Version, LifecycleView Lifecycle, Guid? SuccessorReleaseId, DateOnly? DeprecatedOn, long StreamVersion);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync)
            .WithSummary("All registered releases with their lifecycle; `?productId=` lists one product's releases.")
            .WithDescription("Ordered by general availability (unknown last), then version label.");
        group.MapGet("/{id}", GetAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One release: lifecycle, successor and deprecation notices; the ETag is its stream version.")
            .WithDescription("404 `release-unknown` when no release has this id.");
        group.MapGet("/{id}/history", HistoryAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Every event of the release with who, when and correlation: the audit trail.")
            .WithDescription("404 `release-unknown` when no release has this id.");
    }

    private static async Task<Ok<IReadOnlyList<ReleaseSummary>>> ListAsync(
        Guid? productId, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select release_id, product_id, version_label, general_availability, end_of_sales, end_of_security_support, end_of_life,
              end_of_security_support_tba, end_of_life_tba, successor_release_id, deprecated_on, version
            from {options.Schema}.release_index where ($1::uuid is null or product_id = $1)
            order by general_availability nulls last, version_label, release_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)productId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        var views = new List<ReleaseSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var lifecycle = new ReleaseLifecycle(Date(reader, 3), Date(reader, 4), Date(reader, 5), Date(reader, 6), reader.GetBoolean(7), reader.GetBoolean(8));
            views.Add(new ReleaseSummary(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), LifecycleView.From(lifecycle),
                reader.IsDBNull(9) ? null : reader.GetGuid(9), Date(reader, 10), reader.GetInt64(11)));
        }

        return TypedResults.Ok<IReadOnlyList<ReleaseSummary>>(views);
    }

    private static DateOnly? Date(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);

    private static async Task<Results<Ok<ReleaseView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (!CatalogueReferences.TryParseId(id, out var releaseId))
        {
            return CatalogueReferences.UnknownRelease(id);
        }

        var events = await store.ReadStreamAsync(Release.StreamId(releaseId), cancellationToken: cancellationToken);
        if (Fold(events.Select(e => e.Data)) is not { } view)
        {
            return CatalogueReferences.UnknownRelease(id);
        }

        HttpVersioning.SetETag(http, events[^1].Version);
        return TypedResults.Ok(view with { StreamVersion = events[^1].Version });
    }

    /// <summary>The release as its events tell it; null before it is registered.</summary>
    private static ReleaseView? Fold(IEnumerable<object> events)
    {
        ReleaseView? view = null;
        var lifecycle = ReleaseLifecycle.Unknown;
        var notices = new List<DeprecationNoticeView>();
        Guid? successor = null;
        foreach (var @event in events)
        {
            switch (@event)
            {
                case ReleaseRegistered e:
                    view = new ReleaseView(e.ReleaseId, e.ProductId, e.Version, LifecycleView.From(e.Lifecycle), null, notices, 0);
                    lifecycle = e.Lifecycle;
                    break;
                case VendorDeprecationAnnounced e:
                    lifecycle = lifecycle.WithEnds(e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba);
                    notices.Add(new DeprecationNoticeView(e.NoticeId, e.AnnouncedOn, LifecycleDates.Write(e.EndOfSecuritySupport, e.EndOfSecuritySupportTba),
                        LifecycleDates.Write(e.EndOfLife, e.EndOfLifeTba), e.Source, e.By, e.RecordedAt));
                    break;
                case EndOfSupportChanged e:
                    lifecycle = lifecycle.WithEnds(e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba);
                    break;
                case SuccessorDesignated e:
                    successor = e.SuccessorReleaseId;
                    break;
            }
        }

        return view is null ? null : view with { Lifecycle = LifecycleView.From(lifecycle), SuccessorReleaseId = successor };
    }

    private static async Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        string id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken) =>
        CatalogueReferences.TryParseId(id, out var releaseId)
            ? await StreamReads.HistoryAsync(http, store, Release.StreamId(releaseId), CatalogueReferences.ReleaseUnknown,
                $"No release with id {id} is registered.", cancellationToken)
            : CatalogueReferences.UnknownRelease(id);
}

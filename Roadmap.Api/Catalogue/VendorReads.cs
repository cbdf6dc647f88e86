using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>GET /catalogue/vendors, /catalogue/vendors/{id} and its audit trail.</summary>
public static class VendorReads
{
    /// <param name="StreamVersion">The version of the vendor's stream, also its ETag.</param>
    public sealed record VendorView(Guid VendorId, string Name, string? Website, long StreamVersion);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync)
            .WithSummary("All registered vendors, by name.");
        group.MapGet("/{id}", GetAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One vendor; the ETag is its stream version.")
            .WithDescription("404 `vendor-unknown` when no vendor has this id.");
        group.MapGet("/{id}/history", HistoryAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Every event of the vendor with who, when and correlation: the audit trail.")
            .WithDescription("404 `vendor-unknown` when no vendor has this id.");
    }

    private static async Task<Ok<IReadOnlyList<VendorView>>> ListAsync(
        NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"select vendor_id, name, website, version from {options.Schema}.vendor_index order by name, vendor_id");
        var views = new List<VendorView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new VendorView(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)));
        }

        return TypedResults.Ok<IReadOnlyList<VendorView>>(views);
    }

    private static async Task<Results<Ok<VendorView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (!CatalogueReferences.TryParseId(id, out var vendorId))
        {
            return CatalogueReferences.UnknownVendor(id);
        }

        var events = await store.ReadStreamAsync(Vendor.StreamId(vendorId), cancellationToken: cancellationToken);
        if (events.Select(e => e.Data).OfType<VendorRegistered>().FirstOrDefault() is not { } registered)
        {
            return CatalogueReferences.UnknownVendor(id);
        }

        HttpVersioning.SetETag(http, events[^1].Version);
        return TypedResults.Ok(new VendorView(registered.VendorId, registered.Name, registered.Website?.ToString(), events[^1].Version));
    }

    private static async Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        string id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken) =>
        CatalogueReferences.TryParseId(id, out var vendorId)
            ? await StreamReads.HistoryAsync(http, store, Vendor.StreamId(vendorId), CatalogueReferences.VendorUnknown,
                $"No vendor with id {id} is registered.", cancellationToken)
            : CatalogueReferences.UnknownVendor(id);
}

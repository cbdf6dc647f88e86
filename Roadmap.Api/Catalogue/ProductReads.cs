using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>GET /catalogue/products, /catalogue/products/{id} and its audit trail.</summary>
public static class ProductReads
{
    /// <param name="StreamVersion">The version of the product's stream, also its ETag.</param>
    public sealed record ProductView(Guid ProductId, Guid VendorId, string Name, ProcedureCategory Category, long StreamVersion);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync)
            .WithSummary("All registered products, by name; `?vendorId=` lists one vendor's products.");
        group.MapGet("/{id}", GetAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One product; the ETag is its stream version.")
            .WithDescription("404 `product-unknown` when no product has this id.");
        group.MapGet("/{id}/history", HistoryAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Every event of the product with who, when and correlation: the audit trail.")
            .WithDescription("404 `product-unknown` when no product has this id.");
    }

    private static async Task<Ok<IReadOnlyList<ProductView>>> ListAsync(
        Guid? vendorId, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"select product_id, vendor_id, name, category, version from {options.Schema}.product_index where ($1::uuid is null or vendor_id = $1) order by name, product_id");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)vendorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        var views = new List<ProductView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new ProductView(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), Enum.Parse<ProcedureCategory>(reader.GetString(3)), reader.GetInt64(4)));
        }

        return TypedResults.Ok<IReadOnlyList<ProductView>>(views);
    }

    private static async Task<Results<Ok<ProductView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken)
    {
        if (!CatalogueReferences.TryParseId(id, out var productId))
        {
            return CatalogueReferences.UnknownProduct(id);
        }

        var events = await store.ReadStreamAsync(Product.StreamId(productId), cancellationToken: cancellationToken);
        if (events.Select(e => e.Data).OfType<ProductRegistered>().FirstOrDefault() is not { } registered)
        {
            return CatalogueReferences.UnknownProduct(id);
        }

        HttpVersioning.SetETag(http, events[^1].Version);
        return TypedResults.Ok(new ProductView(registered.ProductId, registered.VendorId, registered.Name, registered.Category, events[^1].Version));
    }

    private static async Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        string id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken) =>
        CatalogueReferences.TryParseId(id, out var productId)
            ? await StreamReads.HistoryAsync(http, store, Product.StreamId(productId), CatalogueReferences.ProductUnknown,
                $"No product with id {id} is registered.", cancellationToken)
            : CatalogueReferences.UnknownProduct(id);
}

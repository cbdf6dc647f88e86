using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Deciding;
using Roadmap.EventStore;

namespace Roadmap.Api.Catalogue;

/// <summary>
/// Ids in catalogue URLs and references between catalogue streams. A product names its vendor and a release its
/// product or successor; those live in other streams, so the API reads them before deciding (the deciders cannot).
/// Catalogue streams are never deleted, so a reference checked before the decision is still valid when it is stored.
/// </summary>
internal static class CatalogueReferences
{
    public const string VendorUnknown = "vendor-unknown";
    public const string ProductUnknown = "product-unknown";
    public const string ReleaseUnknown = ViolationCodes.ReleaseUnknown;

    public static bool TryParseId(string value, out Guid id) => Guid.TryParse(value, out id) && id != Guid.Empty;

    public static ProblemHttpResult UnknownVendor(string id) => Problems.NotFound(VendorUnknown, $"No vendor with id {id} is registered.");

    public static ProblemHttpResult UnknownProduct(string id) => Problems.NotFound(ProductUnknown, $"No product with id {id} is registered.");

    public static ProblemHttpResult UnknownRelease(string id) => Problems.NotFound(ReleaseUnknown, $"No release with id {id} is registered.");

    /// <summary>422 <c>vendor-unknown</c> when the vendor the body names is not registered; null when it is.</summary>
    public static async Task<ProblemHttpResult?> RequireVendorAsync(PostgresEventStore store, Guid vendorId, string field, CancellationToken cancellationToken) =>
        await StreamReads.LoadAsync(store, Vendor.StreamId(vendorId), Vendor.Decider.Initial, Vendor.Decider.EvolveStored, cancellationToken)
            is { State: RegisteredVendor }
            ? null
            : UnknownReference(VendorUnknown, field, $"The vendor {vendorId} is not registered. Register the vendor first (POST /catalogue/vendors).");

    /// <summary>422 <c>product-unknown</c> when the product the body names is not registered; null when it is.</summary>
    public static async Task<ProblemHttpResult?> RequireProductAsync(PostgresEventStore store, Guid productId, string field, CancellationToken cancellationToken) =>
        await StreamReads.LoadAsync(store, Product.StreamId(productId), Product.Decider.Initial, Product.Decider.EvolveStored, cancellationToken)
            is { State: RegisteredProduct }
            ? null
            : UnknownReference(ProductUnknown, field, $"The product {productId} is not registered. Register the product first (POST /catalogue/products).");

    /// <summary>422 <c>release-unknown</c> when the release the body names is not registered; null when it is.</summary>
    public static async Task<ProblemHttpResult?> RequireReleaseAsync(PostgresEventStore store, Guid releaseId, string field, CancellationToken cancellationToken) =>
        await IsRegisteredReleaseAsync(store, releaseId, cancellationToken)
            ? null
            : UnknownReference(ReleaseUnknown, field, $"The release {releaseId} is not registered. Register it first (POST /catalogue/releases).");

    public static async Task<bool> IsRegisteredReleaseAsync(PostgresEventStore store, Guid releaseId, CancellationToken cancellationToken) =>
        await StreamReads.LoadAsync(store, Release.StreamId(releaseId), Release.Decider.Initial, Release.Decider.EvolveStored, cancellationToken)
            is { State: RegisteredRelease };

    private static ProblemHttpResult UnknownReference(string code, string field, string detail) =>
        Problems.Create(StatusCodes.Status422UnprocessableEntity, code, "The request refers to something that does not exist", detail,
            new Dictionary<string, object?> { ["code"] = code, ["field"] = field });
}

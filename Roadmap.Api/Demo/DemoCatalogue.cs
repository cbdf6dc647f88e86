using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Demo;

/// <summary>
/// The fictional catalogue of Demo/demo-catalogue.json: vendors, their products and releases with lifecycle dates,
/// deprecation notices and successors, decided through the catalogue deciders. Releases are named
/// "product-key/version" in the demo files.
/// </summary>
internal static class DemoCatalogue
{
    public sealed record VendorEntry(string Key, string Name, string? Website);

    public sealed record DeprecationEntry(string NoticeId, string AnnouncedOn, string? EndOfSecuritySupport, string? EndOfLife, string Source);

    public sealed record ReleaseEntry(
        string Version,
        bool InUse,
        string? GeneralAvailability,
        string? EndOfSales,
        string? EndOfSecuritySupport,
        string? EndOfLife,
        DeprecationEntry? Deprecation,
        string? Successor);

    public sealed record ProductEntry(string Key, string Vendor, string Name, ProcedureCategory Category, IReadOnlyList<ReleaseEntry> Releases);

    public sealed record CatalogueFile(string Source, IReadOnlyList<VendorEntry> Vendors, IReadOnlyList<ProductEntry> Products);

    /// <summary>A release as the procedures see it: its lifecycle after the deprecation notices, its successor and whether municipalities run it.</summary>
    public sealed record DemoRelease(
        string Key, Guid ReleaseId, string ProductName, ProcedureCategory Category, DateOnly? GeneralAvailability, DateOnly? EffectiveEndOfSupport,
        string? Successor, bool InUse);

    /// <summary>The catalogue's streams and its releases by key.</summary>
    public sealed record Built(IReadOnlyList<DemoStream> Streams, IReadOnlyDictionary<string, DemoRelease> Releases, int Vendors, int Products);

    public static Guid VendorId(string key) => DemoIds.For("vendor", key);

    public static Guid ProductId(string key) => DemoIds.For("product", key);

    public static Guid ReleaseId(string releaseKey) => DemoIds.For("release", releaseKey);

    public static Built Build(CatalogueFile file, DateTimeOffset now, string by)
    {
        var streams = new List<DemoStream>();
        var vendorKeys = file.Vendors.Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var vendor in file.Vendors)
        {
            var id = VendorId(vendor.Key);
            var website = vendor.Website is null ? null : new Uri(vendor.Website);
            streams.Add(DemoDecisions.Stream(Vendor.StreamId(id),
                DemoDecisions.DecideAll(Vendor.Decider, [new RegisterVendor(id, vendor.Name, website, now, by)])));
        }

        var releaseKeys = file.Products.SelectMany(p => p.Releases.Select(r => $"{p.Key}/{r.Version}")).ToHashSet(StringComparer.Ordinal);
        var releases = new Dictionary<string, DemoRelease>(StringComparer.Ordinal);
        foreach (var product in file.Products)
        {
            // What the API checks before it decides (the deciders see one stream): the vendor and the successors exist.
            Require(vendorKeys.Contains(product.Vendor), $"product {product.Key} names the unknown vendor {product.Vendor}");
            var productId = ProductId(product.Key);
            streams.Add(DemoDecisions.Stream(Product.StreamId(productId),
                DemoDecisions.DecideAll(Product.Decider, [new RegisterProduct(productId, VendorId(product.Vendor), product.Name, product.Category, now, by)])));
            foreach (var release in product.Releases)
            {
                var key = $"{product.Key}/{release.Version}";
                Require(release.Successor is null || releaseKeys.Contains(release.Successor), $"release {key} names the unknown successor {release.Successor}");
                var events = DemoDecisions.DecideAll(Release.Decider, Commands(release, ReleaseId(key), productId, now, by));
                var state = (RegisteredRelease)Release.Decider.Fold(events);
                streams.Add(DemoDecisions.Stream(Release.StreamId(state.ReleaseId), events));
                releases[key] = new DemoRelease(key, state.ReleaseId, product.Name, product.Category, state.Lifecycle.GeneralAvailability,
                    state.Lifecycle.EffectiveEndOfSupport, release.Successor, release.InUse);
            }
        }

        return new Built(streams, releases, file.Vendors.Count, file.Products.Count);
    }

    private static IEnumerable<IReleaseCommand> Commands(ReleaseEntry release, Guid releaseId, Guid productId, DateTimeOffset now, string by)
    {
        var (endOfSecuritySupport, endOfSecuritySupportTba) = Roadmap.Api.Catalogue.LifecycleDates.ParseEnd(release.EndOfSecuritySupport);
        var (endOfLife, endOfLifeTba) = Roadmap.Api.Catalogue.LifecycleDates.ParseEnd(release.EndOfLife);
        var lifecycle = new ReleaseLifecycle(Roadmap.Api.Catalogue.LifecycleDates.ParseDate(release.GeneralAvailability), Roadmap.Api.Catalogue.LifecycleDates.ParseDate(release.EndOfSales),
            endOfSecuritySupport, endOfLife, endOfSecuritySupportTba, endOfLifeTba);
        yield return new RegisterRelease(releaseId, productId, release.Version, lifecycle, now, by);
        if (release.Deprecation is { } notice)
        {
            var (noticeSecurity, noticeSecurityTba) = Roadmap.Api.Catalogue.LifecycleDates.ParseEnd(notice.EndOfSecuritySupport);
            var (noticeLife, noticeLifeTba) = Roadmap.Api.Catalogue.LifecycleDates.ParseEnd(notice.EndOfLife);
            yield return new AnnounceDeprecation(releaseId, notice.NoticeId, Roadmap.Api.Catalogue.LifecycleDates.ParseDate(notice.AnnouncedOn).GetValueOrDefault(),
                noticeSecurity, noticeLife, noticeSecurityTba, noticeLifeTba, notice.Source, now, by);
        }

        if (release.Successor is { } successor)
        {
            yield return new DesignateSuccessor(releaseId, ReleaseId(successor), now, by);
        }
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Demo/demo-catalogue.json: {problem}.");
        }
    }
}

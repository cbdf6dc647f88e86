using Npgsql;
using NpgsqlTypes;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Municipalities;
using Roadmap.EventStore.Projections;

namespace Roadmap.Projections.Registry;

/// <summary>
/// The lists the API serves right after a decision (municipalities, vendors, products, releases): an inline
/// projection, current when the append returns. Single resources are read by folding their stream, which also
/// gives the version for the ETag; these tables only answer "which ones are there".
/// </summary>
public sealed class CatalogueIndex : Projection
{
    public override string Name => "catalogue_index";

    public override IReadOnlyList<string> Tables => ["municipality_index", "vendor_index", "product_index", "release_index"];

    public override string TablesSql =>
        """
        create table if not exists __schema__.municipality_index (
          ags text primary key, name text not null, land text not null, county_ags text not null,
          registered_at timestamptz not null, version bigint not null);
        create table if not exists __schema__.vendor_index (
          vendor_id uuid primary key, name text not null, website text, version bigint not null);
        create table if not exists __schema__.product_index (
          product_id uuid primary key, vendor_id uuid not null, name text not null, category text not null, version bigint not null);
        create index if not exists product_index_vendor on __schema__.product_index (vendor_id);
        create table if not exists __schema__.release_index (
          release_id uuid primary key, product_id uuid not null, version_label text not null,
          general_availability date, end_of_sales date, end_of_security_support date, end_of_life date,
          end_of_security_support_tba boolean not null, end_of_life_tba boolean not null,
          successor_release_id uuid, deprecated_on date, version bigint not null);
        create index if not exists release_index_product on __schema__.release_index (product_id);
        """;

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var recorded in batch.Events)
        {
            _ = recorded.Data switch
            {
                MunicipalityRegistered e => batch.Write(
                    $"insert into {batch.Table("municipality_index")} (ags, name, land, county_ags, registered_at, version) values ($1, $2, $3, $4, $5, $6)",
                    e.Ags.Value, e.Name, e.Land.Value, e.CountyAgs.Value, e.RecordedAt, recorded.Version),
                MunicipalityRenamed e => batch.Write(
                    $"update {batch.Table("municipality_index")} set name = $2, version = $3 where ags = $1", e.Ags.Value, e.Name, recorded.Version),
                VendorRegistered e => batch.Write(
                    $"insert into {batch.Table("vendor_index")} (vendor_id, name, website, version) values ($1, $2, $3, $4)",
                    e.VendorId, e.Name, e.Website?.ToString(), recorded.Version),
                ProductRegistered e => batch.Write(
                    $"insert into {batch.Table("product_index")} (product_id, vendor_id, name, category, version) values ($1, $2, $3, $4, $5)",
                    e.ProductId, e.VendorId, e.Name, e.Category.ToString(), recorded.Version),
                ReleaseRegistered e => batch.Write(
                    $"""
                    insert into {batch.Table("release_index")} (release_id, product_id, version_label, general_availability, end_of_sales,
                      end_of_security_support, end_of_life, end_of_security_support_tba, end_of_life_tba, version)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    """,
                    e.ReleaseId, e.ProductId, e.Version, e.Lifecycle.GeneralAvailability, e.Lifecycle.EndOfSales, e.Lifecycle.EndOfSecuritySupport,
                    e.Lifecycle.EndOfLife, e.Lifecycle.EndOfSecuritySupportTba, e.Lifecycle.EndOfLifeTba, recorded.Version),
                VendorDeprecationAnnounced e => batch.Write(
                    $"""
                    update {batch.Table("release_index")} set end_of_security_support = $2, end_of_life = $3, end_of_security_support_tba = $4,
                      end_of_life_tba = $5, deprecated_on = coalesce(deprecated_on, $6), version = $7 where release_id = $1
                    """,
                    e.ReleaseId, e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba, e.AnnouncedOn, recorded.Version),
                EndOfSupportChanged e => batch.Write(
                    $"""
                    update {batch.Table("release_index")} set end_of_security_support = $2, end_of_life = $3, end_of_security_support_tba = $4,
                      end_of_life_tba = $5, version = $6 where release_id = $1
                    """,
                    e.ReleaseId, e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba, recorded.Version),
                SuccessorDesignated e => batch.Write(
                    $"update {batch.Table("release_index")} set successor_release_id = $2, version = $3 where release_id = $1",
                    e.ReleaseId, e.SuccessorReleaseId, recorded.Version),
                _ => null,
            };
        }

        return Task.CompletedTask;
    }

}

using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Catalogue;

public sealed class VendorAndProductTests
{
    private static readonly Guid VendorId = Guid.Parse("0199a000-0000-7000-8000-000000000001");
    private static readonly Guid ProductId = Guid.Parse("0199a000-0000-7000-8000-000000000002");

    [Fact]
    public void Registering_a_vendor_records_its_name_and_website()
    {
        Spec.For(Vendor.Decider)
            .When(new RegisterVendor(VendorId, "Ammerdata AG", new Uri("https://ammerdata.example"), Now, By))
            .Then(new VendorRegistered(VendorId, "Ammerdata AG", new Uri("https://ammerdata.example"), By, Now));
    }

    [Fact]
    public void A_vendor_needs_no_website()
    {
        Spec.For(Vendor.Decider)
            .When(new RegisterVendor(VendorId, "Kommunalsoftware GmbH", null, Now, By))
            .Then(new VendorRegistered(VendorId, "Kommunalsoftware GmbH", null, By, Now));
    }

    [Fact]
    public void A_vendor_website_that_is_not_a_web_address_is_rejected()
    {
        Spec.For(Vendor.Decider)
            .When(new RegisterVendor(VendorId, "Ammerdata AG", new Uri("ftp://ammerdata.example"), Now, By))
            .ThenFails("website-invalid");
    }

    [Fact]
    public void Registering_a_vendor_twice_is_rejected()
    {
        Spec.For(Vendor.Decider)
            .Given(new VendorRegistered(VendorId, "Ammerdata AG", null, By, Now))
            .When(new RegisterVendor(VendorId, "Ammerdata AG", null, Now, By))
            .ThenFails("vendor-already-registered");
    }

    [Fact]
    public void Registering_a_product_records_vendor_and_category()
    {
        Spec.For(Product.Decider)
            .When(new RegisterProduct(ProductId, VendorId, "Lech-EWO", ProcedureCategory.Einwohnermeldewesen, Now, By))
            .Then(new ProductRegistered(ProductId, VendorId, "Lech-EWO", ProcedureCategory.Einwohnermeldewesen, By, Now));
    }

    [Fact]
    public void A_product_without_a_vendor_is_rejected()
    {
        Spec.For(Product.Decider)
            .When(new RegisterProduct(ProductId, Guid.Empty, "Lech-EWO", ProcedureCategory.Einwohnermeldewesen, Now, By))
            .ThenFails("vendor-required");
    }

    [Fact]
    public void Registering_a_product_twice_is_rejected()
    {
        Spec.For(Product.Decider)
            .Given(new ProductRegistered(ProductId, VendorId, "Lech-EWO", ProcedureCategory.Einwohnermeldewesen, By, Now))
            .When(new RegisterProduct(ProductId, VendorId, "Lech-EWO", ProcedureCategory.Einwohnermeldewesen, Now, By))
            .ThenFails("product-already-registered");
    }
}

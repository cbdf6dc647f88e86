using Roadmap.Api.Access;
namespace Roadmap.Api.Catalogue;

/// <summary>
/// The catalogue over HTTP: vendors, their products and the products' releases with lifecycle dates, deprecation
/// notices and successors. Unknown ids follow one rule: the problem type names the fact (<c>vendor-unknown</c>,
/// <c>product-unknown</c>, <c>release-unknown</c>); the status says where the id was: 404 when the URL names the
/// resource, 422 when the request body refers to it (with the field in the problem's <c>field</c> member).
/// </summary>
public static class CatalogueEndpoints
{
    public static IEndpointRouteBuilder MapCatalogue(this IEndpointRouteBuilder app)
    {
        var vendors = app.MapGroup("/catalogue/vendors").WithTags("Catalogue: vendors").RequireAccess(Access.Access.ReadCatalogue, Access.Access.PlanCatalogue);
        RegisterVendor.Map(vendors);
        VendorReads.Map(vendors);

        var products = app.MapGroup("/catalogue/products").WithTags("Catalogue: products").RequireAccess(Access.Access.ReadCatalogue, Access.Access.PlanCatalogue);
        RegisterProduct.Map(products);
        ProductReads.Map(products);

        var releases = app.MapGroup("/catalogue/releases").WithTags("Catalogue: releases").RequireAccess(Access.Access.ReadCatalogue, Access.Access.PlanCatalogue);
        RegisterRelease.Map(releases);
        ReleaseReads.Map(releases);
        AnnounceDeprecation.Map(releases);
        ChangeEndOfSupport.Map(releases);
        DesignateSuccessor.Map(releases);
        return app;
    }

    /// <summary>Documents the problems a decision can answer with, so the OpenAPI document lists every status code.</summary>
    internal static RouteHandlerBuilder ProducesDecisionProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}

namespace Roadmap.Api.Municipalities;

public static class MunicipalityEndpoints
{
    public static IEndpointRouteBuilder MapMunicipalities(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/municipalities").WithTags("Municipalities");
        RegisterMunicipality.Map(group);
        RenameMunicipality.Map(group);
        MunicipalityReads.Map(group);
        return app;
    }
}

using Roadmap.Api.Access;
namespace Roadmap.Api.Municipalities;

public static class MunicipalityEndpoints
{
    public static IEndpointRouteBuilder MapMunicipalities(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/municipalities").WithTags("Municipalities").RequireAccess(Access.Access.Read, Access.Access.Plan);
        RegisterMunicipality.Map(group);
        RenameMunicipality.Map(group);
        MunicipalityReads.Map(group);
        return app;
    }
}

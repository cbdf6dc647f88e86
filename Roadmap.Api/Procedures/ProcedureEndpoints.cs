using Roadmap.Api.Access;
namespace Roadmap.Api.Procedures;

public static class ProcedureEndpoints
{
    public static IEndpointRouteBuilder MapProcedures(this IEndpointRouteBuilder app)
    {
        var ofMunicipality = app.MapGroup("/municipalities/{ags}/procedures").WithTags("Procedures").RequireAccess(Access.Access.Read, Access.Access.Plan);
        IntroduceProcedure.Map(ofMunicipality);
        ProcedureReads.MapList(ofMunicipality);

        var procedures = app.MapGroup("/procedures").WithTags("Procedures").RequireAccess(Access.Access.Read, Access.Access.Plan);
        ProcedureReads.Map(procedures);
        PurchaseExtendedSupport.Map(procedures);
        AcceptRisk.Map(procedures);
        PlanReplacement.Map(procedures);
        ScheduleReplacement.Map(procedures);
        CompleteCutOver.Map(procedures);
        RetireProcedure.Map(procedures);
        return app;
    }
}

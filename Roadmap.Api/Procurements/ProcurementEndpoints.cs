using Roadmap.Api.Access;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurements;

namespace Roadmap.Api.Procurements;

public static class ProcurementEndpoints
{
    public static IEndpointRouteBuilder MapProcurements(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/procurements").WithTags("Procurements").RequireAccess(Access.Access.Read, Access.Access.Plan);
        OpenProcurement.Map(group);
        ProcurementReads.Map(group);
        ValueEstimate.Map(group);
        ProcedureDetermination.Map(group);
        StartOfProcurement.Map(group);
        Deadlines.Map(group);
        AwardIntention.Map(group);
        Reviews.Map(group);
        ReviewConclusion.Map(group);
        Award.Map(group);
        Cancellation.Map(group);
        return app;
    }

    /// <summary>A decision on the case's stream; an unknown case is a 404 from the decider.</summary>
    internal static DecisionTarget Target(Guid id) => new(ProcurementCase.StreamId(id));
}

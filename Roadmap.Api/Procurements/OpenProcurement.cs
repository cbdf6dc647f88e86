using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Procurements;

/// <summary>
/// POST /procurements: opens a (possibly joint) procurement case and assigns every participating procedure to it,
/// in one transaction: the case stream and each procedure stream are written together or not at all.
/// </summary>
public static class OpenProcurement
{
    /// <param name="Ags">The participating municipality's AGS.</param>
    /// <param name="ProcedureId">Its procedure instance to be replaced by this procurement.</param>
    public sealed record Participant(string Ags, Guid ProcedureId);

    /// <param name="Title">e.g. "Gemeinsame Beschaffung Einwohnermeldewesen".</param>
    /// <param name="LeadAgs">The municipality that leads the procurement; its Land selects the Land limits.</param>
    public sealed record Request(string Title, ProcedureCategory Category, string LeadAgs, IReadOnlyList<Participant> Participants)
    {
        /// <summary>The example the OpenAPI document shows.</summary>
        public static Request Example => new("Einwohnermeldewesen Kaufering, Penzing, Igling", Roadmap.Domain.Shared.ProcedureCategory.Einwohnermeldewesen, "09181128", [new Participant("09181128", Guid.Parse("0193a1b2-0000-7000-8000-0000000000d1")), new Participant("09181132", Guid.Parse("0193a1b2-0000-7000-8000-0000000000d2")), new Participant("09181127", Guid.Parse("0193a1b2-0000-7000-8000-0000000000d3"))]);
    }

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Title).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Category).IsInEnum();
            RuleFor(r => r.LeadAgs).Must(RegisterMunicipality.BeAgs).WithMessage((_, v) => RegisterMunicipality.AgsReason(v));
            RuleFor(r => r.Participants).NotEmpty().WithMessage("Name at least one participating municipality with its procedure.")
                .Must(participants => participants.Count <= ValueEstimate.MaxShares).WithMessage($"At most {ValueEstimate.MaxShares} participants are accepted.");
            RuleForEach(r => r.Participants).ChildRules(p =>
            {
                p.RuleFor(x => x.Ags).Must(RegisterMunicipality.BeAgs).WithMessage((_, v) => RegisterMunicipality.AgsReason(v));
                p.RuleFor(x => x.ProcedureId).NotEmpty();
            });
        }
    }

    public static void Map(RouteGroupBuilder group) => group.MapPost("/", HandleAsync)
        .Validate<Request>()
        .WithSummary("Opens a procurement case and assigns each participating procedure to it, all or nothing.")
        .WithDescription("Send an Idempotency-Key to make retries safe. 422 `procedure-unknown` for a procedure that was never introduced, " +
            "`procedure-of-another-municipality` when a procedure belongs to another municipality than named; 409 when a procedure cannot be assigned.");

    private static Task<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>> HandleAsync(
        Request request, HttpContext http, Decisions decisions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caseId = Guid.CreateVersion7(clock.GetUtcNow());
        return decisions.DecideAcrossStreamsAsync(
            http,
            $"/procurements/{caseId}",
            caseId.ToString(),
            (writes, ct) => DecideAsync(decisions, writes, caseId, request, ct),
            request,
            cancellationToken);
    }

    private static async Task<(DecisionResponse?, ProblemHttpResult?)> DecideAsync(
        Decisions decisions, Decisions.StreamWrites writes, Guid caseId, Request request, CancellationToken cancellationToken)
    {
        var participants = request.Participants.Select(p => new ProcurementParticipant(Ags.Parse(p.Ags), p.ProcedureId)).ToList();
        var caseEvents = decisions.Procurements.Decide(
            new OpenProcurementCase(caseId, request.Title, request.Category, Ags.Parse(request.LeadAgs), participants, writes.Context.Now, writes.Context.By),
            decisions.Procurements.Initial);

        // Every procedure is checked before anything is appended, so a 422 names the first bad one without partial work.
        var procedures = new List<(ProcurementParticipant Participant, long Version, IReadOnlyList<IProcedureEvent> Events)>();
        foreach (var participant in participants)
        {
            var streamId = ProcedureInstance.StreamId(participant.ProcedureId);
            var current = await writes.LoadAsync(streamId, decisions.Procedures, cancellationToken);
            switch (current.State)
            {
                case NotIntroducedProcedure:
                    return (null, Problems.Create(StatusCodes.Status422UnprocessableEntity, "procedure-unknown", "Unknown procedure",
                        $"No procedure with id {participant.ProcedureId} has been introduced."));
                case ActiveProcedure active when !active.Ags.Equals(participant.Ags):
                    return (null, Problems.Create(StatusCodes.Status422UnprocessableEntity, "procedure-of-another-municipality", "Procedure of another municipality",
                        $"The procedure {participant.ProcedureId} belongs to the municipality {active.Ags}, not to {participant.Ags}."));
            }

            var events = decisions.Procedures.Decide(
                new AssignToProcurement(participant.ProcedureId, caseId, writes.Context.Now, writes.Context.By), current.State);
            procedures.Add((participant, current.Version, events));
        }

        var response = await writes.AppendAsync(ProcurementCase.StreamId(caseId), 0, caseEvents, cancellationToken);
        foreach (var (participant, version, events) in procedures.Where(p => p.Events.Count > 0))
        {
            await writes.AppendAsync(ProcedureInstance.StreamId(participant.ProcedureId), version, events, cancellationToken);
        }

        return (response, null);
    }
}

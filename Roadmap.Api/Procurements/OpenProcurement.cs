using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Api.Municipalities;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

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
        Request request, HttpContext http, Decisions decisions, Wolverine.IMessageBus bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caseId = Guid.CreateVersion7(clock.GetUtcNow());
        var participants = request.Participants.Select(p => new ProcurementParticipant(Ags.Parse(p.Ags), p.ProcedureId)).ToList();
        // A case binds every participating municipality: the caller's key must cover the lead and each participant.
        var scope = Access.AccessClaims.ScopeOf(http.User);
        if (participants.Select(p => p.Ags.Value).Append(request.LeadAgs).FirstOrDefault(a => !scope.Covers(a)) is { } outside)
        {
            return Task.FromResult<Results<Ok<DecisionResponse>, Created<DecisionResponse>, ProblemHttpResult>>(Problems.Create(
                StatusCodes.Status403Forbidden, "out-of-scope", "Outside your scope", $"This key does not cover the municipality {outside}."));
        }

        return decisions.InvokeAsync(
            http,
            bus,
            new DecisionTarget(ProcurementCase.StreamId(caseId), $"/procurements/{caseId}", caseId.ToString()),
            (context, meta) => new OpenProcurementDecision(
                new OpenProcurementCase(caseId, request.Title, request.Category, Ags.Parse(request.LeadAgs), participants, context.Now, context.By), meta),
            request,
            cancellationToken);
    }
}

/// <summary>Opening a procurement case: the case and every participating procedure, decided in one transaction.</summary>
public sealed record OpenProcurementDecision(OpenProcurementCase Command, DecisionMeta Meta);

/// <summary>
/// Wolverine's handler for <see cref="OpenProcurementDecision"/>: the case decider opens the case, the procedure decider
/// assigns each participating procedure; every procedure is checked before anything is appended, so a 422 names the
/// first bad one and nothing is stored. All streams commit together (or a concurrent change of any decides again).
/// </summary>
public static class OpenProcurementDecisionHandler
{
    public static async Task<DecisionOutcome> Handle(
        OpenProcurementDecision message, IDocumentSession session, Decisions decisions, TimeProvider clock, EventStoreOptions options,
        CancellationToken cancellationToken)
    {
        var (command, meta) = (message.Command, message.Meta);
        if (!await DecisionStep.ClaimKeyAsync(session, meta, options.Schema, cancellationToken))
        {
            return new KeyAlreadyClaimed();
        }

        IReadOnlyList<IProcurementEvent> caseEvents;
        try
        {
            caseEvents = decisions.Procurements.Decide(command, decisions.Procurements.Initial);
        }
        catch (DomainRuleViolation violation)
        {
            return DecisionStep.Refuse(session, meta, options.Schema, DomainProblems.From(violation));
        }

        var assignments = new List<(IEventStream<DecidedState<ProcedureState>> Stream, IReadOnlyList<IProcedureEvent> Events)>();
        foreach (var participant in command.Participants)
        {
            var stream = await session.Events.FetchForWriting<DecidedState<ProcedureState>>(
                ProcedureInstance.StreamId(participant.ProcedureId), cancellationToken);
            var state = stream.Aggregate is { } aggregate ? aggregate.State : decisions.Procedures.Initial;
            switch (state)
            {
                case NotIntroducedProcedure:
                    return DecisionStep.Refuse(session, meta, options.Schema, Problems.Create(StatusCodes.Status422UnprocessableEntity,
                        "procedure-unknown", "Unknown procedure", $"No procedure with id {participant.ProcedureId} has been introduced."));
                case ActiveProcedure active when !active.Ags.Equals(participant.Ags):
                    return DecisionStep.Refuse(session, meta, options.Schema, Problems.Create(StatusCodes.Status422UnprocessableEntity,
                        "procedure-of-another-municipality", "Procedure of another municipality",
                        $"The procedure {participant.ProcedureId} belongs to the municipality {active.Ags}, not to {participant.Ags}."));
            }

            try
            {
                assignments.Add((stream, decisions.Procedures.Decide(
                    new AssignToProcurement(participant.ProcedureId, command.CaseId, command.Now, command.By), state)));
            }
            catch (DomainRuleViolation violation)
            {
                return DecisionStep.Refuse(session, meta, options.Schema, DomainProblems.From(violation));
            }
        }

        var caseStream = await session.Events.FetchForWriting<DecidedState<ProcurementCaseState>>(meta.StreamId, cancellationToken);
        var response = DecisionStep.Append(caseStream, caseEvents, meta, clock);
        foreach (var (stream, events) in assignments)
        {
            DecisionStep.Append(stream, events, meta, clock);
        }

        DecisionStep.QueueAnswer(session, meta, options.Schema, response, created: true);
        return new Decided(response, Created: true);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Procurements;

/// <summary>GET /procurements, /procurements/{id} and its audit trail.</summary>
public static class ProcurementReads
{
    public sealed record ListItem(
        Guid CaseId, string Title, string Category, string LeadAgs, IReadOnlyList<string> ParticipantAgs, decimal? TotalNetValue,
        string? ProcedureType, string State, DateOnly? StartedOn, DateOnly? AwardedOn, DateOnly? CancelledOn, long Version);

    public sealed record ParticipantView(string Ags, Guid ProcedureId);

    public sealed record ShareView(string Ags, decimal NetValue);

    /// <summary>The EU threshold the determination rested on; provisional when the period's values were not yet published.</summary>
    public sealed record ThresholdView(decimal Amount, DateOnly ValidFrom, DateOnly ValidTo, bool Provisional);

    /// <summary>The determination; <see cref="AuthorityKindJustification"/> says why another kind than SubCentral applies.</summary>
    public sealed record DeterminationView(
        ProcurementProcedureType SuggestedType, string SuggestionReason, ProcurementProcedureType ChosenType, string? Justification,
        DateOnly PlannedPublicationOn, ThresholdView Threshold, string AppliedLimitName, decimal AppliedLimitAmount, bool ExPostPublicationRequired,
        ContractingAuthorityKind AuthorityKind, string? AuthorityKindJustification);

    public sealed record DeadlinesView(DateOnly? ParticipationDeadline, DateOnly OfferDeadline, bool ElectronicSubmission, bool Urgent, DateOnly? NoticeSentOn);

    public sealed record AwardIntentionView(DateOnly NotifiedOn, string IntendedBidder, int StandstillDays, DateOnly StandstillEndsOn);

    public sealed record ReviewView(
        DateOnly FiledOn, string Chamber, DateOnly DecisionDueOn, DateOnly? ConcludedOn, ReviewOutcome? Outcome, DateOnly? DecisionServedOn,
        DateOnly? AppealPeriodEndsOn);

    public sealed record AwardView(DateOnly AwardedOn, string VendorName, Guid? ReleaseId, decimal NetValue);

    public sealed record CancellationView(DateOnly CancelledOn, string Reason);

    public sealed record ProcurementView(
        Guid CaseId,
        string Title,
        ProcedureCategory Category,
        string LeadAgs,
        IReadOnlyList<ParticipantView> Participants,
        string State,
        decimal? TotalNetValue,
        IReadOnlyList<ShareView> Shares,
        DeterminationView? Determination,
        DateOnly? StartedOn,
        DateOnly? PublishedOn,
        DeadlinesView? Deadlines,
        AwardIntentionView? AwardIntention,
        IReadOnlyList<ReviewView> Reviews,
        AwardView? Award,
        CancellationView? Cancellation,
        long Version,
        IReadOnlyList<SplittingWarning> SplittingWarnings);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync).WithSummary("All procurement cases; `?ags=09181139` lists those a municipality takes part in.");
        group.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One procurement case with the suggested and chosen procedure and its threshold; the ETag is its stream version.")
            .WithDescription("`splittingWarnings` lists, per participating municipality, cases of the same category within twelve months that " +
                "together reach the EU threshold (§ 3 (2) VgV): a warning to check, not a refusal; computed by the async roadmap read model.");
        group.MapGet("/{id:guid}/history", HistoryAsync).WithSummary("Every event of the procurement case with who, when and correlation: the audit trail.");
    }

    private static async Task<Results<Ok<IReadOnlyList<ListItem>>, ProblemHttpResult>> ListAsync(
        string? ags, HttpContext http, NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken cancellationToken)
    {
        Ags? filter = null;
        if (ags is not null && !Ags.TryParse(ags, out filter, out var reason))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "validation", "Invalid AGS", reason);
        }

        await using var command = dataSource.CreateCommand(
            $"""
            select case_id, title, category, lead_ags, participant_ags, total_net_value, procedure_type, state, started_on, awarded_on, cancelled_on, version
            from {options.Schema}.procurement_index where ($1::text is null or $1 = any(participant_ags)) order by case_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter?.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var items = new List<ListItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new ListItem(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<string[]>(4),
                reader.IsDBNull(5) ? null : reader.GetDecimal(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7),
                DateOrNull(reader, 8), DateOrNull(reader, 9), DateOrNull(reader, 10), reader.GetInt64(11)));
        }

        // Only the cases a municipality in the caller's scope leads or takes part in.
        var scope = Access.AccessClaims.ScopeOf(http.User);
        return TypedResults.Ok<IReadOnlyList<ListItem>>(
            scope.Everything ? items : items.Where(c => scope.Covers(c.LeadAgs) || c.ParticipantAgs.Any(scope.Covers)).ToList());
    }

    private static DateOnly? DateOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);

    private static async Task<Results<Ok<ProcurementView>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, PostgresEventStore store, IRoadmapQueries roadmaps, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamAsync(ProcurementCase.StreamId(id), cancellationToken: cancellationToken);
        var view = events.Select(e => e.Data).OfType<IProcurementEvent>().Aggregate((ProcurementView?)null, Evolve);
        if (view is null)
        {
            return Unknown(id);
        }

        HttpVersioning.SetETag(http, events[^1].Version);
        // A warning, not a refusal (§ 3 (2) VgV): from the async roadmap read model, so it may lag the case by a moment.
        var warnings = await roadmaps.GetSplittingWarningsAsync(id, cancellationToken);
        return TypedResults.Ok(view with { Version = events[^1].Version, SplittingWarnings = warnings });
    }

    private static Task<Results<Ok<History>, ProblemHttpResult>> HistoryAsync(
        Guid id, HttpContext http, PostgresEventStore store, CancellationToken cancellationToken) =>
        StreamReads.HistoryAsync(http, store, ProcurementCase.StreamId(id), ViolationCodesUnknown, UnknownDetail(id), cancellationToken);

    private const string ViolationCodesUnknown = Roadmap.Domain.Deciding.ViolationCodes.ProcurementCaseUnknown;

    private static string UnknownDetail(Guid id) => $"No procurement case with id {id} has been opened.";

    private static ProblemHttpResult Unknown(Guid id) => Problems.NotFound(ViolationCodesUnknown, UnknownDetail(id));

    private static ProcurementView? Evolve(ProcurementView? view, IProcurementEvent @event) => (view, @event) switch
    {
        (_, ProcurementCaseOpened e) => new ProcurementView(
            e.CaseId, e.Title, e.Category, e.LeadAgs.Value, [.. e.Participants.Select(p => new ParticipantView(p.Ags.Value, p.ProcedureId))],
            "open", null, [], null, null, null, null, null, [], null, null, 0, []),
        (null, _) => null,
        (_, ProcurementValueEstimated e) => view with
        {
            TotalNetValue = e.TotalNetValue.Euros,
            Shares = [.. e.Shares.Select(s => new ShareView(s.Ags.Value, s.NetValue.Euros))],
            Determination = null,
        },
        (_, ProcurementProcedureDetermined e) => view with
        {
            Determination = new DeterminationView(e.SuggestedType, e.SuggestionReason, e.ChosenType, e.Justification, e.PlannedPublicationOn,
                new ThresholdView(e.ThresholdAmount.Euros, e.ThresholdValidFrom, e.ThresholdValidTo, e.ThresholdProvisional),
                e.AppliedLimitName, e.AppliedLimitAmount.Euros, e.ExPostPublicationRequired, e.AuthorityKind, e.AuthorityKindJustification),
        },
        (_, ProcurementStarted e) => view with
        {
            State = "started",
            StartedOn = e.StartedOn,
            PublishedOn = e.PublishedOn,
        },
        (_, ProcurementDeadlinesSet e) => view with
        {
            PublishedOn = e.PublishedOn ?? view.PublishedOn,
            Deadlines = new DeadlinesView(e.ParticipationDeadline, e.OfferDeadline, e.ElectronicSubmission, e.Urgent, e.NoticeSentOn),
        },
        (_, AwardIntentionNotified e) => view with { AwardIntention = new AwardIntentionView(e.NotifiedOn, e.IntendedBidder, e.StandstillDays, e.StandstillEndsOn) },
        (_, ReviewFiled e) => view with { Reviews = [.. view.Reviews, new ReviewView(e.FiledOn, e.Chamber, e.DecisionDueOn, null, null, null, null)] },
        (_, ReviewConcluded e) => view with
        {
            Reviews = [.. view.Reviews.Select(r => r.ConcludedOn is null
                ? r with { ConcludedOn = e.ConcludedOn, Outcome = e.Outcome, DecisionServedOn = e.DecisionServedOn, AppealPeriodEndsOn = e.AppealPeriodEndsOn }
                : r)],
            AwardIntention = e.Outcome == ReviewOutcome.Upheld ? null : view.AwardIntention,
        },
        (_, ProcurementAwarded e) => view with { State = "awarded", Award = new AwardView(e.AwardedOn, e.VendorName, e.ReleaseId, e.NetValue.Euros) },
        (_, ProcurementCancelled e) => view with { State = "cancelled", Cancellation = new CancellationView(e.CancelledOn, e.Reason) },
        _ => view,
    };
}

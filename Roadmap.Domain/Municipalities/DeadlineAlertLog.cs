using System.Collections.Immutable;
using System.Globalization;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Municipalities;

// Events ------------------------------------------------------------------------------------------------------

public interface IDeadlineAlertEvent : IDomainEvent
{
    Ags Ags { get; }

    Guid ProcedureId { get; }
}

/// <summary>
/// A deadline of a procedure's replacement comes near: the day is <see cref="LeadDays"/> or fewer days away (reason
/// "lead"), or the procedure's slack band got worse since its last alert (reason "band-worsened").
/// </summary>
/// <param name="Milestone">procurement-start (the latest day to start the procurement) or award (the latest award).</param>
/// <param name="Band">The slack band when the alert was recorded (late, high, moderate, low); null when not computable.</param>
public sealed record DeadlineApproaching(
    Ags Ags, Guid ProcedureId, string Procedure, string Milestone, DateOnly DueOn, int LeadDays, int DaysLeft,
    string? Band, string? PreviousBand, string Reason, string By, DateTimeOffset RecordedAt) : IDeadlineAlertEvent;

/// <summary>The latest day of a milestone passed and it was not reached.</summary>
public sealed record DeadlineMissed(
    Ags Ags, Guid ProcedureId, string Procedure, string Milestone, DateOnly DueOn, string? Band, string By, DateTimeOffset RecordedAt) : IDeadlineAlertEvent;

// Commands ----------------------------------------------------------------------------------------------------

/// <summary>One milestone of a procedure as the roadmap computes it today: its latest day and the procedure's band.</summary>
public sealed record DeadlineWatch(Guid ProcedureId, string Procedure, string Milestone, DateOnly DueOn, SlackBand? Band);

/// <summary>
/// Records the deadline alerts that are due on <paramref name="Today"/> for the milestones the roadmap computes now
/// (<paramref name="Watches"/>), at the leads (days before the latest day, e.g. 180, 90, 30, 0).
/// </summary>
public sealed record RecordDeadlineAlerts(
    Ags Ags, IReadOnlyList<DeadlineWatch> Watches, DateOnly Today, IReadOnlyList<int> Leads, DateTimeOffset Now, string By) : IDomainCommand;

// State -------------------------------------------------------------------------------------------------------

/// <param name="Alerted">The alerts recorded (<see cref="DeadlineAlertLog.AlertKey"/>): none is recorded twice.</param>
/// <param name="AlertedBands">Per procedure, the band its latest alert carried: an alert when it gets worse.</param>
public sealed record DeadlineAlertState(ImmutableHashSet<string> Alerted, ImmutableDictionary<Guid, string> AlertedBands)
{
    public static DeadlineAlertState Initial { get; } = new([], ImmutableDictionary<Guid, string>.Empty);
}

// Decider -----------------------------------------------------------------------------------------------------

/// <summary>
/// A municipality's deadline alerts: one stream per municipality (<c>deadline-alerts-{ags}</c>), beside its own stream,
/// so an automatic alert never changes the version a person's decision on the municipality names in If-Match. Each
/// alert is recorded once: at most the tightest lead reached (a late review does not record the leads it slept
/// through), a missed day once it has passed, and a band worse than the procedure's last alert carried. A moved date
/// is a new deadline with alerts of its own.
/// </summary>
public static class DeadlineAlertLog
{
    public const string StreamIdPrefix = "deadline-alerts-";
    public const string ProcurementStart = "procurement-start";
    public const string Award = "award";
    public const string Lead = "lead";
    public const string BandWorsened = "band-worsened";
    public const string Missed = "missed";

    public static Decider<RecordDeadlineAlerts, IDeadlineAlertEvent, DeadlineAlertState> Decider { get; } =
        new(DeadlineAlertState.Initial, Evolve, Decide);

    public static string StreamId(Ags ags) => $"{StreamIdPrefix}{ags.Value}";

    /// <summary>The identity of one alert: the procedure, the milestone, its latest day, and the lead (or "missed", or the band).</summary>
    public static string AlertKey(Guid procedureId, string milestone, DateOnly dueOn, string what) =>
        $"{procedureId:N}|{milestone}|{dueOn:yyyy-MM-dd}|{what}";

    /// <summary>The band's name in events and CloudEvents.</summary>
    public static string BandName(SlackBand band) => band switch
    {
        SlackBand.Late => "late",
        SlackBand.High => "high",
        SlackBand.Moderate => "moderate",
        _ => "low",
    };

    /// <summary>How urgent a band is: late 3, high 2, moderate 1, low 0.</summary>
    public static int Severity(string band) => band switch
    {
        "late" => 3,
        "high" => 2,
        "moderate" => 1,
        _ => 0,
    };

    public static DeadlineAlertState Evolve(DeadlineAlertState state, IDeadlineAlertEvent @event)
    {
        var (key, band) = @event switch
        {
            DeadlineApproaching e when e.Reason == BandWorsened => (AlertKey(e.ProcedureId, e.Milestone, e.DueOn, $"band-{e.Band}"), e.Band),
            DeadlineApproaching e => (AlertKey(e.ProcedureId, e.Milestone, e.DueOn, Text(e.LeadDays)), e.Band),
            DeadlineMissed e => (AlertKey(e.ProcedureId, e.Milestone, e.DueOn, Missed), e.Band),
            _ => (null, null),
        };
        return key is null
            ? state
            : new DeadlineAlertState(state.Alerted.Add(key), band is null ? state.AlertedBands : state.AlertedBands.SetItem(@event.ProcedureId, band));
    }

    public static IReadOnlyList<IDeadlineAlertEvent> Decide(RecordDeadlineAlerts c, DeadlineAlertState s)
    {
        Guard.RequireActor(c);
        Guard.Require(c.Leads.Count > 0 && c.Leads.All(l => l is >= 0 and <= 3660), ViolationCodes.DeadlineLeadsInvalid,
            "Deadline leads are whole days from 0 to 3660, at least one.", "leads");
        var alerts = new List<IDeadlineAlertEvent>();
        var alertedProcedures = new HashSet<Guid>();
        var leads = c.Leads.Distinct().Order().ToList();
        foreach (var w in c.Watches.OrderBy(w => w.DueOn).ThenBy(w => w.ProcedureId).ThenBy(w => w.Milestone, StringComparer.Ordinal))
        {
            var band = w.Band is { } b ? BandName(b) : null;
            var daysLeft = w.DueOn.DayNumber - c.Today.DayNumber;
            if (daysLeft < 0)
            {
                if (!s.Alerted.Contains(AlertKey(w.ProcedureId, w.Milestone, w.DueOn, Missed)))
                {
                    alerts.Add(new DeadlineMissed(c.Ags, w.ProcedureId, w.Procedure, w.Milestone, w.DueOn, band, c.By, c.Now));
                    alertedProcedures.Add(w.ProcedureId);
                }

                continue;
            }

            // The tightest lead reached, unless it (or a tighter one) was recorded for this day already.
            var reached = leads.Where(l => daysLeft <= l).Cast<int?>().FirstOrDefault();
            if (reached is { } lead)
            {
                if (!leads.Where(l => l <= lead).Any(l => s.Alerted.Contains(AlertKey(w.ProcedureId, w.Milestone, w.DueOn, Text(l)))))
                {
                    alerts.Add(new DeadlineApproaching(c.Ags, w.ProcedureId, w.Procedure, w.Milestone, w.DueOn, lead, daysLeft, band, null, Lead, c.By, c.Now));
                    alertedProcedures.Add(w.ProcedureId);
                    continue;
                }
            }

            // A worse band than the procedure's last alert carried: once per procedure and review, on its nearest milestone.
            if (band is not null && !alertedProcedures.Contains(w.ProcedureId)
                && s.AlertedBands.TryGetValue(w.ProcedureId, out var previous) && Severity(band) > Severity(previous)
                && !s.Alerted.Contains(AlertKey(w.ProcedureId, w.Milestone, w.DueOn, $"band-{band}")))
            {
                alerts.Add(new DeadlineApproaching(c.Ags, w.ProcedureId, w.Procedure, w.Milestone, w.DueOn, daysLeft, daysLeft, band, previous, BandWorsened, c.By, c.Now));
                alertedProcedures.Add(w.ProcedureId);
            }
        }

        return [.. alerts];
    }

    private static string Text(int lead) => lead.ToString(CultureInfo.InvariantCulture);
}

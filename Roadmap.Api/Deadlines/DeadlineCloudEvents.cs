using System.Globalization;
using System.Text.Json.Serialization;
using Roadmap.Api.Integrations;
using Roadmap.Domain.Municipalities;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Deadlines;

/// <summary>
/// The payload of a deadline alert (de.roadmap.municipality.deadline-approaching.v1 and …deadline-missed.v1): which
/// procedure of which municipality, which milestone and its latest day, and how the roadmap stood when it was recorded.
/// </summary>
/// <param name="Milestone">procurement-start or award.</param>
/// <param name="LeadDays">The lead that was reached (approaching only; for a worsened band the days left).</param>
/// <param name="Reason">lead, band-worsened or missed.</param>
public sealed record DeadlineAlertData(
    [property: JsonPropertyName("ags")] string Ags,
    [property: JsonPropertyName("municipality")] string Municipality,
    [property: JsonPropertyName("procedure_id")] Guid ProcedureId,
    [property: JsonPropertyName("procedure")] string Procedure,
    [property: JsonPropertyName("milestone")] string Milestone,
    [property: JsonPropertyName("due_on")] string DueOn,
    [property: JsonPropertyName("lead_days")] int? LeadDays,
    [property: JsonPropertyName("days_left")] int DaysLeft,
    [property: JsonPropertyName("band")] string? Band,
    [property: JsonPropertyName("previous_band")] string? PreviousBand,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("release_id")] Guid? ReleaseId,
    [property: JsonPropertyName("product_name")] string? ProductName,
    [property: JsonPropertyName("product_version")] string? ProductVersion,
    [property: JsonPropertyName("vendor_name")] string? VendorName);

public static class DeadlineCloudEvents
{
    /// <summary>The CloudEvent of an alert just decided, with the roadmap entry it was decided from and its release's product.</summary>
    public static IntegrationEvent Build(
        Guid eventId, DateTimeOffset recordedAt, IDeadlineAlertEvent alert, MunicipalityRoadmap roadmap, IReadOnlyDictionary<Guid, Guid> productOfRelease)
    {
        var (procedureId, milestone, dueOn) = alert switch
        {
            DeadlineApproaching a => (a.ProcedureId, a.Milestone, a.DueOn),
            DeadlineMissed m => (m.ProcedureId, m.Milestone, m.DueOn),
            _ => throw new ArgumentException($"{alert.GetType().Name} is not a deadline alert.", nameof(alert)),
        };
        var entry = roadmap.Entries.FirstOrDefault(e => e.ProcedureId == procedureId);
        var data = alert switch
        {
            DeadlineApproaching a => new DeadlineAlertData(
                roadmap.Ags, roadmap.Name, a.ProcedureId, a.Procedure, a.Milestone, Date(a.DueOn), a.LeadDays, a.DaysLeft, a.Band, a.PreviousBand,
                a.Reason, entry?.Release.ReleaseId, entry?.Release.Product, entry?.Release.Version, entry?.Release.Vendor),
            DeadlineMissed m => new DeadlineAlertData(
                roadmap.Ags, roadmap.Name, m.ProcedureId, m.Procedure, m.Milestone, Date(m.DueOn), null, m.DueOn.DayNumber - CalendarDayOf(recordedAt).DayNumber,
                m.Band, null, "missed", entry?.Release.ReleaseId, entry?.Release.Product, entry?.Release.Version, entry?.Release.Vendor),
            _ => throw new ArgumentException(null, nameof(alert)),
        };
        var type = alert is DeadlineMissed ? IntegrationEventTypes.DeadlineMissed : IntegrationEventTypes.DeadlineApproaching;
        var cloudEvent = new CloudEvent<DeadlineAlertData>(
            "1.0", eventId.ToString(), $"/municipalities/{roadmap.Ags}", type, $"procedure/{procedureId}/{milestone}/{Date(dueOn)}",
            recordedAt, "application/json", data);
        Guid? productId = entry is not null && productOfRelease.TryGetValue(entry.Release.ReleaseId, out var product) ? product : null;
        return IntegrationEvent.Of(cloudEvent, [roadmap.Ags], productId, entry?.Release.ReleaseId);
    }

    private static DateOnly CalendarDayOf(DateTimeOffset instant) => Roadmap.Domain.Shared.CalendarDay.Of(instant);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

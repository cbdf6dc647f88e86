using System.Diagnostics;

namespace Roadmap.Benchmarks;

/// <summary>
/// Sums the time of Npgsql's command activities (its OpenTelemetry tracing, ActivitySource "Npgsql") by kind of
/// statement, to see inside Marten's daemon and the API's queries without changing them. An activity runs from sending
/// the command (or batch) until its reader is closed, so for an event page it includes fetching and deserializing the rows; the
/// "received-first-response" event marks the first answer from the server. Transaction commits are not traced.
/// </summary>
internal sealed class StatementTimings : IDisposable
{
    private readonly Func<string, string?> _classify;
    private readonly ActivityListener _listener;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Totals> _totals = new(StringComparer.Ordinal);
    private bool _stopped;

    public sealed class Totals
    {
        public long Count { get; set; }

        public double Seconds { get; set; }

        /// <summary>Summed time from sending the command to the first response of the server.</summary>
        public double FirstResponseSeconds { get; set; }
    }

    /// <param name="classify">Names the kind of a statement from its text, or null to ignore it.</param>
    public StatementTimings(Func<string, string?> classify)
    {
        _classify = classify;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public Totals Of(string kind)
    {
        lock (_gate)
        {
            return _totals.TryGetValue(kind, out var totals) ? totals : new Totals();
        }
    }

    /// <summary>Stops counting; the totals stay readable.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
        }
    }

    private void OnStopped(Activity activity)
    {
        if (activity.GetTagItem("db.query.text") is not string text || _classify(text) is not { } kind)
        {
            return;
        }

        var firstResponse = activity.Events.FirstOrDefault(e => e.Name == "received-first-response");
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (!_totals.TryGetValue(kind, out var totals))
            {
                totals = new Totals();
                _totals.Add(kind, totals);
            }

            totals.Count++;
            totals.Seconds += activity.Duration.TotalSeconds;
            if (firstResponse.Name is not null)
            {
                totals.FirstResponseSeconds += (firstResponse.Timestamp.UtcDateTime - activity.StartTimeUtc).TotalSeconds;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}

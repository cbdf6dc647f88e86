using System.Globalization;

namespace Roadmap.Api.Deadlines;

/// <summary>
/// Configuration section Roadmap:Deadlines. <c>Leads</c>: days before a milestone's latest day at which an alert is
/// recorded (comma-separated, default "180,90,30,0"). <c>Enabled</c>: false stops this node from scheduling and
/// reviewing deadlines (another node, or none, does it). <c>ReviewPollMs</c>: how often a node looks for roadmaps that
/// changed since their last review (default 5000): a decision that moves a date is reviewed within about that time.
/// <c>CatchUpTimeoutSeconds</c>: how long a review waits for the roadmap projection to include every decision committed
/// before it began (default 30); after that it is retried later.
/// </summary>
public sealed class DeadlineOptions
{
    public const string Section = "Roadmap:Deadlines";

    public IReadOnlyList<int> Leads { get; init; } = [180, 90, 30, 0];

    public bool Enabled { get; init; } = true;

    public TimeSpan ReviewPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static DeadlineOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var leads = section["Leads"] is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 3660
                    ? days
                    : throw new InvalidOperationException($"{Section}:Leads is a comma-separated list of whole days from 0 to 3660, not '{text}'."))
                .Distinct().OrderDescending().ToList()
            : [180, 90, 30, 0];
        if (leads.Count == 0)
        {
            throw new InvalidOperationException($"{Section}:Leads needs at least one lead.");
        }

        return new DeadlineOptions
        {
            Leads = leads,
            Enabled = section.GetValue("Enabled", true),
            ReviewPollInterval = TimeSpan.FromMilliseconds(Math.Max(10, section.GetValue("ReviewPollMs", 5000))),
            CatchUpTimeout = TimeSpan.FromSeconds(section.GetValue("CatchUpTimeoutSeconds", 30)),
        };
    }
}

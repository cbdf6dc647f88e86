namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// Configuration section Roadmap:Webhooks. Defaults suit production: https only, no private networks, retries
/// with exponential backoff over about five hours.
/// </summary>
public sealed class WebhookOptions
{
    public const string Section = "Roadmap:Webhooks";

    /// <summary>Hosts that may be reached over plain http (e.g. localhost in Development). Listing a host also admits its private addresses.</summary>
    public string[] AllowHttpHosts { get; set; } = [];

    /// <summary>Whether targets may resolve to loopback, private (RFC 1918, ULA) or link-local addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one attempt may take, connect to last response header.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery; after the last one it becomes a dead letter and the subscription is failing.</summary>
    public int MaxAttempts { get; set; } = 15;

    /// <summary>Wait after the first failed attempt; it doubles per attempt up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The sender's fallback poll when no notification arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>False: this node dispatches and serves the API but sends no webhooks.</summary>
    public bool RunSender { get; set; } = true;

    /// <summary>Test hook: called once an attempt's response has arrived, before its outcome is stored.</summary>
    internal Func<long, Task>? AfterResponse { get; set; }

    public bool IsHttpAllowed(string host) =>
        AllowHttpHosts.Any(h => string.Equals(h.Trim().Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1: doubling, capped, then "equal jitter" (half fixed, half random).</summary>
    public TimeSpan BackoffAfter(int failedAttempts, Random random)
    {
        var exponent = Math.Min(failedAttempts - 1, 30);
        var ticks = Math.Min(InitialBackoff.Ticks * Math.Pow(2, exponent), MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)(ticks / 2 + random.NextDouble() * ticks / 2));
    }
}

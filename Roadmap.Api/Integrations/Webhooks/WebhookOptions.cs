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

    /// <summary>How long a subscription's worker waits for more deliveries once its queue is empty, holding its connection.</summary>
    public TimeSpan WorkerIdleTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Subscriptions sent to at the same time on this node; each holds a database connection while it runs.</summary>
    public int MaxConcurrentSubscriptions { get; set; } = 32;

    /// <summary>
    /// The key (32 bytes, base64) signing secrets are encrypted with at rest (AES-256-GCM); required. Moving the old
    /// value to <see cref="PreviousSecretKeys"/> and setting a new one re-encrypts every secret at the next start.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// How long the previous signing secret keeps signing too after a rotation (deliveries carry both signatures),
    /// so receivers can switch without refusing deliveries; zero switches at once.
    /// </summary>
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Earlier values of <see cref="SecretKey"/>, still accepted for decryption.</summary>
    public string[] PreviousSecretKeys { get; set; } = [];

    /// <summary>False: this node dispatches and serves the API but sends no webhooks.</summary>
    public bool RunSender { get; set; } = true;

    /// <summary>Test hook: called once an attempt's response has arrived, before its outcome is stored.</summary>
    internal Func<long, Task>? AfterResponse { get; set; }

    /// <summary>Refuses a configuration the sender cannot work with, naming the setting, so the node fails at start-up.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{Section}:{name} must be a positive time span (was {value})");
            }
        }

        Positive(AttemptTimeout, nameof(AttemptTimeout));
        Positive(InitialBackoff, nameof(InitialBackoff));
        Positive(MaxBackoff, nameof(MaxBackoff));
        Positive(PollInterval, nameof(PollInterval));
        Positive(WorkerIdleTime, nameof(WorkerIdleTime));
        if (RotationGracePeriod < TimeSpan.Zero)
        {
            problems.Add($"{Section}:RotationGracePeriod must not be negative (was {RotationGracePeriod})");
        }

        if (MaxBackoff < InitialBackoff)
        {
            problems.Add($"{Section}:MaxBackoff ({MaxBackoff}) must not be shorter than InitialBackoff ({InitialBackoff})");
        }

        if (MaxAttempts < 1)
        {
            problems.Add($"{Section}:MaxAttempts must be at least 1 (was {MaxAttempts})");
        }

        if (MaxConcurrentSubscriptions < 1)
        {
            problems.Add($"{Section}:MaxConcurrentSubscriptions must be at least 1 (was {MaxConcurrentSubscriptions})");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid webhook configuration: " + string.Join("; ", problems));
        }
    }

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

using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Access;

/// <summary>
/// Requests per caller (ASP.NET Core's rate limiter): a token bucket per key or token subject, and a smaller one per
/// address for callers without credentials. A caller over its rate gets 429 problem details with <c>Retry-After</c>;
/// one busy integration cannot slow the planners down. Configuration: <c>Roadmap:Limits:PerKey:PermitsPerSecond</c>
/// and <c>:Burst</c> (default 500 and 1,000: far above what a person or an integration sends, a guard against a
/// runaway client), <c>Roadmap:Limits:Anonymous:PermitsPerSecond</c> and <c>:Burst</c> (20 and 40).
/// </summary>
public static class RateLimits
{
    /// <summary>One bucket's size: requests per second, and how many may come at once.</summary>
    public sealed class BucketSettings
    {
        public int PermitsPerSecond { get; set; }

        public int Burst { get; set; }
    }

    /// <summary><c>Roadmap:Limits</c>, bound once.</summary>
    public sealed class Settings
    {
        public BucketSettings PerKey { get; set; } = new() { PermitsPerSecond = 500, Burst = 1_000 };

        public BucketSettings Anonymous { get; set; } = new() { PermitsPerSecond = 20, Burst = 40 };
    }

    public static IServiceCollection AddRoadmapRateLimits(this IServiceCollection services)
    {
        services.AddOptions<Settings>().BindConfiguration("Roadmap:Limits");
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var settings = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Settings>>().Value;
                return http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } caller
                    ? Bucket($"caller:{caller}", settings.PerKey)
                    : Bucket($"address:{http.Connection.RemoteIpAddress}", settings.Anonymous);
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                    $"This caller sent more requests than its rate allows; retry after {retryAfter} s.");
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(string partition, BucketSettings bucket) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.Burst,
            TokensPerPeriod = bucket.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}

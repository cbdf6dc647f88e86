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
    public static IServiceCollection AddRoadmapRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var settings = http.RequestServices.GetRequiredService<IConfiguration>().GetSection("Roadmap:Limits");
                if (http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } caller)
                {
                    return Bucket($"caller:{caller}", settings.GetSection("PerKey"), 500, 1_000);
                }

                return Bucket($"address:{http.Connection.RemoteIpAddress}", settings.GetSection("Anonymous"), 20, 40);
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

    private static RateLimitPartition<string> Bucket(string partition, IConfiguration settings, int permitsPerSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.GetValue("Burst", burst),
            TokensPerPeriod = settings.GetValue("PermitsPerSecond", permitsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}

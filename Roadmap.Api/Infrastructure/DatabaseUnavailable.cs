using Microsoft.AspNetCore.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// A request that meets a database that is down, restarting or out of connections is answered 503 with
/// <c>Retry-After</c> and problem details (issue 13): the client may retry, and nothing was decided, because the
/// decision's transaction could not commit. Everything else stays a 500.
/// </summary>
public sealed class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception))
        {
            return false;
        }

        logger.LogWarning("The database is not available: {Message}", Innermost(exception).Message);
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await Problems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "database-unavailable", "The database is not available",
            $"The service cannot reach its database just now; nothing was stored. Retry after {RetryAfterSeconds} seconds.", exception);
    }

    /// <summary>
    /// A connection that could not be made or was lost (refused, reset, timed out, a pool with no free connection), or
    /// the server saying it is shutting down, starting or full. Follows inner exceptions (Marten and Wolverine wrap them).
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsUnavailable):
                    return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}

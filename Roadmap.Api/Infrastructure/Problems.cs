using Microsoft.AspNetCore.Http.HttpResults;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// RFC 9457 problem details with a machine-readable type per rule: <c>/problems/{code}</c>, a relative URI
/// reference that clients compare as a string (and that GET /problems/{code} explains).
/// </summary>
public static class Problems
{
    public static string TypeFor(string code) => $"/problems/{code}";

    public static ProblemHttpResult Create(int status, string code, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, type: TypeFor(code), extensions: extensions);

    /// <summary>
    /// Writes problem details straight to the response, for the middleware that answers before an endpoint does
    /// (access, rate limits, body size, an unavailable database); false when the response has already started.
    /// </summary>
    public static ValueTask<bool> WriteAsync(HttpContext http, int status, string code, string title, string detail, Exception? exception = null)
    {
        http.Response.StatusCode = status;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Type = TypeFor(code), Title = title, Detail = detail },
        });
    }

    public static ProblemHttpResult NotFound(string code, string detail) =>
        Create(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ProblemHttpResult Conflict(string code, string title, string detail) =>
        Create(StatusCodes.Status409Conflict, code, title, detail);
}

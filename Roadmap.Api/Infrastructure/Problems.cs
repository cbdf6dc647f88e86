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

    public static ProblemHttpResult NotFound(string code, string detail) =>
        Create(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ProblemHttpResult Conflict(string code, string title, string detail) =>
        Create(StatusCodes.Status409Conflict, code, title, detail);
}

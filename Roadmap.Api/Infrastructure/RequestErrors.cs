using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Bad input never becomes a 500: unreadable JSON, wrong types and unknown enum values are a 400 problem that
/// says where; a body over the limit is a 413; a JSON body in a charset .NET does not know is a 415; an unexpected
/// failure stays a 500 (never hidden as a 404).
/// </summary>
public sealed partial class RequestErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        // "Content-Type: application/json; charset=ebcdic": the framework's JSON reader throws before binding does.
        if (exception is InvalidOperationException { InnerException: ArgumentException } && UnknownCharset().Match(exception.Message) is { Success: true } charset)
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails =
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Type = Problems.TypeFor("body-charset-unsupported"),
                    Title = "Unsupported charset",
                    Detail = $"The body's charset '{Truncate(charset.Groups["charset"].Value)}' is not supported; send the JSON as UTF-8 (Content-Type: application/json).",
                },
            });
        }

        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        IReadOnlyDictionary<string, string[]> errors = new Dictionary<string, string[]>();
        string code, title, detail;
        var status = bad.StatusCode;
        switch (bad)
        {
            case { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                (code, title, detail) = ("body-too-large", "Request body too large", $"The body exceeds {RequestLimits.MaxBodyBytes:N0} bytes.");
                break;
            case { InnerException: JsonException json }:
                status = StatusCodes.Status400BadRequest;
                (code, title) = ("body-invalid-json", "The request body could not be read");
                (detail, errors) = JsonInput.Explain(json, BodyType(http));
                if (http.Request.ContentLength is null)
                {
                    // A chunked body the reader gave up on: after this answer Kestrel drains the rest, and drops the
                    // connection when that goes past the body limit; the answer would have promised to keep it.
                    http.Response.Headers.Connection = "close";
                }
                break;
            default:
                (code, title, detail) = ("request-invalid", "Bad request", Describe(bad.Message));
                if (NotProvidedFromBody().IsMatch(bad.Message))
                {
                    (code, detail) = ("body-invalid-json", "The request needs a JSON object with the request's fields as its body.");
                }
                else if (FailedToBind().Match(bad.Message) is { Success: true } binding)
                {
                    var name = binding.Groups["name"].Value;
                    detail = $"'{Truncate(binding.Groups["value"].Value)}' is not a valid {name}: it must be {Expectation(binding.Groups["type"].Value)}.";
                    errors = new Dictionary<string, string[]> { [name] = [detail] };
                }

                break;
        }

        http.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Type = Problems.TypeFor(code),
                Title = title,
                Detail = detail,
            },
        };
        if (errors.Count > 0)
        {
            context.ProblemDetails.Extensions["errors"] = errors;
        }

        return await problems.TryWriteAsync(context);
    }

    [System.Text.RegularExpressions.GeneratedRegex("(^Required parameter \"[^\"]*\" was not provided from body|but no body was provided)")]
    private static partial System.Text.RegularExpressions.Regex NotProvidedFromBody();

    [System.Text.RegularExpressions.GeneratedRegex("request content type charset '(?<charset>[^']*)' is not a known encoding")]
    private static partial System.Text.RegularExpressions.Regex UnknownCharset();

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>\\w+)\" from \"(?<value>.*)\"\\.$")]
    private static partial System.Text.RegularExpressions.Regex FailedToBind();

    /// <summary>The endpoint's body type; the exception handler has cleared the endpoint, its feature keeps it.</summary>
    private static Type? BodyType(HttpContext http) =>
        (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;

    /// <summary>Kestrel's and routing's own sentences, without the parameter's .NET type.</summary>
    private static string Describe(string message) => JsonInput.Sanitize(message);

    /// <summary>"Nullable&lt;Guid&gt;", "Guid?", "int": what the parameter's value looks like.</summary>
    private static string Expectation(string typeName) => typeName switch
    {
        _ when typeName.Contains("Guid", StringComparison.Ordinal) => JsonInput.Expectation(typeof(Guid)),
        _ when typeName.Contains("DateOnly", StringComparison.Ordinal) => JsonInput.Expectation(typeof(DateOnly)),
        _ when typeName.Contains("bool", StringComparison.OrdinalIgnoreCase) => JsonInput.Expectation(typeof(bool)),
        _ when typeName.Contains("int", StringComparison.OrdinalIgnoreCase) || typeName.Contains("long", StringComparison.OrdinalIgnoreCase) =>
            JsonInput.Expectation(typeof(int)),
        _ => "a value of another form",
    };

    private static string Truncate(string value) => value.Length > 40 ? value[..40] + "…" : value;
}

public static class RequestLimits
{
    public const long MaxBodyBytes = 256 * 1024;

    /// <summary>
    /// Refuses bodies above the limit before anything reads them, with a problem rather than a dropped connection. A body
    /// nobody read (the 413 for a declared length came first, or a 401, 404 or 415) is read and discarded by Kestrel after
    /// the answer, under the server's own limit rather than ours: under ours the drain of a longer body fails and drops
    /// the connection after a keep-alive answer, and a client that reuses the connection loses its next request.
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            await Problems.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large",
                $"The body has {http.Request.ContentLength:N0} bytes; at most {MaxBodyBytes:N0} are accepted.");
            return;
        }

        var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        var serverLimit = limit?.MaxRequestBodySize;
        if (limit is not null)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            await next(http);
        }
        finally
        {
            // Still writable: nothing has started to read the body.
            if (limit is { IsReadOnly: false })
            {
                limit.MaxRequestBodySize = serverLimit;
            }
        }
    });
}

/// <summary>
/// Checks a request body before the handler: first what every body must satisfy (<see cref="RequestShape"/>: no null
/// list entries, storable text), then the slice's FluentValidation validator; 400 with every field error.
/// </summary>
public sealed class ValidationFilter<TRequest> : IEndpointFilter where TRequest : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.Arguments.OfType<TRequest>().FirstOrDefault();
        if (request is null)
        {
            return await next(context);
        }

        // The validator's rules assume the shape (no null entries), so a body that fails it is answered without them.
        var shape = RequestShape.Check(request);
        if (shape.Count > 0)
        {
            return Invalid(shape);
        }

        var validator = context.HttpContext.RequestServices.GetService<IValidator<TRequest>>();
        if (validator is null)
        {
            return await next(context);
        }

        var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }

        return Invalid(result.Errors
            .GroupBy(e => FieldName(e.PropertyName), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal));
    }

    private static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request has invalid fields", type: Problems.TypeFor("validation"));

    /// <summary>"Shares[0].NetValue" becomes "shares[0].netValue", the path as the client wrote it in JSON.</summary>
    private static string FieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
}

public static class ValidationFilterExtensions
{
    /// <summary>Validates the TRequest body with its registered validator; documents the 400 in OpenAPI.</summary>
    public static RouteHandlerBuilder Validate<TRequest>(this RouteHandlerBuilder builder) where TRequest : class =>
        builder.AddEndpointFilter<ValidationFilter<TRequest>>().ProducesValidationProblem();
}

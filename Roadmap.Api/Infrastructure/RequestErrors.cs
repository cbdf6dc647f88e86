using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Bad input never becomes a 500: unreadable JSON, wrong types and unknown enum values are a 400 problem that
/// says where; a body over the limit is a 413; an unexpected failure stays a 500 (never hidden as a 404).
/// </summary>
public sealed partial class RequestErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var (status, code, title, detail) = bad switch
        {
            { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"The body exceeds {RequestLimits.MaxBodyBytes:N0} bytes."),
            { InnerException: JsonException json } =>
                (StatusCodes.Status400BadRequest, "body-invalid-json", "The request body could not be read", Describe(json)),
            _ => (bad.StatusCode, "request-invalid", "Bad request", bad.Message),
        };

        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
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
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex("missing required properties including: (.+)$")]
    private static partial System.Text.RegularExpressions.Regex MissingProperties();

    [System.Text.RegularExpressions.GeneratedRegex(" ?(for|to) type '[^']+'")]
    private static partial System.Text.RegularExpressions.Regex TypeName();

    private static string Describe(JsonException json)
    {
        var where = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "" : $" at '{json.Path.TrimStart('$', '.')}'";
        var reason = json.Message.Split(" Path:", 2)[0];
        // System.Text.Json names the CLR type; a client only needs the fields.
        var missing = MissingProperties().Match(reason);
        if (missing.Success)
        {
            return $"Required fields are missing: {missing.Groups[1].Value.TrimEnd('.')}.";
        }

        return $"The JSON body is malformed or has a value of the wrong type{where}: {TypeName().Replace(reason, "")}";
    }
}

public static class RequestLimits
{
    public const long MaxBodyBytes = 256 * 1024;

    /// <summary>Refuses bodies above the limit before anything reads them, with a problem rather than a dropped connection.</summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        if (http.Request.ContentLength > MaxBodyBytes)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Type = Problems.TypeFor("body-too-large"),
                    Title = "Request body too large",
                    Detail = $"The body has {http.Request.ContentLength:N0} bytes; at most {MaxBodyBytes:N0} are accepted.",
                },
            });
            return;
        }

        await next(http);
    });
}

/// <summary>Runs the FluentValidation validator of a request body: 400 with every field error, before the handler.</summary>
public sealed class ValidationFilter<TRequest> : IEndpointFilter where TRequest : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.Arguments.OfType<TRequest>().FirstOrDefault();
        var validator = context.HttpContext.RequestServices.GetService<IValidator<TRequest>>();
        if (request is null || validator is null)
        {
            return await next(context);
        }

        var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }

        var errors = result.Errors
            .GroupBy(e => FieldName(e.PropertyName), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
        return TypedResults.ValidationProblem(errors, title: "The request has invalid fields", type: Problems.TypeFor("validation"));
    }

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

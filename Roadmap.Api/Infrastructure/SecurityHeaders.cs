namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Headers every answer carries so that a browser treats it as what it is (issue 13): no content sniffing, no framing
/// (clickjacking), no referrer to other sites, and a Content-Security-Policy by kind. The mayor's and the rules' pages
/// are server-rendered HTML with one inline style sheet and no script; Swagger UI loads its own scripts and styles
/// from this origin; every other answer (JSON, CSV, iCalendar, events) may load nothing at all.
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public const string SwaggerPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger") ? SwaggerPolicy
                : http.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true ? PagePolicy
                : ApiPolicy;
            return Task.CompletedTask;
        });
        return next(http);
    });
}

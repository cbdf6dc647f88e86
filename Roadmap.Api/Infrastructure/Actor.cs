namespace Roadmap.Api.Infrastructure;

/// <summary>Who is calling, for the audit trail. Until authentication arrives, the X-Actor header names the person.</summary>
public static class Actor
{
    public const string Header = "X-Actor";
    public const string Anonymous = "anonymous";

    public static string Of(HttpContext http)
    {
        if (http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            return name;
        }

        var header = http.Request.Headers[Header].ToString().Trim();
        return header.Length is > 0 and <= 200 ? header : Anonymous;
    }

    public static string CorrelationId(HttpContext http)
    {
        var header = http.Request.Headers["X-Correlation-Id"].ToString().Trim();
        return header.Length is > 0 and <= 200 ? header : http.TraceIdentifier;
    }
}

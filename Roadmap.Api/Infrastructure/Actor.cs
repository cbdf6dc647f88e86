namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Who is calling, for the audit trail: the authenticated principal (an API key's name, a token's subject), never a
/// header. <c>X-Actor</c> only adds a display name beside it ("Anna Berger (Kämmerei Kaufering)"), so a history shows
/// who decided and through which credentials.
/// </summary>
public static class Actor
{
    public const string Header = "X-Actor";
    public const string Anonymous = "anonymous";

    public static string Of(HttpContext http)
    {
        if (http.User.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            return Anonymous;
        }

        var display = http.Request.Headers[Header].ToString().Trim();
        return display.Length is 0 or > 100 || string.Equals(display, name, StringComparison.Ordinal) ? name : $"{display} ({name})";
    }

    public static string CorrelationId(HttpContext http)
    {
        var header = http.Request.Headers["X-Correlation-Id"].ToString().Trim();
        return header.Length is > 0 and <= 200 ? header : http.TraceIdentifier;
    }
}

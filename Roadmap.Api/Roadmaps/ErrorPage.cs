using System.Text;
using static Roadmap.Api.Roadmaps.GermanText;

namespace Roadmap.Api.Roadmaps;

/// <summary>A German error page for the HTML routes: a mayor who follows a wrong link reads a sentence, not JSON.</summary>
public static class ErrorPage
{
    public static string Render(string heading, string sentence)
    {
        var html = new StringBuilder();
        MayorPage.Head(html, heading);
        html.Append("<body><main>");
        html.Append("<h1>").Append(Encode(heading)).Append("</h1>");
        html.Append("<p>").Append(Encode(sentence)).Append("</p>");
        html.Append("""<p><a href="/gemeinden">Zur Übersicht aller Gemeinden</a></p>""");
        html.Append("</main></body></html>");
        return html.ToString();
    }
}

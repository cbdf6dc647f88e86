using System.Globalization;
using System.Text;

namespace Roadmap.Api.Roadmaps;

/// <summary>CSV for Excel in Germany: ';' between fields, UTF-8 with BOM, dates as 31.12.2028.</summary>
internal sealed class Csv
{
    private readonly StringBuilder _text = new();

    public Csv Row(params object?[] fields)
    {
        _text.AppendJoin(';', fields.Select(Field)).Append("\r\n");
        return this;
    }

    public byte[] ToBytes() => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(_text.ToString())];

    private static string Field(object? value)
    {
        var text = value switch
        {
            null => "",
            DateOnly date => date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture),
            bool flag => flag ? "ja" : "nein",
            decimal number => number.ToString("0.##", CultureInfo.GetCultureInfo("de-DE")),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

        // A text starting like a formula would be run by a spreadsheet (CSV injection): keep it text.
        if (value is string && text.Length > 0 && "=+-@\t\r".Contains(text[0]))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([';', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }
}

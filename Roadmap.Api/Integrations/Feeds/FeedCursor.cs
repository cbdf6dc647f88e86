using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>
/// A feed client's place in the global log, as an opaque string (today the log sequence, <c>mt_events.seq_id</c>).
/// The feed never reads past the daemon's high water mark, so an event that commits late is never behind a cursor
/// already handed out (docs/0011).
/// </summary>
public static class FeedCursor
{
    public static string Format(GlobalCheckpoint checkpoint) =>
        checkpoint.Position.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a cursor strictly: a decimal number without sign, spaces or leading zeros; null (no cursor) is the start.</summary>
    public static bool TryParse(string? text, out GlobalCheckpoint checkpoint)
    {
        checkpoint = GlobalCheckpoint.Start;
        if (text is null)
        {
            return true;
        }

        if (!TryParseNumber(text, out var position) || position > long.MaxValue)
        {
            return false;
        }

        checkpoint = new GlobalCheckpoint((long)position);
        return true;
    }

    public static ProblemHttpResult Invalid(string? text) => Problems.Create(
        StatusCodes.Status400BadRequest, "cursor-invalid", "Invalid cursor",
        $"'{(text?.Length > 60 ? text[..60] + "…" : text)}' is not a feed cursor. Use the `next` value (or an event's `id` on the stream) exactly as the feed returned it, or leave it out to read from the start.");

    private static bool TryParseNumber(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        // NumberStyles.None: digits only, no sign, no spaces.
        return digits.Length is > 0 and <= 20
            && (digits.Length == 1 || digits[0] != '0')
            && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

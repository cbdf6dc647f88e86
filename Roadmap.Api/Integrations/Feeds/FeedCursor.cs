using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Feeds;

/// <summary>
/// A feed client's place in the global log, as an opaque string "{transaction id}-{position}". It carries the whole
/// checkpoint pair, never the position alone: the log is read in (transaction id, position) order, and a cursor
/// of positions would skip events that commit late (docs/0002-global-log-order.md).
/// </summary>
public static class FeedCursor
{
    public static string Format(GlobalCheckpoint checkpoint) =>
        string.Create(CultureInfo.InvariantCulture, $"{checkpoint.TransactionId}-{checkpoint.Position}");

    /// <summary>Parses a cursor strictly: two decimal numbers without signs, spaces or leading zeros; null (no cursor) is the start.</summary>
    public static bool TryParse(string? text, out GlobalCheckpoint checkpoint)
    {
        checkpoint = GlobalCheckpoint.Start;
        if (text is null)
        {
            return true;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0
            || !TryParseNumber(text.AsSpan(0, dash), out var transactionId)
            || !TryParseNumber(text.AsSpan(dash + 1), out var position)
            || position > long.MaxValue)
        {
            return false;
        }

        checkpoint = new GlobalCheckpoint(transactionId, (long)position);
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

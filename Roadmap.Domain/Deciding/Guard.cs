using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Deciding;

/// <summary>Small checks shared by the deciders; each failure is a <see cref="DomainRuleViolation"/>.</summary>
internal static class Guard
{
    public static void Require(bool condition, string code, string message, string? field = null)
    {
        if (!condition)
        {
            throw new DomainRuleViolation(code, message, field);
        }
    }

    /// <summary>Returns the trimmed text, or fails with <paramref name="code"/> when it is missing or blank.</summary>
    public static string RequireText(string? value, string code, string field, string message)
    {
        Require(!string.IsNullOrWhiteSpace(value), code, message, field);
        return value!.Trim();
    }

    public static Guid RequireId(Guid id, string code, string field, string message)
    {
        Require(id != Guid.Empty, code, message, field);
        return id;
    }

    /// <summary>Every event names who recorded it; a command without an actor is refused before anything else.</summary>
    public static void RequireActor(IDomainCommand command) =>
        RequireText(command.By, ViolationCodes.ActorRequired, "by", "Every decision needs the person or system that takes it.");

    /// <summary>
    /// The calendar day of the command in Europe/Berlin (<see cref="CalendarDay"/>), whatever offset <c>Now</c> was sent
    /// in: the day every read calls today, so a cut-over just after local midnight is not "in the future" (issue 10).
    /// </summary>
    public static DateOnly Today(this IDomainCommand command) => CalendarDay.Of(command.Now);
}

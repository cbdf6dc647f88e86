namespace Roadmap.Domain.Deciding;

/// <summary>How the API should answer a violation: a broken rule (409) or a stream that does not exist (404).</summary>
public enum ViolationKind
{
    Conflict,
    NotFound,
}

/// <summary>
/// A command that breaks a domain rule. <see cref="Code"/> is stable and machine-readable (kebab-case, used as the
/// problem type); <see cref="Exception.Message"/> is one English sentence a project manager understands;
/// <see cref="Field"/> names the command property at fault (camelCase, as in the JSON request), if one is.
/// </summary>
public sealed class DomainRuleViolation : Exception
{
    public DomainRuleViolation(string code, string message, string? field = null, ViolationKind kind = ViolationKind.Conflict)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
        Field = field;
        Kind = kind;
    }

    public string Code { get; }

    public string? Field { get; }

    public ViolationKind Kind { get; }

    /// <summary>The command addresses a stream that has not been started (its "create" command never ran).</summary>
    public static DomainRuleViolation NotFound(string code, string message) => new(code, message, null, ViolationKind.NotFound);
}

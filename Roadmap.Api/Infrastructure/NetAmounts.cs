using System.Globalization;
using FluentValidation;
using Roadmap.Domain.Shared;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Net amounts in request bodies (estimates, awards, costs): more than 0, at most <see cref="Money.MaxEuros"/>, whole
/// cents. The domain's <see cref="Money"/> allows 0 (a threshold, a limit); a value someone decides on never is 0.
/// </summary>
public static class NetAmounts
{
    /// <summary>Why <paramref name="euros"/> is not a net amount a decision can carry, or null.</summary>
    public static string? Refusal(decimal euros) =>
        euros <= 0m
            ? $"A net amount in euros must be more than 0; {(decimal.IsNegative(euros) && euros == 0m ? "-0" : euros.ToString(CultureInfo.InvariantCulture))} is not."
            : Money.Refusal(euros);

    public static IRuleBuilderOptions<T, decimal> MustBeNetAmount<T>(this IRuleBuilder<T, decimal> rule) =>
        rule.Must(euros => Refusal(euros) is null).WithMessage((_, euros) => Refusal(euros));

    /// <summary>Null (not given) or a net amount.</summary>
    public static IRuleBuilderOptions<T, decimal?> MustBeNetAmount<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.Must(euros => euros is null || Refusal(euros.Value) is null).WithMessage((_, euros) => Refusal(euros.GetValueOrDefault()));

    /// <summary>
    /// True when the amounts, each a valid net amount, add up to at most <see cref="Money.MaxEuros"/> (<see cref="Money.TrySum"/>).
    /// Invalid amounts are left to their own rule.
    /// </summary>
    public static bool TotalWithinCeiling(IEnumerable<decimal> amounts) =>
        Money.TrySum(amounts.Where(euros => Refusal(euros) is null).Select(Money.Euro), out _);

    public static string TotalAboveCeiling =>
        $"The shares add up to more than {Money.Euro(Money.MaxEuros)}, the most a procurement case can be valued at; check the amounts.";
}

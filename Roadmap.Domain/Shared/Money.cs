using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Roadmap.Domain.Shared;

/// <summary>
/// A net amount in euro and cent: never negative, at most <see cref="MaxEuros"/>, no fractions of a cent. Procurement
/// values are always net of VAT, so there is no gross variant. Serialised as a plain JSON number. The ceiling keeps every
/// sum the service forms (a joint estimate of many shares) far from <see cref="decimal"/>'s range: adding amounts is
/// checked against the ceiling instead of overflowing (issue 10).
/// </summary>
[JsonConverter(typeof(MoneyJsonConverter))]
public readonly record struct Money : IComparable<Money>
{
    private static readonly NumberFormatInfo GermanNumbers = new() { NumberGroupSeparator = ".", NumberDecimalSeparator = "," };

    /// <summary>10 billion euro: more than any municipal IT procurement, and small enough that sums never overflow.</summary>
    public const decimal MaxEuros = 10_000_000_000m;

    public Money(decimal euros)
    {
        if (Refusal(euros) is { } reason)
        {
            throw new ArgumentOutOfRangeException(nameof(euros), euros, reason);
        }

        // -0 is zero; decimal keeps the sign bit otherwise, and "-0 €" would show on a page.
        Euros = euros == 0m ? 0m : euros;
    }

    public static Money Zero => default;

    public decimal Euros { get; }

    public static Money Euro(decimal euros) => new(euros);

    public static bool TryCreate(decimal euros, out Money money, out string? reason)
    {
        reason = Refusal(euros);
        money = reason is null ? new Money(euros) : default;
        return reason is null;
    }

    /// <summary>Why <paramref name="euros"/> is not an amount of money, or null when it is.</summary>
    public static string? Refusal(decimal euros)
    {
        var text = euros.ToString(CultureInfo.InvariantCulture);
        if (euros < 0)
        {
            return $"A net amount cannot be negative; {text} is.";
        }

        if (euros > MaxEuros)
        {
            return $"A net amount is at most {new Money(MaxEuros)}; {text} is more.";
        }

        return decimal.Round(euros, 2) != euros ? $"A net amount has at most two decimals (whole cents); {text} has more." : null;
    }

    /// <summary>The total, or false when it would exceed <see cref="MaxEuros"/>.</summary>
    public static bool TrySum(IEnumerable<Money> amounts, out Money total)
    {
        var sum = 0m;
        foreach (var amount in amounts)
        {
            // Each amount is at most MaxEuros, so the running sum stays far inside decimal's range before this check.
            sum += amount.Euros;
            if (sum > MaxEuros)
            {
                total = default;
                return false;
            }
        }

        total = new Money(sum);
        return true;
    }

    /// <summary>The total; an <see cref="OverflowException"/> when it exceeds <see cref="MaxEuros"/> (use <see cref="TrySum"/> to decide).</summary>
    public static Money Sum(IEnumerable<Money> amounts) =>
        TrySum(amounts, out var total) ? total : throw new OverflowException($"The amounts add up to more than {new Money(MaxEuros)}.");

    public static Money operator +(Money left, Money right) => Sum([left, right]);

    public static bool operator <(Money left, Money right) => left.Euros < right.Euros;

    public static bool operator >(Money left, Money right) => left.Euros > right.Euros;

    public static bool operator <=(Money left, Money right) => left.Euros <= right.Euros;

    public static bool operator >=(Money left, Money right) => left.Euros >= right.Euros;

    public int CompareTo(Money other) => Euros.CompareTo(other.Euros);

    /// <summary>"216.000 €" or "1.234,50 €".</summary>
    public string ToGermanString() => Format(GermanNumbers) + " €";

    /// <summary>"EUR 216,000", for the English sentences of violations.</summary>
    public override string ToString() => "EUR " + Format(NumberFormatInfo.InvariantInfo);

    private string Format(NumberFormatInfo numbers) =>
        Euros.ToString(decimal.Truncate(Euros) == Euros ? "#,0" : "#,0.00", numbers);
}

internal sealed class MoneyJsonConverter : JsonConverter<Money>
{
    public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var euros))
        {
            throw new JsonException("A net amount is a JSON number of euros, e.g. 180000.50.");
        }

        return Money.TryCreate(euros, out var money, out var reason) ? money : throw new JsonException(reason);
    }

    public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Euros);
}

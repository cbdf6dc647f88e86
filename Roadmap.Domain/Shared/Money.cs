using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Roadmap.Domain.Shared;

/// <summary>
/// A net amount in euro, never negative. Procurement values are always net of VAT, so there is no gross variant.
/// Serialised as a plain JSON number.
/// </summary>
[JsonConverter(typeof(MoneyJsonConverter))]
public readonly record struct Money : IComparable<Money>
{
    private static readonly NumberFormatInfo GermanNumbers = new() { NumberGroupSeparator = ".", NumberDecimalSeparator = "," };

    public Money(decimal euros)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(euros);
        Euros = euros;
    }

    public static Money Zero => default;

    public decimal Euros { get; }

    public static Money Euro(decimal euros) => new(euros);

    public static bool TryCreate(decimal euros, out Money money, out string? reason)
    {
        money = euros < 0 ? default : new Money(euros);
        reason = euros < 0 ? $"A net amount cannot be negative; {euros.ToString(CultureInfo.InvariantCulture)} is." : null;
        return reason is null;
    }

    public static Money Sum(IEnumerable<Money> amounts) => new(amounts.Sum(a => a.Euros));

    public static Money operator +(Money left, Money right) => new(left.Euros + right.Euros);

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
    public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Money.TryCreate(reader.GetDecimal(), out var money, out var reason) ? money : throw new JsonException(reason);

    public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Euros);
}

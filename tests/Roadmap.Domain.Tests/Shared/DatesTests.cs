using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests.Shared;

public sealed class DatesTests
{
    [Theory]
    [InlineData("2028-12-31", -3, "2028-09-30")]
    [InlineData("2028-09-30", -9, "2027-12-31")]
    [InlineData("2027-12-31", -9, "2027-03-31")]
    [InlineData("2027-12-31", -3, "2027-09-30")]
    [InlineData("2028-09-30", 3, "2028-12-31")]
    [InlineData("2028-02-29", -12, "2027-02-28")]
    [InlineData("2027-02-28", 12, "2028-02-29")]
    [InlineData("2028-12-14", -15, "2027-09-14")]
    [InlineData("2028-05-30", 1, "2028-06-30")]
    public void Month_arithmetic_keeps_a_month_end_a_month_end(string from, int months, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture).AddCalendarMonths(months));
    }
}

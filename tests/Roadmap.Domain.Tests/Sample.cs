using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Tests;

/// <summary>Inputs shared by the decider tests: Landkreis Landsberg am Lech and a few of its municipalities.</summary>
internal static class Sample
{
    public const string By = "pm.huber";

    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(1));

    public static DateOnly Today => DateOnly.FromDateTime(Now.DateTime);

    public static readonly Ags County = Ags.Parse("09181000");

    public static readonly Ags Landsberg = Ags.Parse("09181139");

    public static readonly Ags Kaufering = Ags.Parse("09181132");

    public static readonly Ags Dießen = Ags.Parse("09181117");

    /// <summary>A municipality of another county (Starnberg), for mismatches.</summary>
    public static readonly Ags Starnberg = Ags.Parse("09188139");

    public static DateOnly Date(int year, int month, int day) => new(year, month, day);
}

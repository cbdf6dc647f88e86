using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Procurement;
using Roadmap.EventStore;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Benchmarks;

/// <summary>Mean, median and 99th percentile of one stage, in milliseconds.</summary>
internal sealed record StageFigures(double Mean, double P50, double P99);

/// <summary>
/// Where a cold read's time goes, measured in the benchmark process with the API's own code, one read after another:
/// loading the fact documents (<see cref="RoadmapQueries.LoadLiveFactsAsync"/>: SQL and deserialization), of that the
/// deserialization alone (the same documents deserialized again from their JSON), the calculator, and the JSON
/// serialization with the API's options. <see cref="Statements"/> and <see cref="SqlMs"/> come from Npgsql's tracing.
/// </summary>
internal sealed record ColdPathFigures(
    int Municipalities,
    StageFigures LoadMs,
    StageFigures DeserializeMs,
    StageFigures CalculateMs,
    StageFigures SerializeMs,
    StageFigures TotalMs,
    double Statements,
    double SqlMs,
    double ResponseBytes);

internal static class ColdPathProfile
{
    private const int JitRounds = 10;

    public static async Task<ColdPathFigures> RunAsync(
        NpgsqlDataSource dataSource, PostgresEventStore store, BenchOptions options, int count, CancellationToken cancellationToken)
    {
        var rules = ProcurementRuleSet.LoadDefault();
        var queries = new RoadmapQueries(dataSource, store, rules);
        var calculator = new RoadmapCalculator(rules);
        var json = new JsonOptions();
        JsonInput.Configure(json);
        var today = DateOnly.ParseExact(ReadBenchmark.Today, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var order = Enumerable.Range(0, options.Municipalities).ToArray();
        new Random(CountyHistory.Seed + 4000).Shuffle(order);
        var measured = order.Take(Math.Min(count, order.Length)).ToArray();
        var jit = order.Skip(measured.Length).Take(JitRounds).DefaultIfEmpty(order[0]).ToArray();

        foreach (var index in jit)
        {
            await ReadOnceAsync(index);
        }

        using var statements = new StatementTimings(text => text.Contains("roadmap_", StringComparison.Ordinal) ? "roadmap" : null);
        var stages = new List<(double Load, double Deserialize, double Calculate, double Serialize, int Bytes)>();
        foreach (var index in measured)
        {
            stages.Add(await ReadOnceAsync(index));
        }

        statements.Stop();
        var sql = statements.Of("roadmap");
        return new ColdPathFigures(
            measured.Length,
            Stage(stages.Select(s => s.Load)),
            Stage(stages.Select(s => s.Deserialize)),
            Stage(stages.Select(s => s.Calculate)),
            Stage(stages.Select(s => s.Serialize)),
            Stage(stages.Select(s => s.Load + s.Calculate + s.Serialize)),
            Figures.Round(sql.Count / (double)measured.Length, 1),
            Figures.Round(sql.Seconds * 1000 / measured.Length),
            Figures.Round(stages.Average(s => s.Bytes), 0));

        async Task<(double, double, double, double, int)> ReadOnceAsync(int index)
        {
            var ags = CountyHistory.AgsOf(index);
            var started = Stopwatch.GetTimestamp();
            var (facts, _) = await queries.LoadLiveFactsAsync(ags, cancellationToken);
            var loaded = Stopwatch.GetTimestamp();
            var roadmap = calculator.Roadmap(facts, ags.Value, today, null)
                ?? throw new BenchmarkFailedException($"the profile found no roadmap for {ags.Value}");
            var calculated = Stopwatch.GetTimestamp();
            var bytes = JsonSerializer.SerializeToUtf8Bytes(roadmap, json.SerializerOptions);
            var serialized = Stopwatch.GetTimestamp();
            var deserialize = Deserialize(facts);
            return (Ms(started, loaded), deserialize, Ms(loaded, calculated), Ms(calculated, serialized), bytes.Length);
        }
    }

    /// <summary>The time to deserialize the set's documents from their UTF-8 JSON, as the query reads them (written first, not timed).</summary>
    private static double Deserialize(RoadmapFacts facts)
    {
        var o = RoadmapFacts.Json;
        var procedures = facts.Procedures.Values.Select(d => JsonSerializer.SerializeToUtf8Bytes(d, o)).ToList();
        var cases = facts.Cases.Values.Select(d => JsonSerializer.SerializeToUtf8Bytes(d, o)).ToList();
        var releases = facts.Releases.Values.Select(d => JsonSerializer.SerializeToUtf8Bytes(d, o)).ToList();
        var products = facts.Products.Values.Select(d => JsonSerializer.SerializeToUtf8Bytes(d, o)).ToList();
        var vendors = facts.Vendors.Values.Select(d => JsonSerializer.SerializeToUtf8Bytes(d, o)).ToList();
        var municipalities = facts.Municipalities.Values.Select(d => JsonSerializer.SerializeToUtf8Bytes(d, o)).ToList();
        var started = Stopwatch.GetTimestamp();
        var sink = 0;
        sink += procedures.Count(d => JsonSerializer.Deserialize<ProcedureFacts>(d, o) is not null);
        sink += cases.Count(d => JsonSerializer.Deserialize<CaseFacts>(d, o) is not null);
        sink += releases.Count(d => JsonSerializer.Deserialize<ReleaseFacts>(d, o) is not null);
        sink += products.Count(d => JsonSerializer.Deserialize<ProductFacts>(d, o) is not null);
        sink += vendors.Count(d => JsonSerializer.Deserialize<VendorFacts>(d, o) is not null);
        sink += municipalities.Count(d => JsonSerializer.Deserialize<MunicipalityFacts>(d, o) is not null);
        var ms = Ms(started, Stopwatch.GetTimestamp());
        return sink >= 0 ? ms : 0;
    }

    private static StageFigures Stage(IEnumerable<double> ms)
    {
        var sorted = ms.Order().ToArray();
        return new StageFigures(
            Figures.Round(sorted.Average()),
            Figures.Round(sorted[(int)Math.Ceiling(sorted.Length * 0.5) - 1]),
            Figures.Round(sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1]));
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}

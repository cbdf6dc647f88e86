using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests.Projections;

/// <summary>Appends, the oracle (the log itself) and waits shared by the daemon tests.</summary>
public static class ProjectionKit
{
    /// <summary>Appends <paramref name="count"/> increments, one append each, over a few streams; returns what was stored.</summary>
    public static async Task<List<RecordedEvent>> AppendIncrementsAsync(PostgresEventStore store, int count, int streams = 3, string tag = "p")
    {
        var prefix = $"{tag}-{Guid.NewGuid():N}"[..16];
        var recorded = new List<RecordedEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var result = await store.AppendAsync($"{prefix}-{i % streams}", ExpectedVersion.Any, [TestEvents.New(new CounterIncremented(prefix, i + 1))]);
            recorded.AddRange(result.Events);
        }

        return recorded;
    }

    /// <summary>The oracle: every event of the log, straight from <c>mt_events</c>, as the projection should have stored it.</summary>
    public static async Task<List<AppliedRow>> FoldLogAsync(TestSchema schema, string appliedBy = "any")
    {
        await using var command = schema.DataSource.CreateCommand(
            $"select seq_id, id, stream_id, version, type, (data ->> 'by')::int from {schema.Schema}.mt_events order by seq_id");
        var rows = new List<AppliedRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new AppliedRow(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), appliedBy, 1));
        }

        return rows;
    }

    /// <summary>The rows without who applied them: what a rebuild or another node must reproduce.</summary>
    public static IEnumerable<AppliedRow> Content(IEnumerable<AppliedRow> rows) => rows.Select(r => r with { AppliedBy = "any" });

    /// <summary>Every event of the log is in the read model exactly once, and nothing else is.</summary>
    public static async Task AssertEveryEventAppliedOnceAsync(TestSchema schema, RecordingProjection projection)
    {
        var rows = await projection.RowsAsync(schema);
        var log = await FoldLogAsync(schema);
        var twice = rows.Where(r => r.Times != 1).ToList();
        Assert.True(twice.Count == 0, $"Applied more than once: {string.Join(", ", twice.Select(r => $"{r.Sequence}×{r.Times} by {r.AppliedBy}"))}");
        var missing = log.Select(e => e.Sequence).Except(rows.Select(r => r.Sequence)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {log.Count} events never applied: {string.Join(", ", missing.Take(20))}");
        Assert.Equal(log, Content(rows));
    }

    /// <summary>Waits until the projection's progress (mt_event_progression) has reached <paramref name="position"/>.</summary>
    public static Task WaitForCatchUpAsync(ProjectionAdmin admin, string projection, long position) =>
        admin.WaitForCatchUpAsync(projection, position, Waiting.Patience);

    public static async Task<ProjectionStatus> StatusAsync(ProjectionAdmin admin, string projection) =>
        await admin.GetStatusAsync(projection) ?? throw new InvalidOperationException($"No status for projection '{projection}'.");
}

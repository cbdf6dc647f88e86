using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore.Projections;

namespace Roadmap.Benchmarks;

/// <summary>
/// The projection of <c>rebuild</c>: one summary row per stream (events, first and last business date, approved
/// budget, offered amount, last event type and position). Set-based: a batch is folded per stream in memory and
/// written with one <c>insert ... select from unnest(...) on conflict do update</c>, one round trip per batch.
/// It also times its own work per batch (<see cref="Timings"/>) so the benchmark can split the rebuild's time.
/// </summary>
internal sealed class StreamSummaryProjection : Projection
{
    public const string Table = "stream_summaries";

    public override string Name => "bench_summary";

    public override IReadOnlyList<string> Tables { get; } = [Table];

    public override string TablesSql =>
        $"""
        create table if not exists {SchemaPlaceholder}.{Table} (
          stream_id       text          primary key,
          events          bigint        not null,
          first_date      date          not null,
          last_date       date          not null,
          budget          numeric(16,2) not null,
          offered         numeric(16,2) not null,
          last_event_type text          not null,
          last_position   bigint        not null
        )
        """;

    public BatchTimings Timings { get; } = new();

    private sealed class Summary
    {
        public long Events;
        public DateOnly First = DateOnly.MaxValue;
        public DateOnly Last = DateOnly.MinValue;
        public decimal Budget;
        public decimal Offered;
        public string LastType = "";
        public long LastPosition;
    }

    public override async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var byStream = new Dictionary<string, Summary>(StringComparer.Ordinal);
        foreach (var recorded in batch.Events)
        {
            if (!byStream.TryGetValue(recorded.StreamId, out var summary))
            {
                summary = new Summary();
                byStream.Add(recorded.StreamId, summary);
            }

            var date = recorded.Data switch
            {
                ProcedureIntroduced e => e.IntroducedOn,
                MilestoneScheduled e => e.DueOn,
                BudgetApproved e => e.FiscalYearStart,
                OfferReceived e => e.ValidUntil,
                VendorDeprecationAnnounced e => e.EndOfSupport,
                CommentAdded e => e.WrittenOn,
                _ => DateOnly.FromDateTime(recorded.RecordedAt.UtcDateTime),
            };
            summary.Events++;
            summary.First = date < summary.First ? date : summary.First;
            summary.Last = date > summary.Last ? date : summary.Last;
            summary.Budget += recorded.Data is BudgetApproved budget ? budget.Amount : 0;
            summary.Offered += recorded.Data is OfferReceived offer ? offer.NetAmount : 0;
            summary.LastType = recorded.EventType;
            summary.LastPosition = recorded.GlobalPosition;
        }

        var n = byStream.Count;
        var streams = new string[n];
        var counts = new long[n];
        var firsts = new DateOnly[n];
        var lasts = new DateOnly[n];
        var budgets = new decimal[n];
        var offers = new decimal[n];
        var types = new string[n];
        var positions = new long[n];
        var i = 0;
        foreach (var (stream, summary) in byStream)
        {
            streams[i] = stream;
            counts[i] = summary.Events;
            firsts[i] = summary.First;
            lasts[i] = summary.Last;
            budgets[i] = summary.Budget;
            offers[i] = summary.Offered;
            types[i] = summary.LastType;
            positions[i] = summary.LastPosition;
            i++;
        }

        await using var command = batch.Command(
            $"""
            insert into {batch.Table(Table)} as s (stream_id, events, first_date, last_date, budget, offered, last_event_type, last_position)
            select * from unnest($1::text[], $2::bigint[], $3::date[], $4::date[], $5::numeric[], $6::numeric[], $7::text[], $8::bigint[])
            on conflict (stream_id) do update set
              events = s.events + excluded.events,
              first_date = least(s.first_date, excluded.first_date),
              last_date = greatest(s.last_date, excluded.last_date),
              budget = s.budget + excluded.budget,
              offered = s.offered + excluded.offered,
              last_event_type = excluded.last_event_type,
              last_position = excluded.last_position
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = streams, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = counts });
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = firsts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = lasts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = budgets, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = offers, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = positions });
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (batch.IsRebuild)
        {
            Timings.Applied(started, Stopwatch.GetTimestamp(), batch.Events.Count);
        }
    }
}

/// <summary>
/// Per-batch timestamps of a rebuild: the projection's ApplyAsync (start, end) and the daemon's BeforeCommit hook,
/// which runs after the checkpoint's compare-and-set. So, per batch: apply = end - start; checkpoint = hook - end;
/// and from one batch's hook to the next batch's start: its commit, the runner's checkpoint-row read and the
/// next ReadAllAsync (query and deserialization).
/// </summary>
internal sealed class BatchTimings
{
    private readonly Lock _gate = new();
    private readonly List<(long Start, long End, long Hook, int Events)> _batches = [];
    private long _pendingStart;
    private long _pendingEnd;
    private int _pendingEvents;

    public void Applied(long start, long end, int events)
    {
        lock (_gate)
        {
            (_pendingStart, _pendingEnd, _pendingEvents) = (start, end, events);
        }
    }

    /// <summary>The BeforeCommit hook: closes the batch whose ApplyAsync just ran.</summary>
    public void BeforeCommit(long now)
    {
        lock (_gate)
        {
            if (_pendingEnd != 0)
            {
                _batches.Add((_pendingStart, _pendingEnd, now, _pendingEvents));
                _pendingStart = _pendingEnd = 0;
            }
        }
    }

    public IReadOnlyList<(long Start, long End, long Hook, int Events)> Batches()
    {
        lock (_gate)
        {
            return [.. _batches];
        }
    }
}

using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Roadmap.EventStore.Projections;

namespace Roadmap.Benchmarks;

/// <summary>
/// The projection of <c>rebuild</c>: one summary row per stream (events, first and last business date, approved
/// budget, offered amount, last event type and position). Set-based: a batch is folded per stream in memory and
/// written with one <c>insert ... select from unnest(...) on conflict do update</c>, one round trip per batch.
/// The upsert is queued on the batch; Marten's daemon sends it with its progress update. The projection times its own
/// work per batch (<see cref="Timings"/>: folding and queueing, no SQL) so the benchmark can split the rebuild's time.
/// </summary>
internal sealed class StreamSummaryProjection : Projection
{
    public const string Table = "stream_summaries";

    public const string ProjectionName = "bench_summary";

    public override string Name => ProjectionName;

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

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
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

        var command = new NpgsqlBatchCommand(
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
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = counts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = firsts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = lasts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = budgets, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = offers, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = positions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        batch.Write(command);
        Timings.Applied(started, Stopwatch.GetTimestamp(), batch.Events.Count);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Per-batch timestamps of the projection's own work (<see cref="StreamSummaryProjection.ApplyAsync"/>: the fold in
/// memory and queueing the upsert); Marten runs the SQL afterwards, with its progress update.
/// </summary>
internal sealed class BatchTimings
{
    private readonly Lock _gate = new();
    private readonly List<(long Start, long End, int Events)> _batches = [];
    private bool _recording;

    /// <summary>Forgets what was recorded and records from now on (the rebuild's batches, not the live ones before).</summary>
    public void Start()
    {
        lock (_gate)
        {
            _batches.Clear();
            _recording = true;
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _recording = false;
        }
    }

    public void Applied(long start, long end, int events)
    {
        lock (_gate)
        {
            if (_recording)
            {
                _batches.Add((start, end, events));
            }
        }
    }

    public IReadOnlyList<(long Start, long End, int Events)> Batches()
    {
        lock (_gate)
        {
            return [.. _batches];
        }
    }
}

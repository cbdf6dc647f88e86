namespace Roadmap.Benchmarks;

/// <summary>
/// Names the statements Marten's async daemon sends (as Npgsql's tracing shows them, see <see cref="StatementTimings"/>),
/// for the time splits of <c>projection-lag</c> and <c>rebuild</c>:
/// <list type="bullet">
/// <item><c>read</c>: a page of events (<c>select d.data, d.type, ... from mt_events as d ... where d.seq_id &gt; .. and d.seq_id &lt;= ..</c>),
/// fetched and deserialized by Marten while the reader is open;</item>
/// <item><c>apply</c>: the batch that commits a projection's writes together with its progress
/// (<c>update mt_event_progression ...;; insert into &lt;table&gt; ...</c>, one round trip), or a rebuild's page of writes
/// into the side table (docs/0012);</item>
/// <item><c>highwater</c>: the high water mark's detection and its record (sequence and gap queries,
/// <c>HighWaterMark</c>, <c>HighWaterAllocationFence</c>);</item>
/// <item><c>setup</c>: other progress bookkeeping and a rebuild's teardown (the projection's table emptied).</item>
/// </list>
/// The appends' own statements (the quick-append function, the idempotency lookup, the store's NOTIFY) and
/// ProjectionAdmin's (status, rebuild requests: they read <c>projection_controls</c>) are left out.
/// </summary>
internal static class DaemonStatements
{
    public static string? Classify(string sql, string schema, string projectionTable)
    {
        var intoTable = sql.Contains($"{schema}.{projectionTable}", StringComparison.Ordinal)
            || (sql.Contains($"{schema}_rebuild_", StringComparison.Ordinal) && sql.Contains($".{projectionTable}", StringComparison.Ordinal));
        if (intoTable && !sql.Contains("delete from", StringComparison.OrdinalIgnoreCase) && !sql.Contains("create ", StringComparison.OrdinalIgnoreCase))
        {
            return "apply";
        }

        if (sql.Contains("projection_controls", StringComparison.Ordinal))
        {
            return null; // ProjectionAdmin's status and rebuild bookkeeping (a rebuild's page records its progress with its writes)
        }

        if (sql.Contains($"from {schema}.mt_events as d", StringComparison.Ordinal) && sql.Contains("d.seq_id >", StringComparison.Ordinal))
        {
            return "read";
        }

        if (sql.Contains("HighWaterMark", StringComparison.Ordinal) || sql.Contains("HighWaterAllocationFence", StringComparison.Ordinal)
            || sql.Contains("highest_sequence", StringComparison.Ordinal) || sql.Contains("first_after", StringComparison.Ordinal)
            || sql.Contains("mt_high_water", StringComparison.Ordinal))
        {
            return "highwater";
        }

        if (sql.Contains("mt_event_progression", StringComparison.Ordinal) || sql.Contains($"delete from {schema}.{projectionTable}", StringComparison.OrdinalIgnoreCase))
        {
            return "setup";
        }

        return null;
    }
}

using Npgsql;

namespace Roadmap.EventStore;

/// <summary>Builds the service's NpgsqlDataSource with the session settings the event store relies on.</summary>
public static class EventStoreDataSource
{
    /// <summary>
    /// A transaction left open holds every global reader back (GlobalLog.cs), so service connections end
    /// sessions that sit idle inside a transaction for longer than <paramref name="idleInTransactionTimeout"/>.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString, string applicationName = "roadmap", TimeSpan? idleInTransactionTimeout = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var timeout = (int)(idleInTransactionTimeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds;
        var options = builder.ConnectionStringBuilder.Options;
        // JIT compilation costs more than it saves on the store's short statements (it fired on every status query).
        builder.ConnectionStringBuilder.Options = $"{options} -c idle_in_transaction_session_timeout={timeout} -c jit=off".Trim();
        builder.ConnectionStringBuilder.ApplicationName ??= applicationName;
        // A database that does not answer: a request waits at most 5 s for a connection (Npgsql's default is 15 s),
        // then gets its 503, unless the connection string says otherwise.
        if (!connectionString.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.Timeout = 5;
        }
        // Npgsql resets a pooled connection with DISCARD ALL when it is returned, which also throws away the
        // plans PL/pgSQL cached for append_events; re-planning cost about 40% of append throughput (bench
        // append). The store keeps no session state on pooled connections, so there is nothing to reset.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        // The store sends the same few statements all day: let Npgsql prepare them once per connection.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        }

        return builder.Build();
    }
}

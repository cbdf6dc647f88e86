using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon.HighWater;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;
using Roadmap.EventStore.Projections;
using Weasel.Core;

namespace Roadmap.EventStore;

/// <summary>How fast the async daemon notices new events (configuration section Roadmap:Projections).</summary>
public sealed record DaemonTuning
{
    /// <summary>Poll interval while events keep coming.</summary>
    public TimeSpan FastPolling { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Poll interval when idle; appends in this process wake the daemon at once (<see cref="AppendWakeup"/>).</summary>
    public TimeSpan SlowPolling { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a node without the daemon's leadership tries to take it over.</summary>
    public TimeSpan LeadershipPolling { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How old a sequence gap must be before the daemon considers skipping it (see RoadmapMarten).</summary>
    public TimeSpan StaleSequenceThreshold { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The shortest time between two looks at the log that an append in this process causes (<see cref="AppendWakeup"/>):
    /// under steady appends the daemon then takes what came in that time as one batch.
    /// </summary>
    public TimeSpan MinimumWakeupInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Events per batch (live and rebuild).</summary>
    public int BatchSize { get; init; } = 500;
}

/// <summary>
/// Everything Roadmap configures in Marten, in one place (docs/0011): where the log lives, the stable event names,
/// Quick appends with the application's clock, the metadata we keep, and our projections.
/// </summary>
public static class RoadmapMarten
{
    public static void Configure(
        StoreOptions opts,
        EventStoreOptions options,
        NpgsqlDataSource dataSource,
        IReadOnlyList<ProjectionRegistration> projections,
        DaemonTuning tuning,
        AppendWakeup wakeup,
        ILogger? log = null)
    {
        opts.DatabaseSchemaName = options.Schema;
        if (log is not null)
        {
            // Marten's default log, but an append that lost a version race (handled by the caller) is Debug, not Error.
            opts.Logger(new MartenLog(log));
        }

        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        // The same JSON as the decisions read and write: camelCase, enums by name (reordering an enum never changes
        // what a stored event means).
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        var events = opts.Events;
        // Stream ids are ours: "procedure-<guid>", "municipality-09181000".
        events.StreamIdentity = StreamIdentity.AsString;
        // Quick: one function call per append, the version check in the database. The time an event is recorded is
        // set on each event from the application's clock (PostgresEventStore), so "as of" reads work under a test
        // clock too; Marten's own TimeProvider stays the system's, because the daemon schedules with it.
        events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        events.MetadataConfig.UserNameEnabled = true;
        events.MetadataConfig.CorrelationIdEnabled = true;
        events.MetadataConfig.CausationIdEnabled = true;
        events.MetadataConfig.HeadersEnabled = true;
        // A retried decision sends the same event ids; the database refuses a second copy.
        events.EnableUniqueIndexOnEventId = true;
        // Decisions race on one stream (two project managers, a retry): the version check locks the stream's row, so
        // the loser fails the check before it takes a sequence number. Without it both pass the check, the loser fails
        // on the (stream, version) key after taking one, and every async projection waits for the gap it leaves.
        events.UseExclusiveLockOnConcurrentAppends = true;
        events.EnableExtendedProgressionTracking = true;
        foreach (var (type, name) in options.Types.Names)
        {
            events.MapEventType(type, name);
        }

        var daemon = opts.Projections;
        daemon.FastPollingTime = tuning.FastPolling;
        daemon.SlowPollingTime = tuning.SlowPolling;
        daemon.LeadershipPollingTime = (int)tuning.LeadershipPolling.TotalMilliseconds;
        wakeup.MinimumInterval = tuning.MinimumWakeupInterval;
        daemon.Wakeup = wakeup;
        // A gap older than this is skipped, but only once no transaction that could still fill it is alive (Marten's
        // transaction evidence, on by default): the wait need not cover slow commits, only the time to see a rollback.
        daemon.StaleSequenceThreshold = tuning.StaleSequenceThreshold;
        // An event a projection cannot apply goes to the dead letters (MartenProjection pins it); an event that
        // cannot be read at all pauses the projection, visibly, instead of being skipped.
        daemon.Errors.SkipApplyErrors = true;
        daemon.Errors.SkipSerializationErrors = false;
        daemon.Errors.SkipUnknownEvents = false;
        daemon.RebuildErrors.SkipApplyErrors = true;
        daemon.RebuildErrors.SkipSerializationErrors = false;
        daemon.RebuildErrors.SkipUnknownEvents = false;

        foreach (var registration in projections)
        {
            var projection = registration.Projection;
            projection.Validate();
            var hosted = new MartenProjection(projection, registration.Lifecycle, options.Schema, dataSource);
            if (registration.Lifecycle == ProjectionLifecycle.Inline)
            {
                daemon.Add(hosted, JasperFx.Events.Projections.ProjectionLifecycle.Inline, projection.Name);
                continue;
            }

            daemon.Add(hosted, JasperFx.Events.Projections.ProjectionLifecycle.Async, projection.Name, async =>
            {
                async.BatchSize = tuning.BatchSize;
                // One batch in flight per projection. Marten's agent loads a page of events at every step of the high
                // water mark as long as fewer than this many (default 5,000), and fewer than 2 × BatchSize, events are
                // loaded but not committed, and commits each page as a batch of its own. Under steady appends the mark
                // moves a few events at a time, so a projection that fell behind went on in batches of a few events,
                // each with the fixed cost of a batch (load, reads, commit), and fell further behind: the webhook
                // outbox by seconds at 100-200 events/s (README, benchmarks). With 1, the next page is loaded once
                // the batch in flight has committed and takes everything up to the mark (at most BatchSize): the
                // further behind, the larger the batch. Rebuilds and catch-ups, which load full pages one after the
                // other anyway, are unchanged.
                async.MaximumHopperSize = 1;
                if (projection.ClearTablesOnRebuild)
                {
                    foreach (var table in projection.Tables)
                    {
                        async.DeleteDataInTableOnTeardown($"{options.Schema}.{table}");
                    }
                }
            });
        }
    }

    /// <summary>Creates each projection's tables (idempotent DDL), under an advisory lock so that nodes starting together do not race.</summary>
    public static async Task EnsureProjectionTablesAsync(
        NpgsqlDataSource dataSource, string schema, IEnumerable<Projection> projections, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue($"roadmap.projection-tables:{schema}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand($"create schema if not exists {schema}", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var projection in projections)
        {
            projection.Validate();
            await using var ddl = new NpgsqlCommand(projection.TablesSql.Replace(Projection.SchemaPlaceholder, schema, StringComparison.Ordinal), connection, transaction);
            await ddl.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>
/// Wakes the daemon's high water agent (and so every projection) right after an append in this process commits
/// (<see cref="PostgresEventStore.SignalAppended"/>), instead of at its next poll: lag is then the time of one
/// batch, not of a poll interval. Appends on other nodes are seen at the next poll.
/// </summary>
/// <remarks>
/// A wake-up comes no sooner than <see cref="MinimumInterval"/> after the agent began to wait, i.e. after its last
/// look at the log. Under steady appends every append would otherwise start another look (five statements) and
/// another batch of a few events at once, and that overhead, not the projections' work, took the CPU the appends
/// needed (README, projection-lag). An idle daemon still wakes at the first append.
/// </remarks>
public sealed class AppendWakeup : IDaemonWakeup
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>The shortest time between two looks at the log that a wake-up causes (DaemonTuning.MinimumWakeupInterval).</summary>
    public TimeSpan MinimumInterval { get; set; } = new DaemonTuning().MinimumWakeupInterval;

    public void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiting = System.Diagnostics.Stopwatch.GetTimestamp();
        if (await _signal.WaitAsync(timeout, cancellationToken))
        {
            var early = MinimumInterval - System.Diagnostics.Stopwatch.GetElapsedTime(waiting);
            if (early > TimeSpan.Zero)
            {
                await Task.Delay(early < timeout ? early : timeout, cancellationToken);
            }
        }
    }

    public void Dispose() => _signal.Dispose();
}

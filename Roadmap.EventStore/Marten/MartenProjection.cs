using System.Data.Common;
using System.Text.RegularExpressions;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Roadmap.EventStore.Projections;
using OperationRole = Weasel.Core.OperationRole;

namespace Roadmap.EventStore;

/// <summary>
/// Hosts one of our SQL projections in Marten, inline or on the async daemon. Marten hands over its events and a
/// session; the projection's queued writes become storage operations of that session, so Marten runs them in the
/// append's transaction (inline) or with its progress update (async).
/// <para>
/// An apply error on the daemon is pinned to one event: the batch is tried event by event until the one that
/// fails is found, and that one is thrown as <see cref="ApplyEventException"/>, which Marten records as a dead
/// letter and skips (<see cref="PoisonEventPolicy.Skip"/>). Under <see cref="PoisonEventPolicy.Stop"/> the error
/// is thrown as it is and Marten pauses the projection.
/// </para>
/// </summary>
public sealed partial class MartenProjection(Projection projection, ProjectionLifecycle lifecycle, string schema, NpgsqlDataSource dataSource) : IProjection
{
    public Projection Projection { get; } = projection;

    private static readonly TimeSpan StoppedPollInterval = TimeSpan.FromMilliseconds(50);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var recorded = events.Select(PostgresEventStore.Recorded).ToList();
        if (lifecycle == ProjectionLifecycle.Inline)
        {
            // Inside SaveChanges: the session's connection is in the append's transaction.
            var connection = ((IDocumentSession)operations).Connection
                ?? throw new InvalidOperationException("An inline projection runs inside the append's transaction; the session has no connection.");
            var batch = new ProjectionBatch(recorded, schema, _ => ValueTask.FromResult(connection));
            await Projection.ApplyAsync(batch, cancellation);
            Queue(operations, batch, guardProgress: false);
            return;
        }

        if (events.Count > 0)
        {
            Projection.ComputedThrough = events[^1].Sequence;
        }

        // An operator's stop (ProjectionAdmin) holds the daemon's batch before anything is applied, so the progress stays
        // where it is until the projection is resumed (or the agent is stopped, which cancels the wait). A rebuild into side
        // tables uses the same stop for the moment it swaps them in.
        if (Projection.Stopped)
        {
            Projection.Holding = true;
            try
            {
                while (Projection.Stopped)
                {
                    await Task.Delay(StoppedPollInterval, cancellation);
                }
            }
            finally
            {
                Projection.Holding = false;
            }
        }

        NpgsqlConnection? reads = null;
        try
        {
            async ValueTask<NpgsqlConnection> Reads(CancellationToken token) => reads ??= await dataSource.OpenConnectionAsync(token);
            var batch = new ProjectionBatch(recorded, schema, Reads);
            try
            {
                await Projection.ApplyAsync(batch, cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException && Projection.PoisonPolicy == PoisonEventPolicy.Skip)
            {
                throw await PinAsync(events, recorded, Reads, e, cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Projection.Failure = $"{e.GetType().Name}: {e.Message}";
                throw;
            }

            Queue(operations, batch, guardProgress: true);
            Projection.Failure = null;
        }
        finally
        {
            if (reads is not null)
            {
                await reads.DisposeAsync();
            }
        }
    }

    private async Task<Exception> PinAsync(
        IReadOnlyList<IEvent> events, List<RecordedEvent> recorded, Func<CancellationToken, ValueTask<NpgsqlConnection>> reads, Exception error,
        CancellationToken cancellation)
    {
        if (events.Count == 1)
        {
            return new ApplyEventException(events[0], error);
        }

        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                await Projection.ApplyAsync(new ProjectionBatch([recorded[i]], schema, reads), cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new ApplyEventException(events[i], e);
            }
        }

        return error; // no single event fails alone: the batch as a whole is the problem, so the projection pauses
    }

    private static void Queue(IDocumentOperations operations, ProjectionBatch batch, bool guardProgress)
    {
        if (guardProgress && batch.Writes.Count > 0)
        {
            // The daemon's batch starts with its progress update (last_seq_id moves from the batch's floor to its
            // ceiling only where it still is at the floor), and Marten refuses to commit the batch when that update
            // matched no row: another node has applied these events meanwhile. Marten reads that from the reader's
            // RecordsAffected, which Npgsql sums over every statement up to the first one that returns rows; our
            // writes return none, so their counts would hide a progress update that matched nothing and a node that
            // lost the projection would apply the batch a second time. A statement that returns a row right after
            // the progress update keeps the count to that update alone.
            operations.QueueOperation(new SqlStatement(new NpgsqlBatchCommand("select 1")));
        }

        foreach (var write in batch.Writes)
        {
            operations.QueueOperation(new SqlWrite(write));
        }
    }

    /// <summary>
    /// One of our writes. It returns no rows (<see cref="Weasel.Storage.NoDataReturnedCall"/>), so Marten does not move
    /// its reader past it: an operation after it in the batch that reads its own result (an inline snapshot's revision)
    /// reads its own, not this statement's.
    /// </summary>
    private sealed class SqlWrite(NpgsqlBatchCommand command) : SqlStatement(command), Weasel.Storage.NoDataReturnedCall;

    /// <summary>One queued statement: our <c>$n</c> placeholders become parameters of Marten's command.</summary>
    private partial class SqlStatement(NpgsqlBatchCommand command) : Marten.Internal.Operations.IStorageOperation
    {
        // As Marten's own raw SQL operations: not a document type, so Marten creates no storage for it.
        public Type DocumentType => typeof(global::Marten.Storage.StorageFeatures);

        public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, Weasel.Storage.IStorageSession session)
        {
            var sql = command.CommandText;
            var at = 0;
            foreach (Match placeholder in Placeholder().Matches(sql))
            {
                builder.Append(sql[at..placeholder.Index]);
                var source = command.Parameters[int.Parse(placeholder.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) - 1];
                var parameter = builder.AppendParameter(source.Value ?? DBNull.Value);
                if (source.NpgsqlDbType != NpgsqlTypes.NpgsqlDbType.Unknown)
                {
                    parameter.NpgsqlDbType = source.NpgsqlDbType;
                }

                at = placeholder.Index + placeholder.Length;
            }

            builder.Append(sql[at..]);
        }

        public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

        public OperationRole Role() => OperationRole.Other;

        [GeneratedRegex(@"\$(\d+)")]
        private static partial Regex Placeholder();
    }
}

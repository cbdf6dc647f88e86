using System.Diagnostics;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Roadmap.EventStore;

/// <summary>
/// Marten's log, written as Marten's default logger writes it (commands at Debug, schema changes at Information, every
/// failure at Error with its SQL and stack trace), except for an append that lost a version race. Marten reports that
/// as a failed command too (once per statement of the batch and once more as it rethrows it), but
/// <see cref="PostgresEventStore"/> turns it into a
/// <see cref="WrongExpectedVersionException"/> that its caller handles (a decision decides again on the new state, or
/// answers 409/412): it is logged at Debug, in one line, without a stack trace. A caller that does not handle it fails
/// its own request, and that failure is logged where it happens.
/// </summary>
public sealed partial class MartenLog(ILogger logger) : IMartenLogger
{
    /// <summary>Raised by Marten's append function when the stream is not at the expected version.</summary>
    private const string StreamVersionMismatch = "MT003";

    private readonly ILogger _logger = logger;

    public IMartenSessionLogger StartSession(IQuerySession session) => new Session(this);

    public void SchemaChange(string sql) => SchemaChanged(sql);

    /// <summary>
    /// An append that lost a race for its stream: the version check of Marten's append function, or a key of the log
    /// taken by a transaction that committed first (the stream's row, a stream version, an event id), raw or as Marten
    /// wraps it. A unique violation in any other table (a projection's) is a real failure.
    /// </summary>
    public static bool IsAppendConflict(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case JasperFx.Events.EventStreamUnexpectedMaxEventIdException or JasperFx.Events.ExistingStreamIdCollisionException
                    or global::Marten.Exceptions.ExistingStreamIdCollisionException:
                case PostgresException { SqlState: StreamVersionMismatch }:
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_streams" or "mt_events" }:
                    return true;
            }
        }

        return false;
    }

    private void Failure(Exception exception, string sql, string parameters)
    {
        if (IsAppendConflict(exception))
        {
            AppendConflict(OneLine(exception));
        }
        else
        {
            CommandFailed(exception, sql, parameters);
        }
    }

    /// <summary>The conflict in one line: PostgreSQL's message and the table, or the exception's first line.</summary>
    private static string OneLine(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres)
            {
                return postgres.TableName is { } table ? $"{postgres.MessageText} (table {table})" : postgres.MessageText;
            }
        }

        var end = exception.Message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? exception.Message : exception.Message[..end];
    }

    private static string Parameters(System.Data.Common.DbParameterCollection parameters) =>
        string.Join(Environment.NewLine, parameters.Cast<System.Data.Common.DbParameter>().Select(p => $"  {p.ParameterName}: {p.Value}"));

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed schema update SQL:\n{SQL}")]
    private partial void SchemaChanged(string sql);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Marten executed in {Milliseconds} ms, SQL: {SQL}\n{Parameters}")]
    private partial void Executed(double milliseconds, string sql, string parameters);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Persisted {UpdateCount} updates in {ElapsedMilliseconds} ms, {InsertedCount} inserts, and {DeletedCount} deletions")]
    private partial void Saved(int updateCount, double elapsedMilliseconds, int insertedCount, int deletedCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Append lost a version race, handled by the caller: {Conflict}")]
    private partial void AppendConflict(string conflict);

    [LoggerMessage(Level = LogLevel.Error, Message = "Marten encountered an exception executing \n{SQL}\n{Parameters}")]
    private partial void CommandFailed(Exception exception, string sql, string parameters);

    [LoggerMessage(Level = LogLevel.Error, Message = "Marten encountered an exception with message: {Message}")]
    private partial void Failed(Exception exception, string message);

    /// <summary>One session's log: its own start time, so that concurrent sessions time their own commands.</summary>
    private sealed class Session(MartenLog log) : IMartenSessionLogger
    {
        private long _started;

        private bool Debug => log._logger.IsEnabled(LogLevel.Debug);

        private double Elapsed => _started == 0 ? 0 : Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

        public void OnBeforeExecute(NpgsqlCommand command) => Start();

        public void OnBeforeExecute(NpgsqlBatch batch) => Start();

        private void Start()
        {
            if (Debug)
            {
                _started = Stopwatch.GetTimestamp();
            }
        }

        public void LogSuccess(NpgsqlCommand command)
        {
            if (Debug)
            {
                log.Executed(Elapsed, command.CommandText, Parameters(command.Parameters));
            }
        }

        public void LogSuccess(NpgsqlBatch batch)
        {
            if (Debug)
            {
                var elapsed = Elapsed;
                foreach (var command in batch.BatchCommands)
                {
                    log.Executed(elapsed, command.CommandText, Parameters(command.Parameters));
                }
            }
        }

        public void LogFailure(NpgsqlCommand command, Exception ex) => log.Failure(ex, command.CommandText, Parameters(command.Parameters));

        public void LogFailure(NpgsqlBatch batch, Exception ex)
        {
            if (IsAppendConflict(ex))
            {
                log.AppendConflict(OneLine(ex)); // once for the batch, not once per statement in it
                return;
            }

            foreach (var command in batch.BatchCommands)
            {
                log.CommandFailed(ex, command.CommandText, Parameters(command.Parameters));
            }
        }

        public void LogFailure(Exception ex, string message) => log.Failed(ex, message);

        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
        {
            if (Debug)
            {
                log.Saved(commit.Updated.Count(), Elapsed, commit.Inserted.Count(), commit.Deleted.Count());
            }
        }
    }
}

using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Roadmap.EventStore.Projections;

/// <summary>When a projection runs: inside each append's transaction, or behind the log on Marten's async daemon.</summary>
public enum ProjectionLifecycle
{
    Inline,
    Async,
}

/// <summary>A projection the host knows, and how it runs.</summary>
public sealed record ProjectionRegistration(Projection Projection, ProjectionLifecycle Lifecycle);

/// <summary>What the daemon does with an event the projection cannot apply.</summary>
public enum PoisonEventPolicy
{
    /// <summary>Record it in Marten's dead letters (<c>mt_doc_deadletterevent</c>), skip it and go on.</summary>
    Skip,

    /// <summary>Pause the projection: its progress holds until an operator fixes the cause and resumes it.</summary>
    Stop,
}

/// <summary>
/// A read model of our own tables, written in SQL, hosted by Marten (<see cref="MartenProjection"/>): its
/// tables (idempotent DDL with a <c>__schema__</c> placeholder) and how a batch of events changes them. Writes
/// are queued on the batch and run in the append's transaction (inline) or in the transaction that moves the
/// daemon's progress (async), so a read model is never ahead of or behind its position.
/// </summary>
public abstract partial class Projection
{
    public const string SchemaPlaceholder = "__schema__";

    /// <summary>Stable name: Marten's shard (<c>name:All</c>) and progress row are derived from it.</summary>
    public abstract string Name { get; }

    /// <summary>The tables this projection owns (unqualified names), created by <see cref="TablesSql"/>.</summary>
    public abstract IReadOnlyList<string> Tables { get; }

    /// <summary>Idempotent DDL (<c>create table if not exists __schema__.x ...</c>).</summary>
    public abstract string TablesSql { get; }

    public virtual PoisonEventPolicy PoisonPolicy => PoisonEventPolicy.Skip;

    /// <summary>
    /// Whether a rebuild empties <see cref="Tables"/> before replaying the log. A projection whose rows must
    /// outlive a rebuild (the webhook outbox: deliveries are facts about the outside world) says no and writes
    /// idempotently, so a replay only adds what is missing.
    /// </summary>
    public virtual bool ClearTablesOnRebuild => true;

    /// <summary>
    /// Events per page when the projection is rebuilt beside its live tables (<see cref="SideTableRebuild"/>): one
    /// transaction and one <see cref="ApplyAsync"/> per page.
    /// </summary>
    public int RebuildPageSize { get; init; } = 2_000;

    /// <summary>
    /// Whether an operator's stop is in force for this instance (set by <see cref="ProjectionAdmin"/> on the node): the
    /// daemon's batches then wait before they are applied (<see cref="MartenProjection"/>).
    /// </summary>
    internal bool Stopped
    {
        get => Volatile.Read(ref _stopped);
        set => Interlocked.Exchange(ref _stopped, value); // a full fence: see ComputedThrough
    }

    private bool _stopped;

    /// <summary>Whether this node's daemon has a batch waiting at the stop (<see cref="MartenProjection"/>): nothing of it is applied.</summary>
    internal bool Holding
    {
        get => Volatile.Read(ref _holding);
        set => Volatile.Write(ref _holding, value);
    }

    private bool _holding;

    /// <summary>
    /// The last event of the batch this node's daemon took up last, set before it looks at <see cref="Stopped"/>: once
    /// the projection's progress has reached it (or the daemon waits at the stop), no batch this node computed can still
    /// be committed (<see cref="SideTableRebuild"/>). Both are written with a full fence, so a rebuild that sets the stop
    /// and then reads this, while the daemon sets this and then reads the stop, cannot miss the other's write.
    /// </summary>
    internal long ComputedThrough
    {
        get => Interlocked.Read(ref _computedThrough);
        set => Interlocked.Exchange(ref _computedThrough, value);
    }

    private long _computedThrough;

    /// <summary>
    /// Under <see cref="PoisonEventPolicy.Stop"/>: the error of the last batch this node's daemon could not apply, until a
    /// batch applies again or an operator resumes the projection. Marten pauses the agent, and its coordinator starts it
    /// again every few seconds (to fail on the same event); the status stays "failed" in between (<see cref="ProjectionAdmin"/>).
    /// </summary>
    internal string? Failure
    {
        get => Volatile.Read(ref _failure);
        set => Volatile.Write(ref _failure, value);
    }

    private string? _failure;

    /// <summary>Applies a batch (in log order). Throwing discards the batch's writes.</summary>
    public abstract Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken);

    internal void Validate()
    {
        if (!NamePattern().IsMatch(Name))
        {
            throw new ArgumentException($"Projection name '{Name}' must be lower-case letters, digits and '_' (at most 40).");
        }

        if (Tables.Count == 0)
        {
            throw new ArgumentException($"Projection '{Name}' owns no tables.");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    private static partial Regex NamePattern();
}

/// <summary>The events to apply, where to read, and the queue of writes.</summary>
public sealed class ProjectionBatch
{
    private readonly Func<CancellationToken, ValueTask<NpgsqlConnection>> _reads;
    private readonly List<NpgsqlBatchCommand> _writes = [];

    internal ProjectionBatch(IReadOnlyList<RecordedEvent> events, string schema, Func<CancellationToken, ValueTask<NpgsqlConnection>> reads)
    {
        Events = events;
        Schema = schema;
        _reads = reads;
    }

    public IReadOnlyList<RecordedEvent> Events { get; }

    public string Schema { get; }

    internal IReadOnlyList<NpgsqlBatchCommand> Writes => _writes;

    /// <summary>The qualified name of one of the projection's tables.</summary>
    public string Table(string name) => $"{Schema}.{name}";

    /// <summary>
    /// A query. Inline it sees the append's transaction; async it sees what earlier batches committed (the daemon
    /// applies one batch of a projection at a time and commits it before the next).
    /// </summary>
    public async ValueTask<NpgsqlCommand> QueryAsync(string sql, CancellationToken cancellationToken) =>
        new(sql, await _reads(cancellationToken));

    /// <summary>Queues a write with positional parameters ($1, $2, ...); null becomes SQL null, DateOnly a date.</summary>
    public NpgsqlBatchCommand Write(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value },
                DateOnly date => new NpgsqlParameter { Value = date, NpgsqlDbType = NpgsqlDbType.Date },
                NpgsqlParameter parameter => parameter,
                _ => new NpgsqlParameter { Value = value },
            });
        }

        _writes.Add(command);
        return command;
    }

    /// <summary>Queues a write built by the caller.</summary>
    public void Write(NpgsqlBatchCommand command) => _writes.Add(command);
}

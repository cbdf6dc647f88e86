using System.Text.RegularExpressions;
using Npgsql;

namespace Roadmap.EventStore.Projections;

/// <summary>What a runner does with an event the projection cannot apply after its attempts.</summary>
public enum PoisonEventPolicy
{
    /// <summary>Record it in dead_letters, skip it and go on.</summary>
    Skip,

    /// <summary>Mark the projection failed and hold its checkpoint until an operator resets it.</summary>
    Stop,
}

/// <summary>
/// A read model built from the event log: its tables (idempotent DDL with a <c>__schema__</c> placeholder, so
/// that a rebuild can create them elsewhere), and how a batch of events changes them. Apply runs inside the
/// transaction that also moves the checkpoint (async) or appends the events (inline); it must not commit.
/// </summary>
public abstract partial class Projection
{
    public const string SchemaPlaceholder = "__schema__";

    /// <summary>Stable name: checkpoint row, advisory lock and rebuild schema are derived from it.</summary>
    public abstract string Name { get; }

    /// <summary>The tables this projection owns (unqualified names), created by <see cref="TablesSql"/>.</summary>
    public abstract IReadOnlyList<string> Tables { get; }

    /// <summary>Idempotent DDL (<c>create table if not exists __schema__.x ...</c>).</summary>
    public abstract string TablesSql { get; }

    public virtual PoisonEventPolicy PoisonPolicy => PoisonEventPolicy.Skip;

    /// <summary>How often one event is tried before the poison policy applies.</summary>
    public virtual int MaxAttempts => 3;

    /// <summary>Applies a batch (in log order). Throwing rolls the batch back.</summary>
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

/// <summary>The events to apply and where to write them.</summary>
public sealed class ProjectionBatch(
    IReadOnlyList<RecordedEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, bool isRebuild)
{
    public IReadOnlyList<RecordedEvent> Events { get; } = events;

    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>The schema this batch writes to: the live one, or a rebuild's own.</summary>
    public string Schema { get; } = schema;

    public bool IsRebuild { get; } = isRebuild;

    /// <summary>The qualified name of one of the projection's tables for this batch.</summary>
    public string Table(string name) => $"{Schema}.{name}";

    /// <summary>A command on the batch's connection and transaction.</summary>
    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    /// <summary>An NpgsqlBatch on the batch's connection and transaction: many statements, one round trip.</summary>
    public NpgsqlBatch Batch() => new(Connection, Transaction);
}

/// <summary>An inline projection failed, so the append it belonged to was rolled back.</summary>
public sealed class InlineProjectionException(string projection, string streamId, Exception inner)
    : EventStoreException($"Inline projection '{projection}' failed on an append to '{streamId}'; the append was rolled back: {inner.Message}", inner)
{
    public string Projection { get; } = projection;
}

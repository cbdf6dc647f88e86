using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;
using Marten.Events.Aggregation;
using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Subscriptions;

namespace Roadmap.Api.Infrastructure.Deciding;

/// <summary>
/// A decider's state as a decision reads it (docs/0013): Marten's aggregates need an identity, our decider states are
/// plain domain records, so the state travels in this document. Stored as an inline snapshot: written in the same
/// transaction as the events that changed it, so it is always at the stream's head.
/// </summary>
public sealed class DecidedState<TState>
{
    public string Id { get; set; } = "";

    public TState State { get; set; } = default!;
}

/// <summary>
/// A decider's states as Marten keeps them: an inline snapshot per stream, folded with the decider's own
/// <c>Evolve</c> (the one fold a decision and every read of the stream share), of the decider's events only.
/// </summary>
public abstract class DecidedStateProjection<TCommand, TEvent, TState> : SingleStreamProjection<DecidedState<TState>, string>
    where TEvent : class
{
    private readonly Decider<TCommand, TEvent, TState> _decider;

    protected DecidedStateProjection(Decider<TCommand, TEvent, TState> decider, string streamIdPrefix)
    {
        _decider = decider;
        StreamIdPrefix = streamIdPrefix;
        IncludeType<TEvent>();
    }

    /// <summary>How the ids of this decider's streams begin (the snapshots of streams before snapshots are built from it).</summary>
    public string StreamIdPrefix { get; }

    public override DecidedState<TState>? Evolve(DecidedState<TState>? snapshot, string id, IEvent e)
    {
        snapshot ??= new DecidedState<TState> { Id = id, State = _decider.Initial };
        snapshot.State = _decider.EvolveStored(snapshot.State, e.Data);
        return snapshot;
    }
}

public sealed class VendorStates() : DecidedStateProjection<IVendorCommand, IVendorEvent, VendorState>(Vendor.Decider, Vendor.StreamIdPrefix);

public sealed class ProductStates() : DecidedStateProjection<IProductCommand, IProductEvent, ProductState>(Product.Decider, Product.StreamIdPrefix);

public sealed class ReleaseStates() : DecidedStateProjection<IReleaseCommand, IReleaseEvent, ReleaseState>(Release.Decider, Release.StreamIdPrefix);

public sealed class MunicipalityStates()
    : DecidedStateProjection<IMunicipalityCommand, IMunicipalityEvent, MunicipalityState>(Municipality.Decider, Municipality.StreamIdPrefix);

/// <summary>The alert log's state (<see cref="DeadlineAlertLog"/>).</summary>
public sealed class DeadlineAlertStates()
    : DecidedStateProjection<RecordDeadlineAlerts, IDeadlineAlertEvent, DeadlineAlertState>(DeadlineAlertLog.Decider, DeadlineAlertLog.StreamIdPrefix);

/// <summary>A procedure's state: the decider's own fold (the configured procurement rules only decide).</summary>
public sealed class ProcedureStates()
    : DecidedStateProjection<IProcedureCommand, IProcedureEvent, ProcedureState>(ProcedureInstance.Decider, ProcedureInstance.StreamIdPrefix);

public sealed class ProcurementStates()
    : DecidedStateProjection<IProcurementCommand, IProcurementEvent, ProcurementCaseState>(ProcurementCase.Decider, ProcurementCase.StreamIdPrefix);

public sealed class SubscriptionStates()
    : DecidedStateProjection<ISubscriptionCommand, ISubscriptionEvent, SubscriptionState>(Subscription.Decider, Subscription.StreamIdPrefix);

/// <summary>How the decided states are stored and read (docs/0013).</summary>
public static class DecidedStates
{
    /// <summary>How many states per decider a node keeps after its commits, so the next decision on a stream reads no document.</summary>
    public const int CachedPerDecider = 20_000;

    /// <summary>The abstract state records, stored with a type discriminator (<c>$type</c>: the concrete record's name).</summary>
    private static readonly Type[] PolymorphicStates =
    [
        typeof(VendorState), typeof(ProductState), typeof(ReleaseState), typeof(MunicipalityState), typeof(ProcedureState),
        typeof(ProcurementCaseState), typeof(SubscriptionState),
    ];

    /// <summary>Every decider's snapshot projection, with the table its documents live in (<c>mt_doc_{alias}</c>).</summary>
    public static IReadOnlyList<(Action<StoreOptions> Register, Type Document, string Alias, string StreamIdPrefix)> All { get; } =
    [
        Describe(new VendorStates(), "decided_vendor"),
        Describe(new ProductStates(), "decided_product"),
        Describe(new ReleaseStates(), "decided_release"),
        Describe(new MunicipalityStates(), "decided_municipality"),
        Describe(new DeadlineAlertStates(), "decided_deadline_alerts"),
        Describe(new ProcedureStates(), "decided_procedure"),
        Describe(new ProcurementStates(), "decided_procurement"),
        Describe(new SubscriptionStates(), "decided_subscription"),
    ];

    private static (Action<StoreOptions>, Type, string, string) Describe<TCommand, TEvent, TState>(
        DecidedStateProjection<TCommand, TEvent, TState> projection, string alias) where TEvent : class =>
        (opts =>
        {
            opts.Projections.Add(projection, ProjectionLifecycle.Inline);
            opts.Schema.For<DecidedState<TState>>().DocumentAlias(alias);
            opts.Events.CacheAggregatesForWriting<DecidedState<TState>>(CachedPerDecider);
        }, typeof(DecidedState<TState>), alias, projection.StreamIdPrefix);

    /// <summary>
    /// Registers the snapshots: inline projections, a table each, and Marten's write cache, which keeps the state a
    /// commit left so that <c>FetchForExclusiveWriting</c> reads only the stream's version (the snapshot when the version
    /// moved on: another node's decision).
    /// </summary>
    public static void Register(StoreOptions opts)
    {
        opts.Events.UseIdentityMapForAggregates = true;
        foreach (var (register, _, _, _) in All)
        {
            register(opts);
        }
    }

    /// <summary>
    /// The JSON of the snapshots: an abstract state record is written with its concrete record's name (<c>$type</c>),
    /// read wherever jsonb put it among the properties.
    /// </summary>
    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.AllowOutOfOrderMetadataProperties = true;
        var resolver = json.TypeInfoResolver as DefaultJsonTypeInfoResolver ?? new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(AddStateTypes);
        json.TypeInfoResolver = resolver;
    }

    private static void AddStateTypes(JsonTypeInfo info)
    {
        if (Array.IndexOf(PolymorphicStates, info.Type) < 0)
        {
            return;
        }

        var polymorphism = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "$type",
            UnknownDerivedTypeHandling = System.Text.Json.Serialization.JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var derived in info.Type.Assembly.GetTypes().Where(t => t is { IsAbstract: false } && t.IsSubclassOf(info.Type)))
        {
            polymorphism.DerivedTypes.Add(new JsonDerivedType(derived, derived.Name));
        }

        info.PolymorphismOptions = polymorphism;
    }

    /// <summary>
    /// Locks the stream (its <c>mt_streams</c> row, <c>select … for update</c>: decisions on one stream queue here, not at
    /// the commit) and reads its snapshot, in the session's transaction (begun here).
    /// </summary>
    public static async Task<(IEventStream<DecidedState<TState>> Stream, TState State)> FetchForDecisionAsync<TCommand, TEvent, TState>(
        IDocumentSession session, Decider<TCommand, TEvent, TState> decider, string streamId, CancellationToken cancellationToken)
        where TEvent : class
    {
        var stream = await session.Events.FetchForExclusiveWriting<DecidedState<TState>>(streamId, cancellationToken);
        return (stream, StateOf(stream, decider));
    }

    /// <summary>The state of a fetched stream; a stream with events but no snapshot is refused, never decided from the start.</summary>
    public static TState StateOf<TCommand, TEvent, TState>(IEventStream<DecidedState<TState>> stream, Decider<TCommand, TEvent, TState> decider)
        where TEvent : class
    {
        if (stream.Aggregate is { } snapshot)
        {
            return snapshot.State;
        }

        if (stream.StartingVersion is > 0)
        {
            throw new InvalidOperationException(
                $"The stream {stream.Key} has {stream.StartingVersion} events but no decision snapshot; they are built at start-up (DecidedStateBackfill).");
        }

        return decider.Initial;
    }
}

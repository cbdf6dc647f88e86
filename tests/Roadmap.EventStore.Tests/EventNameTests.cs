using System.Runtime.CompilerServices;
using Marten;
using Roadmap.Domain.Deciding;
using Roadmap.EventStore.Serialization;
using Roadmap.EventStore.Tests.Infrastructure;
using static Roadmap.EventStore.Tests.Infrastructure.TestEvents;

namespace Roadmap.EventStore.Tests;

/// <summary>
/// Stored events carry our stable names in <c>mt_events.type</c>, never CLR names, so a record can be renamed or moved
/// freely; reads go by that name.
/// </summary>
public sealed class EventNameTests(TestSchema db) : IClassFixture<TestSchema>
{
    /// <summary>The domain's registry, built as the service builds it (Roadmap.Api's EventTypes: a new shape gets "name.vN").</summary>
    private static EventTypeRegistry DomainRegistry()
    {
        var registry = new EventTypeRegistry();
        foreach (var (type, name, version) in DomainEvents.All)
        {
            registry.Register(type, version == 1 ? name : $"{name}.v{version}");
        }

        return registry;
    }

    [Fact]
    public async Task Every_domain_event_is_mapped_to_its_stable_name_and_Marten_knows_no_other_name()
    {
        var registry = DomainRegistry();
        var expected = registry.Names.ToDictionary(n => n.Type, n => n.Name);
        Assert.Equal(DomainEvents.All.Count(), expected.Count);
        Assert.All(expected.Values, name => Assert.Matches("^[a-z]+\\.[a-z-]+(\\.v[0-9]+)?$", name));

        var opts = new StoreOptions();
        RoadmapMarten.Configure(opts, new EventStoreOptions(db.Schema, registry), db.DataSource, [], new DaemonTuning(), new AppendWakeup());
        opts.Connection(db.DataSource);
        await using var marten = new DocumentStore(opts);

        // Marten's own events (a stream's "archived" marker) aside, it knows our events under our names and nothing else.
        var known = ((IDocumentStore)marten).Options.Events.AllKnownEventTypes()
            .Where(t => t.EventType.Assembly != typeof(JasperFx.Events.Archived).Assembly)
            .ToDictionary(t => t.EventType, t => t.EventTypeName);
        Assert.Equal(expected.OrderBy(p => p.Value), known.OrderBy(p => p.Value));
        Assert.All(DomainEvents.All, e => Assert.Equal(expected[e.Type], ((Marten.Events.EventGraph)opts.Events).EventMappingFor(e.Type).EventTypeName));
    }

    [Fact]
    public async Task Every_domain_event_is_stored_under_its_stable_name_and_read_back_as_its_record()
    {
        var registry = DomainRegistry();
        var schema = new EventStoreOptions(db.Schema, registry);
        var opts = new StoreOptions();
        RoadmapMarten.Configure(opts, schema, db.DataSource, [], new DaemonTuning(), new AppendWakeup());
        opts.Connection(db.DataSource);
        await using var marten = new DocumentStore(opts);
        await marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var store = new PostgresEventStore(marten, db.DataSource, schema);
        var stream = NewStream("every-domain-event");
        var events = DomainEvents.All.Select(e => new NewEvent(Guid.CreateVersion7(), RuntimeHelpers.GetUninitializedObject(e.Type))).ToList();

        await store.AppendAsync(stream, ExpectedVersion.NoStream, events);

        var stored = new List<(string Type, string? DotnetType)>();
        await using (var command = db.DataSource.CreateCommand($"select type, mt_dotnet_type from {db.Schema}.mt_events where stream_id = $1 order by version"))
        {
            command.Parameters.AddWithValue(stream);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        Assert.Equal(events.Select(e => registry.NameOf(e.Data.GetType())), stored.Select(s => s.Type));
        Assert.All(stored, s => Assert.DoesNotContain("Roadmap", s.Type, StringComparison.Ordinal));
        var read = await store.ReadStreamAsync(stream);
        Assert.Equal(events.Select(e => e.Data.GetType()), read.Select(e => e.Data.GetType()));
        Assert.Equal(stored.Select(s => s.Type), read.Select(e => e.EventType));
    }

    [Fact]
    public async Task An_event_is_read_by_its_stored_name_whatever_CLR_type_is_recorded_beside_it()
    {
        var stream = NewStream();
        await db.Store.AppendAsync(stream, ExpectedVersion.NoStream, [New(new CounterOpened(stream, "a", DateTimeOffset.UnixEpoch)), New(new CounterRenamed(stream, "b"))]);
        // As if the records had been renamed and moved since: the CLR name Marten writes next to the event is stale.
        await db.ExecuteAsync($"update {db.Schema}.mt_events set mt_dotnet_type = 'Roadmap.Old.Gone, Roadmap.Old' where stream_id = $1", stream);

        var events = await db.Store.ReadStreamAsync(stream);

        Assert.Equal([typeof(CounterOpened), typeof(CounterRenamed)], events.Select(e => e.Data.GetType()));
        Assert.Equal(new CounterRenamed(stream, "b"), events[1].Data);
    }
}

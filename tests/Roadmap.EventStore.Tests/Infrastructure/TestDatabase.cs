using System.Globalization;
using Marten;
using Npgsql;
using Roadmap.EventStore.Projections;
using Roadmap.EventStore.Serialization;

namespace Roadmap.EventStore.Tests.Infrastructure;

/// <summary>The real PostgreSQL the tests run against: ./roadmap test starts one and sets the variable.</summary>
public static class TestDatabase
{
    public const string ConnectionStringVariable = "ConnectionStrings__Roadmap";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set. Run the tests with ./roadmap test, which starts a throwaway PostgreSQL cluster, or set it to a database you own.");

    /// <summary>A data source with the service's session settings; <paramref name="node"/> names its connections in pg_stat_activity.</summary>
    public static NpgsqlDataSource DataSource(string node = "roadmap-tests") => EventStoreDataSource.Create(ConnectionString, node);

    public static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// A schema of its own (one per test class, or per test where hosts are involved), with Marten's event store
/// configured exactly as the service configures it (<see cref="RoadmapMarten.Configure"/>) and our facade over it.
/// Dropped at the end, so tests run in parallel and leave nothing behind.
/// </summary>
public class TestSchema : IAsyncLifetime, IAsyncDisposable
{
    public string Schema { get; } = $"t_{Guid.NewGuid():N}"[..20];

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public EventTypeRegistry Types { get; } = TestEvents.Registry();

    public EventStoreOptions Options => new(Schema, Types);

    /// <summary>A Marten store without projections and its facade, on the system clock.</summary>
    public PostgresEventStore Store { get; private set; } = null!;

    /// <summary>A pool of this many connections (null: Npgsql's default), so a test can hand one connection on and on.</summary>
    public int? MaxPoolSize { get; init; }

    public virtual async Task InitializeAsync()
    {
        DataSource = MaxPoolSize is { } size
            ? EventStoreDataSource.Create($"{TestDatabase.ConnectionString};Maximum Pool Size={size}", "roadmap-tests")
            : TestDatabase.DataSource();
        Store = await StoreAsync();
        // ProjectionAdmin keeps operators' requests (rebuild, stop) in the API's table; created from the API's migration.
        foreach (var migration in (string[])["projection_controls.sql", "projection_rebuild_progress.sql"])
        {
            await using var stream = typeof(TestSchema).Assembly.GetManifestResourceStream(migration)!;
            using var reader = new StreamReader(stream);
            await ExecuteAsync((await reader.ReadToEndAsync()).Replace("__schema__", Schema, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Another Marten store on this schema: with inline projections (their tables created first), a clock, a log for
    /// Marten (none by default), other event names (another release's <paramref name="types"/>), more configuration. It
    /// applies Marten's schema changes, so it also stands for a service instance starting up.
    /// </summary>
    public async Task<PostgresEventStore> StoreAsync(
        IReadOnlyList<ProjectionRegistration>? projections = null,
        TimeProvider? clock = null,
        Microsoft.Extensions.Logging.ILogger? log = null,
        EventTypeRegistry? types = null,
        Action<StoreOptions>? configure = null)
    {
        var options = types is null ? Options : new EventStoreOptions(Schema, types);
        projections ??= [];
        await RoadmapMarten.EnsureProjectionTablesAsync(DataSource, Schema, projections.Select(p => p.Projection));
        var wakeup = new AppendWakeup();
        var opts = new StoreOptions();
        RoadmapMarten.Configure(opts, options, DataSource, projections, new DaemonTuning(), wakeup, log);
        configure?.Invoke(opts);
        opts.Connection(DataSource);
        var marten = new DocumentStore(opts);
        _stores.Add(marten);
        await marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new PostgresEventStore(marten, DataSource, options, wakeup, clock);
    }

    private readonly List<DocumentStore> _stores = [];

    public Task<long> ScalarAsync(string sql, params object[] parameters) => TestDatabase.ScalarAsync(DataSource, sql, parameters);

    public Task ExecuteAsync(string sql, params object[] parameters) => TestDatabase.ExecuteAsync(DataSource, sql, parameters);

    public async Task<string?> TextAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (await command.ExecuteScalarAsync())?.ToString();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await using (var drop = DataSource.CreateCommand($"drop schema if exists {Schema} cascade"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await DataSource.DisposeAsync();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public static async Task<TestSchema> CreateAsync(int? maxPoolSize = null)
    {
        var schema = new TestSchema { MaxPoolSize = maxPoolSize };
        await schema.InitializeAsync();
        return schema;
    }
}

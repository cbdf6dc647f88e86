using System.Collections.Concurrent;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Roadmap.EventStore.Projections;

namespace Roadmap.EventStore.Tests.Infrastructure;

/// <summary>
/// One service node as the API wires it (Roadmap.Api's EventStoreSetup): its own connection pool, Marten configured
/// through <see cref="RoadmapMarten.Configure"/>, <c>UseNpgsqlDataSource</c>, schema changes on start-up and the async
/// daemon in HotCold mode, so that of several nodes on one schema one holds each projection and another takes over.
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    /// <summary>Production polling; leadership is tried more often than in production so hand-overs do not slow the tests.</summary>
    public static DaemonTuning Tuning(int batchSize = 500) => new()
    {
        LeadershipPolling = TimeSpan.FromMilliseconds(200),
        BatchSize = batchSize,
    };

    private readonly IHost _host;
    private readonly NpgsqlDataSource _dataSource;
    private int _stopped;

    private DaemonHost(string node, IHost host, NpgsqlDataSource dataSource, PostgresEventStore store, IReadOnlyList<ProjectionRegistration> projections, CapturedLogs logs)
    {
        Node = node;
        _host = host;
        _dataSource = dataSource;
        Store = store;
        Projections = projections;
        Logs = logs;
        Admin = new ProjectionAdmin(store, projections, () => Daemon);
    }

    public string Node { get; }

    /// <summary>The application name of this node's connections in pg_stat_activity.</summary>
    public string ApplicationName => ApplicationNameOf(Node);

    public static string ApplicationNameOf(string node) => $"roadmap-tests-{node}";

    public PostgresEventStore Store { get; }

    public IReadOnlyList<ProjectionRegistration> Projections { get; }

    public ProjectionAdmin Admin { get; }

    public CapturedLogs Logs { get; }

    public IDocumentStore Marten => _host.Services.GetRequiredService<IDocumentStore>();

    public IProjectionDaemon Daemon => _host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();

    /// <summary>Whether this node's daemon currently runs the projection.</summary>
    public bool Runs(string projection) =>
        Daemon.CurrentAgents().Any(a => a.Name.Identity == ProjectionAdmin.ShardOf(projection) && a.Status == JasperFx.AgentStatus.Running);

    public static async Task<DaemonHost> StartAsync(TestSchema schema, string node, IReadOnlyList<Projection> projections, DaemonTuning? tuning = null)
    {
        var registrations = projections.Select(p => new ProjectionRegistration(p, ProjectionLifecycle.Async)).ToList();
        var dataSource = TestDatabase.DataSource(ApplicationNameOf(node));
        await RoadmapMarten.EnsureProjectionTablesAsync(dataSource, schema.Schema, projections);
        var logs = new CapturedLogs();
        var wakeup = new AppendWakeup();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(dataSource);
        // As Roadmap.Api's RebuildRequests: this node runs the rebuilds requested for the projections it holds and keeps
        // operators' stops in force (ProjectionAdmin.PickUpRebuildsAsync every 500 ms).
        builder.Services.AddHostedService(sp => new OperatorRequests(new ProjectionAdmin(
            new PostgresEventStore(sp.GetRequiredService<IDocumentStore>(), dataSource, schema.Options, wakeup),
            registrations,
            () => sp.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase())));
        builder.Services.AddMarten(_ =>
            {
                var opts = new StoreOptions();
                RoadmapMarten.Configure(opts, schema.Options, dataSource, registrations, tuning ?? Tuning(), wakeup);
                return opts;
            })
            .UseNpgsqlDataSource()
            .ApplyAllDatabaseChangesOnStartup()
            .AddAsyncDaemon(DaemonMode.HotCold);
        var host = builder.Build();
        await host.StartAsync();
        var store = new PostgresEventStore(host.Services.GetRequiredService<IDocumentStore>(), dataSource, schema.Options, wakeup);
        return new DaemonHost(node, host, dataSource, store, registrations, logs);
    }

    /// <summary>Stops the node as a host shuts down (the daemon stops its agents and releases its leadership).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
        await _dataSource.DisposeAsync();
    }
}

/// <summary>
/// Test classes that run daemons run one after another (and beside the store tests): the daemon's gap detection counts
/// every open transaction of the database as one that may still fill a gap, so one class's held transaction would
/// slow another's.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DaemonCollection
{
    public const string Name = "daemon";
}

/// <summary>The API's RebuildRequests loop (Roadmap.Api/Infrastructure/ProjectionSetup.cs), which is internal there.</summary>
internal sealed class OperatorRequests(ProjectionAdmin admin) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await admin.PickUpRebuildsAsync(onlyHeldHere: true, stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
                {
                    // As the API: try again at the next tick.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Log entries of one host, with their structured values, so tests can wait for what the daemon reports.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        // Never throws: a logger that throws kills the daemon's high water agent (a template may repeat a name).
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            logs._entries.Enqueue(new LogEntry(
                DateTimeOffset.UtcNow, category, logLevel, values.FirstOrDefault(v => v.Key == "{OriginalFormat}").Value as string ?? "",
                values.Where(v => v.Key != "{OriginalFormat}").DistinctBy(v => v.Key).ToDictionary(v => v.Key, v => v.Value), formatter(state, exception), exception));
        }
    }
}

public sealed record LogEntry(
    DateTimeOffset At, string Category, LogLevel Level, string Template, IReadOnlyDictionary<string, object?> Values, string Message, Exception? Exception);

using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Marten;

namespace Roadmap.Api.Admin;

/// <summary>
/// <c>Roadmap.Api projections list|rebuild NAME</c> (what <c>./roadmap projections ...</c> runs): the operator's
/// command line for the projection engine, on the same configuration as the service.
/// </summary>
/// <remarks>
/// A rebuild is requested in <c>projection_rebuilds</c>, exactly as the admin endpoint does, and run by the node whose
/// daemon holds the projection; when no running node picks it up within a few seconds, this process runs it on a
/// Marten daemon of its own. Either way it prints progress until it is done.
/// </remarks>
public static class ProjectionsCommand
{
    /// <summary>How long a requested rebuild waits for a running node before this process runs it.</summary>
    private static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(3);

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == "projections";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var rest = args.Skip(1).Where(a => !a.StartsWith("--urls", StringComparison.Ordinal)).ToArray();
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        try
        {
            await PrepareAsync(services, cancellation.Token);
            return rest switch
            {
                ["list"] or [] => await ListAsync(services, cancellation.Token),
                ["rebuild", var name] => await RebuildAsync(services, name, cancellation.Token),
                _ => Usage($"unknown arguments: {string.Join(' ', rest)}"),
            };
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("interrupted; a rebuild in progress continues on the node that runs the projection.");
            return 130;
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"error: database: {e.Message}");
            return 1;
        }
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine($"error: {error}");
        Console.Error.WriteLine("usage: projections list | projections rebuild NAME");
        return 2;
    }

    private static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<PostgresEventStore>();
        await SchemaMigrationService.ApiMigrator(store.DataSource, store.Options.Schema).MigrateAsync(cancellationToken);
        await RoadmapMarten.EnsureProjectionTablesAsync(
            store.DataSource, store.Options.Schema, services.GetServices<ProjectionRegistration>().Select(r => r.Projection), cancellationToken);
        await store.Marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    private static async Task<int> ListAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var admin = services.GetRequiredService<ProjectionAdmin>();
        var statuses = (await admin.GetStatusAsync(cancellationToken)).ToDictionary(s => s.Name);
        Console.WriteLine($"{"name",-28} {"kind",-6} {"state",-10} {"position",10} {"lag",8} {"dead",5}  running on");
        foreach (var registration in services.GetServices<ProjectionRegistration>().OrderBy(r => r.Projection.Name, StringComparer.Ordinal))
        {
            var name = registration.Projection.Name;
            if (registration.Lifecycle == ProjectionLifecycle.Inline || !statuses.TryGetValue(name, out var s))
            {
                Console.WriteLine($"{name,-28} {"inline",-6} {"-",-10} {"-",10} {"-",8} {"-",5}  (in every append)");
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-28} {"async",-6} {s.State,-10} {s.Checkpoint.Position,10} {s.LagEvents,8} {s.DeadLetterCount,5}  {s.RunningOn ?? "-"}"));
        }

        return 0;
    }

    private static async Task<int> RebuildAsync(IServiceProvider services, string name, CancellationToken cancellationToken)
    {
        var registration = services.GetServices<ProjectionRegistration>().FirstOrDefault(r => r.Projection.Name == name);
        if (registration is null)
        {
            var known = string.Join(", ", services.GetServices<ProjectionRegistration>().Select(r => r.Projection.Name));
            return Usage($"no projection named '{name}' (known: {(known.Length == 0 ? "none" : known)})");
        }

        if (registration.Lifecycle == ProjectionLifecycle.Inline)
        {
            return Usage($"'{name}' is an inline projection, updated in every append's transaction; only async projections are rebuilt");
        }

        var store = services.GetRequiredService<PostgresEventStore>();
        using var daemon = await store.Marten.BuildProjectionDaemonAsync();
        var admin = new ProjectionAdmin(store, services.GetServices<ProjectionRegistration>().ToList(), () => daemon);
        var before = await admin.GetStatusAsync(name, cancellationToken);
        await admin.RequestRebuildAsync(name, cancellationToken);
        Console.Error.WriteLine($"rebuild of '{name}' requested");
        var requestedAt = Stopwatch.StartNew();

        var clock = Stopwatch.StartNew();
        var interactive = !Console.IsErrorRedirected;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            var status = await admin.GetStatusAsync(name, cancellationToken)
                ?? throw new InvalidOperationException($"Projection '{name}' lost its checkpoint row.");
            if (status.State == ProjectionState.Failed)
            {
                Console.Error.WriteLine();
                Console.Error.WriteLine($"error: projection '{name}' failed during the rebuild: {status.Error}");
                return 1;
            }

            if (status.Rebuild is null && status.RebuiltAt is not null && status.RebuiltAt != before?.RebuiltAt)
            {
                var rate = status.AppliedEvents / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                if (interactive)
                {
                    Console.Error.WriteLine();
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"rebuilt '{name}': {status.AppliedEvents:N0} events in {clock.Elapsed.TotalSeconds:F1} s ({rate:N0} events/s), finished at {status.RebuiltAt:u}"));
                return 0;
            }

            if (status.Rebuild is { StartedAt: null } && requestedAt.Elapsed > TakeOverAfter)
            {
                // No running node has picked it up (none holds the projection): this process rebuilds it itself.
                await admin.PickUpRebuildsAsync(onlyHeldHere: false, cancellationToken);
            }

            var line = status.Rebuild is { StartedAt: not null } progress
                ? string.Create(CultureInfo.InvariantCulture,
                    $"rebuild '{name}': {progress.Percent,5:F1}% ({progress.Applied:N0} of {progress.Total:N0} events), {progress.EventsPerSecond:N0} events/s, ETA {(progress.EtaSeconds is { } eta ? $"{eta:F0} s" : "?")}")
                : $"rebuild '{name}': starting";
            if (interactive)
            {
                Console.Error.Write($"\r{line,-110}");
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}

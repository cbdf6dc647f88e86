using JasperFx.Core;
using Marten;
using Npgsql;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Api.Integrations;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;
using Roadmap.Projections.Roadmaps;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Roadmap.Api.Deadlines;

/// <summary>Review one municipality's deadlines now: record the alerts that are due and schedule the next review.</summary>
public sealed record ReviewDeadlines(string Ags);

/// <summary>The daily review of every municipality: a band that worsens with the days, not by a decision, is alerted.</summary>
public sealed record ReviewAllDeadlines;

/// <summary>
/// Deadline alerts (docs/0014): from the roadmap's computed dates, alerts at the configured leads before each
/// procedure's latest procurement start and latest award, when a band worsens, and when a day passed unreached. They
/// are events on the municipality's alert log, decided by <see cref="DeadlineAlertLog"/> (which records each alert once,
/// whichever node and however often a review runs), and CloudEvents fixed in the same transaction.
/// </summary>
public static class ReviewDeadlinesHandler
{
    public const string Actor = "roadmap-fristen";

    /// <summary>
    /// Two nodes reviewing one municipality at once: the loser's commit fails on the stream's version (or on creating
    /// the stream) and it reviews again, finding the alerts recorded. A roadmap projection that does not catch up
    /// (stopped, failing): later.
    /// </summary>
    public static void Configure(HandlerChain chain)
    {
        chain.OnException<JasperFx.ConcurrencyException>()
            .Or<JasperFx.Events.ExistingStreamIdCollisionException>()
            .Or<Marten.Exceptions.ExistingStreamIdCollisionException>()
            .RetryWithCooldown(50.Milliseconds(), 250.Milliseconds(), 1.Seconds());
        chain.OnException<TimeoutException>().ScheduleRetry(10.Seconds(), 1.Minutes(), 5.Minutes());
    }

    public static async Task Handle(
        ReviewDeadlines message,
        IDocumentSession session,
        IMessageContext bus,
        IRoadmapQueries queries,
        ProjectionAdmin projections,
        PostgresEventStore store,
        DeadlineOptions options,
        EventStoreOptions storeOptions,
        DecidedStateCache states,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!options.Enabled || !Ags.TryParse(message.Ags, out var ags, out _))
        {
            return;
        }

        // The roadmap must include every decision committed before this review began: a wake-up that comes just after
        // a decision moved the date decides on the moved date, never on the one before it.
        var head = await store.GetHeadPositionAsync(cancellationToken);
        await projections.WaitForCatchUpAsync(RoadmapProjection.ProjectionName, head, options.CatchUpTimeout, cancellationToken);

        var now = clock.GetUtcNow();
        var today = CalendarDay.Of(now);
        var roadmap = await queries.GetRoadmapAsync(ags, today, null, cancellationToken);
        if (roadmap is null)
        {
            return;
        }

        // The alert log grows with the years: locked (the transaction begins here), and folded from the state this node
        // remembers (DecidedStateCache).
        var stream = await states.FetchAsync(session, DeadlineAlertLog.Decider, DeadlineAlertLog.StreamId(ags), storeOptions.Schema, null, cancellationToken);
        var connection = (NpgsqlConnection)session.Connection!;
        var state = stream.State;
        var watches = Watches(roadmap);
        var alerts = DeadlineAlertLog.Decider.Decide(new RecordDeadlineAlerts(ags, watches, today, options.Leads, now, Actor), state);
        if (alerts.Count > 0)
        {
            var meta = new DecisionMeta(stream.StreamId, Actor, bus.CorrelationId ?? bus.Envelope?.Id.ToString() ?? Guid.NewGuid().ToString(), null, "deadlines", "", "", null, null);
            var response = DecisionStep.Append(session, stream, alerts, meta, clock);
            var products = await ProductsAsync(connection, storeOptions.Schema, roadmap, cancellationToken);
            foreach (var recorded in response.Events)
            {
                IntegrationEventLog.Queue(session, storeOptions.Schema,
                    DeadlineCloudEvents.Build(recorded.EventId, recorded.RecordedAt, (IDeadlineAlertEvent)recorded.Data, roadmap, products));
            }
        }

        if (NextReviewDay(watches, today, options.Leads) is { } day)
        {
            await ScheduleAsync(connection, bus, storeOptions.Schema, message.Ags, new ReviewDeadlines(message.Ags), day, clock, cancellationToken);
        }
    }

    /// <summary>The milestones still ahead of each procedure in the roadmap: a procurement not started, an award not made.</summary>
    public static IReadOnlyList<DeadlineWatch> Watches(MunicipalityRoadmap roadmap) =>
        roadmap.Entries
            .Where(e => e.Milestones is not null && e.LifecycleState is not ("cut-over" or "retired"))
            .SelectMany(e => new[]
            {
                e.Actual.ProcurementStartedOn is null && e.Actual.AwardedOn is null
                    ? new DeadlineWatch(e.ProcedureId, e.Name, DeadlineAlertLog.ProcurementStart, e.Milestones!.LatestProcurementStart, e.Band)
                    : null,
                e.Actual.AwardedOn is null ? new DeadlineWatch(e.ProcedureId, e.Name, DeadlineAlertLog.Award, e.Milestones!.LatestAward, e.Band) : null,
            })
            .OfType<DeadlineWatch>()
            .ToList();

    /// <summary>The next day on which a lead is reached or a latest day has passed; null when nothing is ahead.</summary>
    public static DateOnly? NextReviewDay(IReadOnlyList<DeadlineWatch> watches, DateOnly today, IReadOnlyList<int> leads) =>
        watches
            .SelectMany(w => leads.Select(l => w.DueOn.AddDays(-l)).Append(w.DueOn.AddDays(1)))
            .Where(d => d > today)
            .Cast<DateOnly?>()
            .Min();

    /// <summary>
    /// Schedules <paramref name="review"/> for shortly after the start of <paramref name="day"/> in Berlin, once per key and
    /// time however many reviews ask for it (deadline_wakeups): a Wolverine scheduled message, stored with this transaction.
    /// The delay counts from the app's clock, so the alert's day is the roadmap's day.
    /// </summary>
    public static async Task ScheduleAsync(
        NpgsqlConnection connection, IMessageBus bus, string schema, string key, object review, DateOnly day, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CalendarDay.StartOf(day).AddMinutes(5).ToUniversalTime();
        await using (var expired = new NpgsqlCommand($"delete from {schema}.deadline_wakeups where key = $1 and fire_at < $2", connection))
        {
            expired.Parameters.AddWithValue(key);
            expired.Parameters.AddWithValue(clock.GetUtcNow());
            await expired.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var claim = new NpgsqlCommand($"insert into {schema}.deadline_wakeups (key, fire_at) values ($1, $2) on conflict do nothing", connection);
        claim.Parameters.AddWithValue(key);
        claim.Parameters.AddWithValue(at);
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            await bus.ScheduleAsync(review, at - clock.GetUtcNow());
        }
    }

    private static async Task<Dictionary<Guid, Guid>> ProductsAsync(
        NpgsqlConnection connection, string schema, MunicipalityRoadmap roadmap, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select release_id, product_id from {schema}.release_index where release_id = any($1)", connection);
        command.Parameters.AddWithValue(roadmap.Entries.Select(e => e.Release.ReleaseId).Distinct().ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var products = new Dictionary<Guid, Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            products[reader.GetGuid(0)] = reader.GetGuid(1);
        }

        return products;
    }
}

/// <summary>Every municipality, then the next daily review (once across nodes).</summary>
public static class ReviewAllDeadlinesHandler
{
    public static async Task<IEnumerable<object>> Handle(
        ReviewAllDeadlines message, IDocumentSession session, IMessageBus bus, EventStoreOptions storeOptions, DeadlineOptions options,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return [];
        }

        await session.BeginTransactionAsync(cancellationToken);
        var connection = (NpgsqlConnection)session.Connection!;
        var reviews = new List<object>();
        await using (var command = new NpgsqlCommand($"select ags from {storeOptions.Schema}.municipality_index order by ags", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                reviews.Add(new ReviewDeadlines(reader.GetString(0)));
            }
        }

        await ReviewDeadlinesHandler.ScheduleAsync(
            connection, bus, storeOptions.Schema, "*", new ReviewAllDeadlines(), CalendarDay.Today(clock).AddDays(1), clock, cancellationToken);
        return reviews;
    }
}

/// <summary>
/// At start-up, the daily review of everything unless one is scheduled (on the first start, or when the schedule was
/// lost). Roadmaps that changed while no node ran are the watcher's; wake-ups that fell due meanwhile are stored
/// Wolverine messages and run when a node is back.
/// </summary>
public sealed class DeadlineStartup(
    IServiceScopeFactory scopes, DeadlineOptions options, EventStoreOptions storeOptions, NpgsqlDataSource dataSource, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<DeadlineStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
        {
            lifetime.ApplicationStarted.Register(() => _ = EnsureDailyReviewAsync());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureDailyReviewAsync()
    {
        try
        {
            await using var scheduled = dataSource.CreateCommand(
                $"select exists (select 1 from {storeOptions.Schema}.deadline_wakeups where key = '*' and fire_at > $1)");
            scheduled.Parameters.AddWithValue(clock.GetUtcNow());
            if (await scheduled.ExecuteScalarAsync() is true)
            {
                return;
            }

            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(new ReviewAllDeadlines());
        }
        catch (Exception e)
        {
            // Another node's daily review, or the next start, catches up.
            logger.LogWarning(e, "Could not schedule the daily review of all deadlines");
        }
    }
}

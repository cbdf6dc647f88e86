using Npgsql;
using Roadmap.EventStore;
using Wolverine;
using Wolverine.Marten.Publishing;

namespace Roadmap.Api.Deadlines;

/// <summary>
/// Reviews a municipality's deadlines when its roadmap changed: every <see cref="DeadlineOptions.ReviewPollInterval"/>
/// each node claims the municipalities whose roadmap version (roadmap_municipality_versions, kept by the roadmap
/// projection) is newer than the one last reviewed (deadline_reviews), and publishes a <see cref="ReviewDeadlines"/>
/// for each through Wolverine's outbox in the claim's transaction: a claim is never lost between the commit and the
/// message, and two nodes never claim one change (the conditional upsert). Nothing runs in a decision's transaction,
/// and a burst of decisions on one municipality is one review. Every way events get into the log (decisions, the
/// demo loader, a rebuilt roadmap) is covered, because the trigger is the projected roadmap itself (docs/0014).
/// </summary>
public sealed class DeadlineWatcher(
    IServiceScopeFactory scopes, DeadlineOptions options, EventStoreOptions storeOptions, ILogger<DeadlineWatcher> logger) : BackgroundService
{
    private const int ClaimsPerRound = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.ReviewPollInterval);
        do
        {
            try
            {
                while (await ClaimAsync(stoppingToken) == ClaimsPerRound)
                {
                    // A backlog (first start, a rebuilt roadmap): the next round at once.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The database restarts or a table is being rebuilt: the next round claims what this one did not.
                logger.LogWarning(e, "Deadline watcher: could not claim changed roadmaps; trying again in {Interval}", options.ReviewPollInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: claims up to <see cref="ClaimsPerRound"/> changed roadmaps and publishes their reviews; returns how many.</summary>
    public async Task<int> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await using var session = scope.ServiceProvider.GetRequiredService<OutboxedSessionFactory>().OpenSession(bus);
        await session.BeginTransactionAsync(cancellationToken);
        var s = storeOptions.Schema;
        await using var claim = new NpgsqlCommand(
            $"""
            insert into {s}.deadline_reviews (ags, reviewed_version)
            select v.ags, v.version from {s}.roadmap_municipality_versions v
              left join {s}.deadline_reviews r on r.ags = v.ags
             where r.ags is null or r.reviewed_version < v.version
             order by v.ags
             limit {ClaimsPerRound}
            on conflict (ags) do update set reviewed_version = excluded.reviewed_version
             where {s}.deadline_reviews.reviewed_version < excluded.reviewed_version
            returning ags
            """,
            (NpgsqlConnection)session.Connection!);
        var claimed = new List<string>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(reader.GetString(0));
            }
        }

        foreach (var ags in claimed)
        {
            await bus.PublishAsync(new ReviewDeadlines(ags));
        }

        await session.SaveChangesAsync(cancellationToken);
        return claimed.Count;
    }
}

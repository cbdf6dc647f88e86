using Marten;
using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Infrastructure.Deciding;

/// <summary>
/// Builds the decision snapshot of every stream that has events but none (a log written before the snapshots existed,
/// or restored without them) before the API takes requests: an inline snapshot is written only with new events, and a
/// decision refuses a stream without one (<see cref="DecidedStates.StateOf{TCommand,TEvent,TState}"/>). On an
/// up-to-date log it is one query per decider that finds nothing. Started after Marten has created the tables.
/// </summary>
internal sealed class DecidedStateBackfill(
    IDocumentStore store, NpgsqlDataSource dataSource, EventStoreOptions options, ILogger<DecidedStateBackfill> logger) : IHostedService
{
    private const int BatchSize = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), cancellationToken);
        foreach (var (_, document, alias, prefix) in DecidedStates.All)
        {
            await store.Storage.Database.EnsureStorageExistsAsync(document, cancellationToken);
            var missing = await MissingAsync(alias, prefix, cancellationToken);
            if (missing.Count == 0)
            {
                continue;
            }

            logger.LogInformation("Building {Count} decision snapshots of {Prefix}* streams", missing.Count, prefix);
            var build = typeof(DecidedStateBackfill).GetMethod(nameof(BuildAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(document.GetGenericArguments()[0]);
            for (var done = 0; done < missing.Count; done += BatchSize)
            {
                await (Task)build.Invoke(this, [missing.Skip(done).Take(BatchSize).ToList(), cancellationToken])!;
                logger.LogInformation("Built {Done} of {Count} decision snapshots of {Prefix}* streams",
                    Math.Min(done + BatchSize, missing.Count), missing.Count, prefix);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The ids of the streams with the prefix that have events and no snapshot.</summary>
    private async Task<List<string>> MissingAsync(string alias, string prefix, CancellationToken cancellationToken)
    {
        var s = options.Schema;
        await using var command = dataSource.CreateCommand(
            $"""
            select s.id from {s}.mt_streams s
            where s.id like $1 || '%' and s.version > 0
              and not exists (select 1 from {s}.mt_doc_{alias} d where d.id = s.id)
            order by s.id
            """);
        command.Parameters.AddWithValue(prefix);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Folds each stream with the snapshot's own projection and stores the result, in one transaction per batch.</summary>
    private async Task BuildAsync<TState>(List<string> streamIds, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        foreach (var id in streamIds)
        {
            if (await session.Events.AggregateStreamAsync<DecidedState<TState>>(id, token: cancellationToken) is { } snapshot)
            {
                session.Store(snapshot);
            }
        }

        await session.SaveChangesAsync(cancellationToken);
    }
}

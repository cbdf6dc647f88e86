using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// At start-up (after the migrations): every stored signing secret (current and, after a rotation, previous) must
/// decrypt with the configured keys, and those
/// not yet under the current key (stored before encryption, or under a key now in PreviousSecretKeys) are
/// re-encrypted with it. A secret no configured key opens stops the start with the key id it needs.
/// </summary>
internal sealed class WebhookSecretsAtRest(
    NpgsqlDataSource dataSource, EventStoreOptions storeOptions, WebhookSecretCipher cipher, ILogger<WebhookSecretsAtRest> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = storeOptions.Schema;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stale = new List<(Guid Subscription, string Stored, string? Previous)>();
        await using (var read = new NpgsqlCommand(
            $"select subscription_id, secret, previous_secret from {schema}.webhook_secrets for update", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var stored = reader.GetString(1);
                var previous = reader.IsDBNull(2) ? null : reader.GetString(2);
                if (!cipher.IsCurrent(stored) || (previous is not null && !cipher.IsCurrent(previous)))
                {
                    stale.Add((reader.GetGuid(0), stored, previous));
                }
            }
        }

        if (stale.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (subscription, stored, previous) in stale)
        {
            var update = new NpgsqlBatchCommand($"update {schema}.webhook_secrets set secret = $2, previous_secret = $3 where subscription_id = $1");
            update.Parameters.Add(new NpgsqlParameter { Value = subscription });
            update.Parameters.Add(new NpgsqlParameter { Value = Reseal(subscription, stored) });
            update.Parameters.Add(new NpgsqlParameter { Value = previous is null ? DBNull.Value : Reseal(subscription, previous) });
            batch.BatchCommands.Add(update);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Re-encrypted {Count} webhook signing secrets with key {KeyId}", stale.Count, cipher.CurrentKeyId);
    }

    private string Reseal(Guid subscription, string stored) =>
        cipher.IsCurrent(stored) ? stored : cipher.Protect(subscription, cipher.Unprotect(subscription, stored));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

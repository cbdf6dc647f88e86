using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// At start-up (after the migrations): every stored signing secret must decrypt with the configured keys, and those
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
        var stale = new List<(Guid Subscription, string Stored)>();
        await using (var read = new NpgsqlCommand($"select subscription_id, secret from {schema}.webhook_secrets for update", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var stored = reader.GetString(1);
                if (!cipher.IsCurrent(stored))
                {
                    stale.Add((reader.GetGuid(0), stored));
                }
            }
        }

        if (stale.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (subscription, stored) in stale)
        {
            var update = new NpgsqlBatchCommand($"update {schema}.webhook_secrets set secret = $2 where subscription_id = $1");
            update.Parameters.Add(new NpgsqlParameter { Value = subscription });
            update.Parameters.Add(new NpgsqlParameter { Value = cipher.Protect(subscription, cipher.Unprotect(subscription, stored)) });
            batch.BatchCommands.Add(update);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Re-encrypted {Count} webhook signing secrets with key {KeyId}", stale.Count, cipher.CurrentKeyId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

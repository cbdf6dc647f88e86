using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// Sends the deliveries that <see cref="WebhookOutbox"/> recorded. One worker per subscription with pending
/// deliveries, holding that subscription's advisory lock, so across all nodes one sender serves a subscription and
/// sends its deliveries strictly in delivery_id (log) order: the oldest pending delivery is retried, with backoff,
/// until it succeeds or becomes a dead letter, and only then does the next one go. A delivery is marked delivered
/// only after a 2xx, so a crash in flight sends that delivery again (at least once, same webhook-id).
/// </summary>
public sealed class WebhookSender(
    NpgsqlDataSource dataSource, EventStoreOptions storeOptions, WebhookOptions options, IHttpClientFactory httpClients,
    TimeProvider clock, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private readonly string _schema = storeOptions.Schema;
    private readonly Dictionary<Guid, Worker> _workers = [];
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (!options.RunSender)
        {
            logger.LogInformation("Webhook sender disabled on this node (Roadmap:Webhooks:RunSender=false)");
            return;
        }

        var listening = ListenAsync(stop);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                foreach (var subscription in await DueSubscriptionsAsync(stop))
                {
                    Kick(subscription, stop);
                }

                await _wake.WaitAsync(options.PollInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook sender: could not read pending deliveries; retrying");
                await DelayQuietlyAsync(options.PollInterval, stop);
            }
        }

        Task[] running;
        lock (_workers)
        {
            running = _workers.Values.Select(w => w.Task).ToArray();
        }

        await Task.WhenAll(running.Append(listening));
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
    }

    /// <summary>LISTEN for the dispatcher's NOTIFY; the poll in <see cref="ExecuteAsync"/> covers a lost one.</summary>
    private async Task ListenAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stop);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"listen {WebhookOutbox.Channel(_schema)}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop);
                }

                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await connection.WaitAsync(stop);
                    }
                }
                finally
                {
                    await using var unlisten = new NpgsqlCommand("unlisten *", connection);
                    await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook sender: LISTEN connection lost; reconnecting");
                await DelayQuietlyAsync(options.PollInterval, stop);
            }
        }
    }

    private async Task<List<Guid>> DueSubscriptionsAsync(CancellationToken stop)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select distinct d.subscription_id from {_schema}.webhook_deliveries d
              join {_schema}.webhook_subscriptions s on s.subscription_id = d.subscription_id
             where d.state = 'pending' and s.state = 'active'
            """);
        await using var reader = await command.ExecuteReaderAsync(stop);
        var due = new List<Guid>();
        while (await reader.ReadAsync(stop))
        {
            due.Add(reader.GetGuid(0));
        }

        return due;
    }

    /// <summary>Starts a worker for the subscription, or tells the running one to look again before it stops.</summary>
    private void Kick(Guid subscription, CancellationToken stop)
    {
        lock (_workers)
        {
            if (_workers.TryGetValue(subscription, out var running))
            {
                running.Kicked = true;
                return;
            }

            var worker = new Worker();
            _workers[subscription] = worker;
            worker.Task = Task.Run(() => RunWorkerAsync(subscription, worker, stop), CancellationToken.None);
        }
    }

    private async Task RunWorkerAsync(Guid subscription, Worker worker, CancellationToken stop)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(stop);
            var lockKey = $"roadmap.webhooks:{_schema}:{subscription}";
            if (!await AdvisoryLockAsync(connection, "pg_try_advisory_lock", lockKey, stop))
            {
                return; // another node sends for this subscription
            }

            try
            {
                while (true)
                {
                    stop.ThrowIfCancellationRequested();
                    var head = await HeadAsync(connection, subscription, stop);
                    if (head is null)
                    {
                        lock (_workers)
                        {
                            if (!worker.Kicked)
                            {
                                _workers.Remove(subscription);
                                return;
                            }

                            worker.Kicked = false;
                        }

                        continue;
                    }

                    var wait = head.NextAttemptAt - clock.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        // Re-read at least every poll interval: a redelivery or pause may change the head meanwhile.
                        await Task.Delay(wait < options.PollInterval ? wait : options.PollInterval, stop);
                        continue;
                    }

                    await AttemptAsync(connection, head, stop);
                }
            }
            finally
            {
                await AdvisoryLockAsync(connection, "pg_advisory_unlock", lockKey, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Webhook sender: worker for subscription {Subscription} failed; the next poll restarts it", subscription);
        }
        finally
        {
            lock (_workers)
            {
                if (_workers.TryGetValue(subscription, out var current) && ReferenceEquals(current, worker))
                {
                    _workers.Remove(subscription);
                }
            }
        }
    }

    private static async Task<bool> AdvisoryLockAsync(NpgsqlConnection connection, string function, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select {function}(hashtextextended($1, 0))", connection);
        command.Parameters.AddWithValue(key);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private sealed record Head(long DeliveryId, Guid SubscriptionId, Guid EventId, string Body, int Attempts, DateTimeOffset NextAttemptAt, string TargetUrl, string Secret);

    /// <summary>The oldest pending delivery of an active subscription: nothing behind it goes before it.</summary>
    private async Task<Head?> HeadAsync(NpgsqlConnection connection, Guid subscription, CancellationToken stop)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select d.delivery_id, d.event_id, d.body, d.attempts, d.next_attempt_at, s.target_url, k.secret
              from {_schema}.webhook_deliveries d
              join {_schema}.webhook_subscriptions s on s.subscription_id = d.subscription_id and s.state = 'active'
              join {_schema}.webhook_secrets k on k.subscription_id = d.subscription_id
             where d.subscription_id = $1 and d.state = 'pending'
             order by d.delivery_id limit 1
            """, connection);
        command.Parameters.AddWithValue(subscription);
        await using var reader = await command.ExecuteReaderAsync(stop);
        if (!await reader.ReadAsync(stop))
        {
            return null;
        }

        return new Head(reader.GetInt64(0), subscription, reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
            reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), reader.GetString(6));
    }

    private async Task AttemptAsync(NpgsqlConnection connection, Head head, CancellationToken stop)
    {
        var attempt = head.Attempts + 1;
        var startedAt = clock.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            using var request = Sign(head, startedAt);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(options.AttemptTimeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = (int)response.StatusCode is >= 300 and < 400
                    ? $"HTTP {status}: redirects are not followed"
                    : $"HTTP {status} {response.ReasonPhrase}";
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw; // stopping: the delivery stays pending and goes again after the restart
        }
        catch (OperationCanceledException)
        {
            error = $"timed out after {options.AttemptTimeout.TotalMilliseconds:F0} ms";
        }
        catch (HttpRequestException e)
        {
            error = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        }

        var duration = Stopwatch.GetElapsedTime(started);
        if (options.AfterResponse is { } hook)
        {
            await hook(head.DeliveryId);
        }

        await RecordAsync(connection, head, attempt, startedAt, duration, status, error, stop);
    }

    private HttpRequestMessage Sign(Head head, DateTimeOffset now)
    {
        var body = Encoding.UTF8.GetBytes(head.Body);
        var id = head.EventId.ToString();
        var timestamp = now.ToUnixTimeSeconds();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(DeprecationCloudEvents.ContentType) { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, head.TargetUrl) { Content = content };
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(head.Secret, id, timestamp, body));
        return request;
    }

    /// <summary>The attempt in the delivery log and the delivery's new state, in one transaction.</summary>
    private async Task RecordAsync(
        NpgsqlConnection connection, Head head, int attempt, DateTimeOffset startedAt, TimeSpan duration, int? status, string? error, CancellationToken stop)
    {
        var delivered = error is null;
        var dead = !delivered && attempt >= options.MaxAttempts;
        var next = clock.GetUtcNow() + (delivered || dead ? TimeSpan.Zero : options.BackoffAfter(attempt, Random.Shared));
        await using var transaction = await connection.BeginTransactionAsync(stop);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var log = new NpgsqlBatchCommand(
            $"""
            insert into {_schema}.webhook_attempts (delivery_id, subscription_id, attempt, started_at, duration_ms, status_code, error)
            values ($1, $2, $3, $4, $5, $6, $7)
            """);
        log.Parameters.Add(new NpgsqlParameter { Value = head.DeliveryId });
        log.Parameters.Add(new NpgsqlParameter { Value = head.SubscriptionId });
        log.Parameters.Add(new NpgsqlParameter { Value = attempt });
        log.Parameters.Add(new NpgsqlParameter { Value = startedAt });
        log.Parameters.Add(new NpgsqlParameter { Value = duration.TotalMilliseconds });
        log.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        log.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        batch.BatchCommands.Add(log);

        var update = new NpgsqlBatchCommand(
            $"""
            update {_schema}.webhook_deliveries
               set attempts = $2, last_error = $3, next_attempt_at = $4,
                   state = case when $5 then 'delivered' when $6 then 'dead' else 'pending' end,
                   delivered_at = case when $5 then now() end,
                   dead_at = case when $6 then now() end
             where delivery_id = $1 and state = 'pending'
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = head.DeliveryId });
        update.Parameters.Add(new NpgsqlParameter { Value = attempt });
        update.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        update.Parameters.Add(new NpgsqlParameter { Value = next });
        update.Parameters.Add(new NpgsqlParameter { Value = delivered });
        update.Parameters.Add(new NpgsqlParameter { Value = dead });
        batch.BatchCommands.Add(update);

        if (dead || delivered)
        {
            var health = new NpgsqlBatchCommand(dead
                ? $"""
                  insert into {_schema}.webhook_status (subscription_id, failing, failing_since, last_error) values ($1, true, now(), $2)
                  on conflict (subscription_id) do update set failing = true, last_error = excluded.last_error,
                    failing_since = coalesce({_schema}.webhook_status.failing_since, excluded.failing_since)
                  """
                : $"update {_schema}.webhook_status set failing = false, failing_since = null where subscription_id = $1 and failing");
            health.Parameters.Add(new NpgsqlParameter { Value = head.SubscriptionId });
            if (dead)
            {
                health.Parameters.Add(new NpgsqlParameter { Value = error });
            }

            batch.BatchCommands.Add(health);
        }

        await batch.ExecuteNonQueryAsync(stop);
        await transaction.CommitAsync(CancellationToken.None);
        if (dead)
        {
            logger.LogWarning("Webhook delivery {Delivery} to subscription {Subscription} is a dead letter after {Attempts} attempts: {Error}",
                head.DeliveryId, head.SubscriptionId, attempt, error);
        }
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private sealed class Worker
    {
        public Task Task { get; set; } = Task.CompletedTask;

        public bool Kicked { get; set; }
    }
}

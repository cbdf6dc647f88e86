using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// Sends the deliveries that <see cref="WebhookOutbox"/> recorded. One worker per subscription with pending
/// deliveries, holding that subscription's advisory lock, so across all nodes one sender serves a subscription and
/// sends its deliveries strictly in delivery_id (log) order: the oldest pending delivery is retried, with backoff,
/// until it succeeds or becomes a dead letter, and only then does the next one go. A delivery is marked delivered
/// only after a 2xx; outcomes are stored together (up to 50, at most 250 ms after the first, at once after a
/// failure and when stopping), so a crash of the node sends at most those again (at least once, same webhook-id),
/// and a graceful stop only the attempt it cut off.
/// A worker stays for <see cref="WebhookOptions.WorkerIdleTime"/> after its queue empties and is woken directly by
/// the dispatcher's notification, so a steady stream pays no start-up (connection, lock, task) per delivery; at most
/// <see cref="WebhookOptions.MaxConcurrentSubscriptions"/> workers run at once (each holds a connection), and an
/// idle one gives its place up at once when another subscription is waiting.
/// </summary>
public sealed class WebhookSender(
    NpgsqlDataSource dataSource, EventStoreOptions storeOptions, WebhookOptions options, WebhookSecretCipher cipher,
    IHttpClientFactory httpClients, TimeProvider clock, RoadmapMetrics metrics, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>Deliveries read together, and the most outcomes kept before they are stored.</summary>
    private const int BatchSize = 50;

    /// <summary>
    /// The longest a successful outcome waits in memory before it is stored (a failure or a stop stores at once).
    /// A crash of the node repeats at most these deliveries, with the same webhook-id.
    /// </summary>
    private static readonly TimeSpan RecordEvery = TimeSpan.FromMilliseconds(250);

    private readonly string _schema = storeOptions.Schema;
    private readonly Dictionary<Guid, Worker> _workers = [];
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentSubscriptions, options.MaxConcurrentSubscriptions);
    private int _waitingForSlot;
    private long _lastLookAt = Environment.TickCount64;

    /// <summary>
    /// For readiness: false when this node should send but its loop has not looked for due deliveries for three poll
    /// intervals (at least 30 s); true on a node that does not send.
    /// </summary>
    public bool IsLooking =>
        !options.RunSender || Environment.TickCount64 - Interlocked.Read(ref _lastLookAt) < Math.Max(30_000, 3 * options.PollInterval.TotalMilliseconds);

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

                Interlocked.Exchange(ref _lastLookAt, Environment.TickCount64);

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

    /// <summary>A notification: the running workers look again at once; the loop starts workers for the others.</summary>
    private void Wake()
    {
        lock (_workers)
        {
            foreach (var worker in _workers.Values)
            {
                worker.Kick();
            }
        }

        Release(_wake);
    }

    private static void Release(SemaphoreSlim signal)
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
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
            select s.subscription_id from {_schema}.webhook_subscriptions s
             where s.state = 'active'
               and exists (select from {_schema}.webhook_deliveries d where d.subscription_id = s.subscription_id and d.state = 'pending')
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
            if (_workers.TryGetValue(subscription, out var running) && !running.Leaving)
            {
                running.Kick();
                return;
            }

            // A worker that is leaving still holds the subscription's lock for a moment: the new one waits for it
            // instead of finding the lock taken and giving up until the next poll.
            var worker = new Worker();
            _workers[subscription] = worker;
            worker.Task = Task.Run(() => RunWorkerAsync(subscription, worker, running, stop), CancellationToken.None);
        }
    }

    private async Task RunWorkerAsync(Guid subscription, Worker worker, Worker? predecessor, CancellationToken stop)
    {
        var holdsSlot = false;
        try
        {
            if (predecessor is not null)
            {
                await predecessor.Task; // it is leaving: nothing left but storing its outcomes and unlocking
            }

            Interlocked.Increment(ref _waitingForSlot);
            try
            {
                await _slots.WaitAsync(stop);
                holdsSlot = true;
            }
            finally
            {
                Interlocked.Decrement(ref _waitingForSlot);
            }

            await using var connection = await dataSource.OpenConnectionAsync(stop);
            var lockKey = $"roadmap.webhooks:{_schema}:{subscription}";
            if (!await AdvisoryLockAsync(connection, "pg_try_advisory_lock", lockKey, stop))
            {
                return; // another node sends for this subscription
            }

            // Outcomes not stored yet, in order: successes, possibly ending with one failure (stored at once).
            var outcomes = new List<Outcome>(BatchSize);
            var firstOutcomeAt = 0L;
            // False once a read found the queue drained: the next read waits for a kick (the dispatcher notifies
            // after every commit of new rows, and a kick during the read or the sends stays set), so a steady
            // trickle costs one read per wake-up rather than two.
            var mayHaveMore = true;
            try
            {
                while (true)
                {
                    stop.ThrowIfCancellationRequested();
                    if (!mayHaveMore)
                    {
                        if (outcomes.Count > 0)
                        {
                            // Keep answered outcomes a little for more to arrive, then store them together.
                            var keep = RecordEvery - Stopwatch.GetElapsedTime(firstOutcomeAt);
                            if (keep <= TimeSpan.Zero || !await worker.WaitAsync(keep, stop))
                            {
                                await RecordAsync(connection, outcomes);
                                continue;
                            }
                        }
                        else if (!await IdleAsync(subscription, worker, stop))
                        {
                            return;
                        }

                        mayHaveMore = true;
                    }

                    // Past the deliveries answered but not stored yet: the database still has them as pending.
                    var after = outcomes.Count > 0 ? outcomes[^1].Head.DeliveryId : 0;
                    var pending = await PendingAsync(connection, subscription, after, stop);
                    if (pending.Count == 0)
                    {
                        mayHaveMore = false;
                        continue;
                    }

                    var wait = pending[0].NextAttemptAt - clock.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        if (outcomes.Count > 0)
                        {
                            await RecordAsync(connection, outcomes);
                        }

                        // Re-read at least every poll interval, and at once when kicked: a redelivery or pause may
                        // change the head meanwhile.
                        await worker.WaitAsync(wait < options.PollInterval ? wait : options.PollInterval, stop);
                        continue;
                    }

                    if (outcomes.Count == 0)
                    {
                        firstOutcomeAt = Stopwatch.GetTimestamp();
                    }

                    var failed = await SendInOrderAsync(pending, outcomes, stop);
                    if (failed || outcomes.Count >= BatchSize || Stopwatch.GetElapsedTime(firstOutcomeAt) >= RecordEvery)
                    {
                        await RecordAsync(connection, outcomes);
                    }

                    // A full page may have more behind it; a failure leaves a head with a new time to read again.
                    mayHaveMore = failed || pending.Count == BatchSize;
                }
            }
            finally
            {
                try
                {
                    // Also when stopping: what was answered is stored, so only the attempt cut off is repeated.
                    if (outcomes.Count > 0)
                    {
                        await RecordAsync(connection, outcomes);
                    }
                }
                finally
                {
                    await AdvisoryLockAsync(connection, "pg_advisory_unlock", lockKey, CancellationToken.None);
                }
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

            if (holdsSlot)
            {
                _slots.Release();
            }
        }
    }

    /// <summary>
    /// Waits, with nothing pending, for a kick: true to look again, false when the worker has left (idle for
    /// <see cref="WebhookOptions.WorkerIdleTime"/>, or at once when another subscription waits for a place).
    /// </summary>
    private async Task<bool> IdleAsync(Guid subscription, Worker worker, CancellationToken stop)
    {
        var idleUntil = clock.GetUtcNow() + options.WorkerIdleTime;
        while (Volatile.Read(ref _waitingForSlot) == 0 && clock.GetUtcNow() < idleUntil)
        {
            if (await worker.WaitAsync(IdleSlice, stop))
            {
                return true;
            }
        }

        lock (_workers)
        {
            // A kick that came after the last wait and before this lock is not lost: it left the signal set.
            if (worker.TryTakeKick())
            {
                return true;
            }

            // Stays listed until it has unlocked, so a kick meanwhile starts a successor that waits for it.
            worker.Leaving = true;
            return false;
        }
    }

    /// <summary>How often an idle worker checks whether another subscription waits for its place.</summary>
    private static readonly TimeSpan IdleSlice = TimeSpan.FromMilliseconds(250);

    private static async Task<bool> AdvisoryLockAsync(NpgsqlConnection connection, string function, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select {function}(hashtextextended($1, 0))", connection);
        command.Parameters.AddWithValue(key);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A delivery to send; <paramref name="Secrets"/> are the current signing secret and, during a rotation's grace period, the previous one.</summary>
    private sealed record Head(
        long DeliveryId, Guid SubscriptionId, Guid EventId, long GlobalPosition, string Body, int Attempts, DateTimeOffset NextAttemptAt,
        string TargetUrl, IReadOnlyList<string> Secrets);

    /// <summary>
    /// The oldest pending deliveries of an active subscription after <paramref name="after"/>, in order. They are
    /// sent one after the other; a failure ends the batch (nothing overtakes it).
    /// </summary>
    /// <remarks>
    /// The deliveries are read along the pending index (subscription_id, delivery_id) as a key range, and ordered by
    /// that key. Written as "subscription_id = $1 ... order by delivery_id", the planner may walk the primary key
    /// from the first delivery ever instead, filtering: its statistics cannot tell that pending rows are the newest,
    /// and once an ANALYZE has seen many pending rows (a backlog) it estimates that 50 turn up early. Every read then
    /// passed every delivered row of every subscription (61 ms a read in the webhooks benchmark, the sender fell
    /// behind and more rows piled up). The primary key cannot give this order, so the pending index is used.
    /// </remarks>
    private async Task<List<Head>> PendingAsync(NpgsqlConnection connection, Guid subscription, long after, CancellationToken stop)
    {
        await using var command = new NpgsqlCommand(PendingSql(_schema), connection);
        command.Parameters.AddWithValue(subscription);
        command.Parameters.AddWithValue(after);
        await using var reader = await command.ExecuteReaderAsync(stop);
        var pending = new List<Head>();
        IReadOnlyList<string>? secrets = null;
        while (await reader.ReadAsync(stop))
        {
            // One subscription, so one pair of secrets for the whole page: decrypted once.
            secrets ??= reader.IsDBNull(7)
                ? [cipher.Unprotect(subscription, reader.GetString(6))]
                : [cipher.Unprotect(subscription, reader.GetString(6)), cipher.Unprotect(subscription, reader.GetString(7))];
            pending.Add(new Head(reader.GetInt64(0), subscription, reader.GetGuid(1), reader.GetInt64(8), reader.GetString(2), reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), secrets));
        }

        return pending;
    }

    /// <summary>The read of <see cref="PendingAsync"/>: $1 the subscription, $2 the delivery after which to read.</summary>
    internal static string PendingSql(string schema) =>
        $"""
        select d.delivery_id, d.event_id, e.body, d.attempts, d.next_attempt_at, s.target_url, k.secret,
               case when k.previous_until > now() then k.previous_secret end, d.global_position
          from {schema}.webhook_deliveries d
          join {schema}.integration_events e on e.event_id = d.event_id
          join {schema}.webhook_subscriptions s on s.subscription_id = $1 and s.state = 'active'
          join {schema}.webhook_secrets k on k.subscription_id = $1
         where (d.subscription_id, d.delivery_id) > ($1, $2) and (d.subscription_id, d.delivery_id) <= ($1, {long.MaxValue})
           and d.state = 'pending'
         order by d.subscription_id, d.delivery_id limit {BatchSize}
        """;

    /// <summary>Sends the due deliveries in order, adding their outcomes; true when one failed (the batch ends there).</summary>
    private async Task<bool> SendInOrderAsync(List<Head> pending, List<Outcome> outcomes, CancellationToken stop)
    {
        foreach (var head in pending)
        {
            if (head.NextAttemptAt > clock.GetUtcNow())
            {
                break;
            }

            var outcome = await AttemptAsync(head, stop);
            outcomes.Add(outcome);
            if (outcome.Error is not null)
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Outcome(Head Head, int Attempt, DateTimeOffset StartedAt, TimeSpan Duration, int? Status, string? Error);

    private async Task<Outcome> AttemptAsync(Head head, CancellationToken stop)
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

        return new Outcome(head, attempt, startedAt, duration, status, error);
    }

    private HttpRequestMessage Sign(Head head, DateTimeOffset now)
    {
        var body = Encoding.UTF8.GetBytes(head.Body);
        var id = head.EventId.ToString();
        var timestamp = now.ToUnixTimeSeconds();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(IntegrationEventTypes.ContentType) { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, head.TargetUrl) { Content = content };
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(head.Secrets, id, timestamp, body));
        return request;
    }

    /// <summary>
    /// The attempts in the delivery log and the deliveries' new states, in one transaction (three statements, one
    /// round trip); empties <paramref name="outcomes"/> once stored.
    /// </summary>
    private async Task RecordAsync(NpgsqlConnection connection, List<Outcome> outcomes)
    {
        var now = clock.GetUtcNow();
        var states = outcomes.Select(o => o.Error is null ? "delivered" : o.Attempt >= options.MaxAttempts ? "dead" : "pending").ToArray();
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Not waiting for the WAL flush: only a crash of PostgreSQL itself can lose this commit, and then the
        // deliveries are sent again with the same webhook-id (at least once holds). The worker goes on at once.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("set local synchronous_commit = off"));
        var log = new NpgsqlBatchCommand(
            $"""
            insert into {_schema}.webhook_attempts (delivery_id, subscription_id, attempt, started_at, duration_ms, status_code, error)
            select * from unnest($1::bigint[], $2::uuid[], $3::integer[], $4::timestamptz[], $5::float8[], $6::integer[], $7::text[])
            """);
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Head.DeliveryId).ToArray() });
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Head.SubscriptionId).ToArray() });
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Attempt).ToArray() });
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.StartedAt).ToArray() });
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Duration.TotalMilliseconds).ToArray() });
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Status).ToArray() });
        log.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Error).ToArray() });
        batch.BatchCommands.Add(log);

        var update = new NpgsqlBatchCommand(
            $"""
            update {_schema}.webhook_deliveries d
               set attempts = u.attempt, last_error = u.error, next_attempt_at = u.next_attempt_at, state = u.state,
                   delivered_at = case when u.state = 'delivered' then now() end,
                   dead_at = case when u.state = 'dead' then now() end
              from unnest($1::bigint[], $2::integer[], $3::text[], $4::timestamptz[], $5::text[]) as u(delivery_id, attempt, error, next_attempt_at, state)
             where d.delivery_id = u.delivery_id and d.state = 'pending'
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Head.DeliveryId).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Attempt).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Error).ToArray() });
        update.Parameters.Add(new NpgsqlParameter
        {
            Value = outcomes.Select((o, i) => states[i] == "pending" ? now + options.BackoffAfter(o.Attempt, Random.Shared) : now).ToArray(),
        });
        update.Parameters.Add(new NpgsqlParameter { Value = states });
        batch.BatchCommands.Add(update);

        var subscription = outcomes[0].Head.SubscriptionId;
        var delivered = outcomes.Where((_, i) => states[i] == "delivered").ToList();
        if (delivered.Count > 0)
        {
            // Healthy again, and the subscription's checkpoint moves on (never back: a redelivered dead letter is older).
            var healthy = new NpgsqlBatchCommand(
                $"""
                insert into {_schema}.webhook_status (subscription_id, failing, delivered_through, last_delivered_at) values ($1, false, $2, now())
                on conflict (subscription_id) do update set failing = false, failing_since = null,
                  delivered_through = greatest({_schema}.webhook_status.delivered_through, excluded.delivered_through),
                  last_delivered_at = excluded.last_delivered_at
                """);
            healthy.Parameters.Add(new NpgsqlParameter { Value = subscription });
            healthy.Parameters.Add(new NpgsqlParameter { Value = delivered.Max(o => o.Head.GlobalPosition) });
            batch.BatchCommands.Add(healthy);
        }

        var dead = outcomes.Where((_, i) => states[i] == "dead").ToList();
        if (dead.Count > 0)
        {
            var failing = new NpgsqlBatchCommand(
                $"""
                insert into {_schema}.webhook_status (subscription_id, failing, failing_since, last_error) values ($1, true, now(), $2)
                on conflict (subscription_id) do update set failing = true, last_error = excluded.last_error,
                  failing_since = coalesce({_schema}.webhook_status.failing_since, excluded.failing_since)
                """);
            failing.Parameters.Add(new NpgsqlParameter { Value = subscription });
            failing.Parameters.Add(new NpgsqlParameter { Value = dead[^1].Error });
            batch.BatchCommands.Add(failing);
        }

        await batch.ExecuteNonQueryAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        metrics.Delivery("delivered", delivered.Count);
        metrics.Delivery("dead", dead.Count);
        metrics.Delivery("retry", outcomes.Count - delivered.Count - dead.Count);
        outcomes.Clear();
        foreach (var outcome in dead)
        {
            logger.LogWarning("Webhook delivery {Delivery} to subscription {Subscription} is a dead letter after {Attempts} attempts: {Error}",
                outcome.Head.DeliveryId, subscription, outcome.Attempt, outcome.Error);
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
        _slots.Dispose();
        base.Dispose();
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _kicked = new(0, 1);

        public Task Task { get; set; } = Task.CompletedTask;

        /// <summary>Found its queue empty long enough and is finishing; set and read under the workers' lock.</summary>
        public bool Leaving { get; set; }

        /// <summary>Something may be new: the next wait returns at once.</summary>
        public void Kick() => Release(_kicked);

        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken stop) => _kicked.WaitAsync(timeout, stop);

        public bool TryTakeKick() => _kicked.Wait(0);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Tests.Integrations;

/// <summary>
/// Webhooks with an attempt timeout far above anything a loaded machine needs, so that every repeat a receiver sees is
/// one the test caused (an answer of 500), never an attempt that timed out after the receiver had taken it.
/// </summary>
public sealed class OutboxRebuildApiFactory() : WebhookApiFactory(new Dictionary<string, string>
{
    ["Roadmap:Webhooks:AttemptTimeout"] = "00:01:00",
});

/// <summary>
/// A rebuild of <c>webhook_outbox</c> replays the whole log over the deliveries it has (<see cref="WebhookOutbox.ClearTablesOnRebuild"/>
/// is false, inserts are "on conflict do nothing"): nothing delivered is sent again, nothing pending is lost, and the
/// events recorded while the rebuild runs are dispatched after it, each once per subscription and in log order.
/// </summary>
public sealed class WebhookOutboxRebuildTests(OutboxRebuildApiFactory factory) : IClassFixture<OutboxRebuildApiFactory>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly WebhookWorld _world = new(factory.CreateClient());

    [Fact]
    public async Task A_rebuild_while_deliveries_are_pending_and_events_keep_coming_delivers_each_event_once_in_order()
    {
        const int before = 8, during = 8;
        await using var slow = await WebhookReceiver.StartAsync();
        await using var paused = await WebhookReceiver.StartAsync();
        // The test's own faults: every webhook's first attempt is answered 500, after a while, so deliveries are pending
        // and being retried when the rebuild starts.
        slow.FailFirst = 1;
        slow.Delay = TimeSpan.FromMilliseconds(100);
        var release = await _world.MunicipalityWithReleaseAsync();
        var (slowSubscription, slowSecret) = await _world.SubscribeAsync(slow.Url, new { releaseIds = new[] { release.ReleaseId } });
        var (pausedSubscription, pausedSecret) = await _world.SubscribeAsync(paused.Url, new { releaseIds = new[] { release.ReleaseId } });
        slow.Secret = slowSecret;
        paused.Secret = pausedSecret;
        // Paused until after the rebuild: all its deliveries are pending throughout.
        await _world.PostAsync($"/subscriptions/{pausedSubscription}/pause", new { reason = "rebuild test" });

        var events = new List<string>();
        for (var i = 0; i < before; i++)
        {
            events.Add((await _world.DeprecateAsync(release.ReleaseId, i)).ToString());
        }

        // The outbox has dispatched all of them, and the slow receiver has taken the first: the rebuild replays deliveries
        // that are delivered, being retried and waiting.
        await _world.WaitForSubscriptionAsync(pausedSubscription, v => v.GetProperty("pending").GetInt64() == before, "recorded the first events");
        await slow.WaitForAcceptedAsync(1, Deadline);

        await using (var hold = await HoldOutboxWritesAsync())
        {
            var rebuild = await factory.CreateClient().PostAsync($"/admin/projections/{WebhookOutbox.ProjectionName}/rebuild", null);
            Assert.Equal(HttpStatusCode.Accepted, rebuild.StatusCode);

            // The rebuild has replayed as far as its first batch with deliveries and waits to commit it: the events
            // recorded now are recorded while it runs.
            await hold.WaitUntilSomeoneWaitsAsync();
            Assert.Equal("rebuilding", await OutboxStateAsync());
            for (var i = 0; i < during; i++)
            {
                events.Add((await _world.DeprecateAsync(release.ReleaseId, before + i)).ToString());
            }

            Assert.Equal("rebuilding", await OutboxStateAsync());
        }

        await WaitForRebuildAsync();
        // Once the outbox has passed the last event, each subscription has one delivery per event: none lost, none twice.
        await factory.Services.GetRequiredService<ProjectionAdmin>()
            .WaitForCatchUpAsync(WebhookOutbox.ProjectionName, await GlobalPositionAsync(events[^1]), Deadline);
        foreach (var subscription in new[] { slowSubscription, pausedSubscription })
        {
            var view = await _world.GetAsync($"/subscriptions/{subscription}");
            var recorded = view.GetProperty("pending").GetInt64() + view.GetProperty("delivered").GetInt64() + view.GetProperty("dead").GetInt64();
            Assert.True(recorded == events.Count, $"{recorded} deliveries recorded for {events.Count} events: {view}");
        }

        await _world.PostAsync($"/subscriptions/{pausedSubscription}/resume", new { });
        await slow.WaitForAcceptedAsync(events.Count, Deadline);
        await paused.WaitForAcceptedAsync(events.Count, Deadline);
        foreach (var subscription in new[] { slowSubscription, pausedSubscription })
        {
            var view = await _world.WaitForSubscriptionAsync(
                subscription, v => v.GetProperty("pending").GetInt64() == 0 && v.GetProperty("delivered").GetInt64() == events.Count, "delivered everything");
            Assert.Equal(0, view.GetProperty("dead").GetInt64());
        }

        // The slow receiver: per event the 500 the test asked for, then one 200; in log order, head of line.
        var slowReceived = slow.Received.ToList();
        Assert.All(slowReceived, r => Assert.True(r.SignatureValid, $"signature of {r.WebhookId} did not verify"));
        Assert.Equal(
            events.SelectMany(e => new[] { (e, 500), (e, 200) }),
            slowReceived.Select(r => (r.WebhookId, r.AnsweredStatus)));
        // The paused one: each event exactly once, in log order, all after the rebuild.
        var pausedReceived = paused.Received.ToList();
        Assert.All(pausedReceived, r => Assert.True(r.SignatureValid, $"signature of {r.WebhookId} did not verify"));
        Assert.Equal(events.Select(e => (e, 200)), pausedReceived.Select(r => (r.WebhookId, r.AnsweredStatus)));
    }

    private async Task<long> GlobalPositionAsync(string eventId)
    {
        await using var dataSource = NpgsqlDataSource.Create(RoadmapApiFactory.ConnectionString);
        await using var command = dataSource.CreateCommand($"select seq_id from {factory.Schema}.mt_events where id = $1");
        command.Parameters.AddWithValue(Guid.Parse(eventId));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> OutboxStateAsync() =>
        (await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/admin/projections/{WebhookOutbox.ProjectionName}"))
        .GetProperty("status").GetProperty("state").GetString()!;

    private async Task WaitForRebuildAsync()
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var status = (await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/admin/projections/{WebhookOutbox.ProjectionName}")).GetProperty("status");
            if (status.GetProperty("rebuild").ValueKind == JsonValueKind.Null && status.GetProperty("rebuiltAt").ValueKind != JsonValueKind.Null)
            {
                Assert.Equal("running", status.GetProperty("state").GetString());
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the rebuild did not finish: {status}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Holds back every write of the outbox (each batch with deliveries updates its counter, webhook_outbox_progress) by a
    /// lock in a transaction of the test's own, until disposed. Appends, the sender and every other projection go on.
    /// </summary>
    private async Task<OutboxWriteHold> HoldOutboxWritesAsync()
    {
        var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"lock table {factory.Schema}.webhook_outbox_progress in share mode", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        return new OutboxWriteHold(connection, transaction);
    }

    private sealed class OutboxWriteHold(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        /// <summary>Until a session of the service waits for this hold's lock.</summary>
        public async Task WaitUntilSomeoneWaitsAsync()
        {
            await using var blocked = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))", connection, transaction);
            var deadline = DateTime.UtcNow + Deadline;
            while ((long)(await blocked.ExecuteScalarAsync())! == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no write of the outbox waited for the hold: the rebuild never reached a delivery");
                await Task.Delay(25);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}

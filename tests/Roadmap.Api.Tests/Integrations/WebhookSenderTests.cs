using Npgsql;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.EventStore.Schema;

namespace Roadmap.Api.Tests.Integrations;

/// <summary>A node that sends for one subscription at a time and lets an idle worker stay long.</summary>
public sealed class OneAtATimeWebhookApiFactory() : WebhookApiFactory(new Dictionary<string, string>
{
    ["Roadmap:Webhooks:MaxConcurrentSubscriptions"] = "1",
    ["Roadmap:Webhooks:WorkerIdleTime"] = "00:10:00",
});

public sealed class WebhookSenderTests(OneAtATimeWebhookApiFactory factory) : IClassFixture<OneAtATimeWebhookApiFactory>
{
    [Fact]
    public async Task With_one_place_for_three_subscriptions_an_idle_worker_gives_way_and_every_subscription_gets_everything_in_order()
    {
        var world = new WebhookWorld(factory.CreateClient());
        var release = await world.MunicipalityWithReleaseAsync();
        var receivers = new List<(WebhookReceiver Receiver, Guid Subscription)>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var receiver = await WebhookReceiver.StartAsync();
                var (subscription, secret) = await world.SubscribeAsync(receiver.Url);
                receiver.Secret = secret;
                receivers.Add((receiver, subscription));
            }

            var events = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                events.Add((await world.DeprecateAsync(release.ReleaseId, i)).ToString());
            }

            // The idle time is ten minutes: the others get their turn only because a waiting subscription takes the place.
            foreach (var (receiver, subscription) in receivers)
            {
                var accepted = await receiver.WaitForAcceptedAsync(events.Count, TimeSpan.FromSeconds(20));
                // A repeat is allowed only right after a fault of that delivery (e.g. an attempt that timed out while the
                // receiver had already taken it: at least once), as the delivery log shows; nothing else may repeat.
                var log = await factory.CreateClient().GetStringAsync($"/subscriptions/{subscription}/deliveries");
                var faulted = System.Text.Json.JsonDocument.Parse(log).RootElement.EnumerateArray()
                    .Where(a => a.GetProperty("error").ValueKind != System.Text.Json.JsonValueKind.Null)
                    .Select(a => a.GetProperty("eventId").GetString())
                    .ToHashSet();
                var ids = accepted.Select(r => r.WebhookId).ToList();
                var withoutRetriedRepeats = ids.Where((id, i) => i == 0 || id != ids[i - 1] || !faulted.Contains(id)).ToList();
                Assert.True(events.SequenceEqual(withoutRetriedRepeats), $"accepted {string.Join(", ", ids)}; delivery log: {log}");
                Assert.All(accepted, r => Assert.True(r.SignatureValid));
            }
        }
        finally
        {
            foreach (var (receiver, _) in receivers)
            {
                await receiver.DisposeAsync();
            }
        }
    }
}

/// <summary>A node whose workers leave almost at once and which never polls: only notifications start workers.</summary>
public sealed class ShortLivedWorkersWebhookApiFactory() : WebhookApiFactory(new Dictionary<string, string>
{
    ["Roadmap:Webhooks:WorkerIdleTime"] = "00:00:00.020",
    ["Roadmap:Webhooks:PollInterval"] = "00:10:00",
});

public sealed class WebhookWorkerTurnoverTests(ShortLivedWorkersWebhookApiFactory factory) : IClassFixture<ShortLivedWorkersWebhookApiFactory>
{
    [Fact]
    public async Task With_workers_coming_and_going_notifications_alone_deliver_every_event_in_order()
    {
        var world = new WebhookWorld(factory.CreateClient());
        var release = await world.MunicipalityWithReleaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        (var subscription, receiver.Secret) = await world.SubscribeAsync(receiver.Url);

        // Spaced so that the worker leaves between most of them. With the ten-minute poll, every delivery depends on
        // the dispatcher's notification starting a worker (or a successor waiting for one that is still leaving).
        var events = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            events.Add((await world.DeprecateAsync(release.ReleaseId, i)).ToString());
            await Task.Delay(TimeSpan.FromMilliseconds(5 + 7 * i));
        }

        var accepted = await receiver.WaitForAcceptedAsync(events.Count, TimeSpan.FromSeconds(20));
        Assert.Equal(events, accepted.Select(r => r.WebhookId));
        await world.AssertRepeatsOnlyAfterFaultsAsync(subscription, receiver);
    }
}

public sealed class WebhookOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() => new WebhookOptions().Validate();

    [Theory]
    [InlineData("MaxAttempts", "Roadmap:Webhooks:MaxAttempts must be at least 1")]
    [InlineData("MaxConcurrentSubscriptions", "Roadmap:Webhooks:MaxConcurrentSubscriptions must be at least 1")]
    [InlineData("AttemptTimeout", "Roadmap:Webhooks:AttemptTimeout must be a positive time span")]
    [InlineData("WorkerIdleTime", "Roadmap:Webhooks:WorkerIdleTime must be a positive time span")]
    [InlineData("MaxBackoff", "Roadmap:Webhooks:MaxBackoff (00:00:01) must not be shorter than InitialBackoff")]
    [InlineData("RotationGracePeriod", "Roadmap:Webhooks:RotationGracePeriod must not be negative")]
    public void A_setting_the_sender_cannot_work_with_is_refused_by_name(string setting, string message)
    {
        var options = setting switch
        {
            "MaxAttempts" => new WebhookOptions { MaxAttempts = 0 },
            "MaxConcurrentSubscriptions" => new WebhookOptions { MaxConcurrentSubscriptions = 0 },
            "AttemptTimeout" => new WebhookOptions { AttemptTimeout = TimeSpan.Zero },
            "WorkerIdleTime" => new WebhookOptions { WorkerIdleTime = TimeSpan.FromSeconds(-1) },
            "RotationGracePeriod" => new WebhookOptions { RotationGracePeriod = TimeSpan.FromHours(-1) },
            _ => new WebhookOptions { MaxBackoff = TimeSpan.FromSeconds(1) },
        };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains(message, error.Message);
    }
}

public sealed class WebhookMigrationTests
{
    [Fact]
    public async Task Upgrading_keeps_every_pending_delivery_and_its_body_and_fills_the_checkpoints()
    {
        var schema = $"whm_{Guid.NewGuid():N}"[..20];
        await using var dataSource = NpgsqlDataSource.Create(RoadmapApiFactory.ConnectionString);
        try
        {
            var all = SchemaMigrator.LoadEmbedded(typeof(WebhookOptions).Assembly);
            Assert.Contains(all, m => m.Version == 3);
            await new SchemaMigrator(dataSource, schema, "api", all.Where(m => m.Version <= 2).ToList()).MigrateAsync();

            var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
            await using (var insert = dataSource.CreateCommand(
                $"""
                insert into {schema}.webhook_deliveries (subscription_id, event_id, global_position, event_type, body, event_recorded_at, state)
                values (gen_random_uuid(), $1, 1, 't', $3, now(), 'delivered'),
                       (gen_random_uuid(), $1, 1, 't', $3, now(), 'pending'),
                       (gen_random_uuid(), $2, 2, 't', $4, now(), 'pending')
                """))
            {
                insert.Parameters.AddWithValue(first);
                insert.Parameters.AddWithValue(second);
                insert.Parameters.AddWithValue("""{"n":1}""");
                insert.Parameters.AddWithValue("""{"n":2,"type":"de.roadmap.release.deprecation-announced.v1","data":{"release_id":"0b7f7a1e-4d1c-4c36-9c55-1b1f5d0a0c01","affected_municipalities":["09181128"]}}""");
                await insert.ExecuteNonQueryAsync();
            }

            var applied = await new SchemaMigrator(dataSource, schema, "api", all).MigrateAsync();
            Assert.Contains(3, applied);

            await using var read = dataSource.CreateCommand(
                $"""
                select d.event_id, e.body, d.state from {schema}.webhook_deliveries d
                  join {schema}.integration_events e on e.event_id = d.event_id order by d.delivery_id
                """);
            await using var reader = await read.ExecuteReaderAsync();
            var rows = new List<(Guid, string, string)>();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
            }

            Assert.Equal(3, rows.Count);
            Assert.Equal([(first, """{"n":1}""", "delivered"), (first, """{"n":1}""", "pending")], rows.Take(2));
            Assert.Equal((second, "pending"), (rows[2].Item1, rows[2].Item3));

            // 0008: the bodies became integration events with what the filters match, from the CloudEvent or the delivery.
            await using (var filters = dataSource.CreateCommand(
                $"select type, municipalities, release_id from {schema}.integration_events order by event_id = $1 desc"))
            {
                filters.Parameters.AddWithValue(first);
                await using var f = await filters.ExecuteReaderAsync();
                Assert.True(await f.ReadAsync());
                Assert.Equal(("t", 0, true), (f.GetString(0), f.GetFieldValue<string[]>(1).Length, f.IsDBNull(2)));
                Assert.True(await f.ReadAsync());
                Assert.Equal("de.roadmap.release.deprecation-announced.v1", f.GetString(0));
                Assert.Equal(["09181128"], f.GetFieldValue<string[]>(1));
                Assert.Equal(Guid.Parse("0b7f7a1e-4d1c-4c36-9c55-1b1f5d0a0c01"), f.GetGuid(2));
            }

            // 0005: the checkpoint of the subscription that had a delivery is its position.
            await using var checkpoints = dataSource.CreateCommand($"select delivered_through from {schema}.webhook_status");
            Assert.Equal(1L, await checkpoints.ExecuteScalarAsync());
        }
        finally
        {
            await using var drop = dataSource.CreateCommand($"drop schema if exists {schema} cascade");
            await drop.ExecuteNonQueryAsync();
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Roadmap.Api.Deadlines;
using Roadmap.Api.Tests.Roadmaps;
using Wolverine;

namespace Roadmap.Api.Tests.Deadlines;

/// <summary>The API with deadline reviews on and the fake clock.</summary>
public sealed class DeadlineApiFactory : RoadmapApiFactory
{
    public DeadlineApiFactory() => DeadlineAlerts = true;
}

/// <summary>Another node on the same schema, with deadline reviews on and its own fake clock; leaves the schema when it stops.</summary>
public sealed class DeadlineNodeFactory : RoadmapApiFactory
{
    private readonly string _schema;

    public DeadlineNodeFactory(string schema)
    {
        _schema = schema;
        DeadlineAlerts = true;
    }

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:Schema", _schema);
    }

    public override async Task DisposeAsync() => await ((IAsyncDisposable)this).DisposeAsync();
}

/// <summary>
/// Deadline alerts with a fake clock. The worked example: end of security support 2028-12-31 gives the latest
/// procurement start 2027-03-31 and the latest award 2027-12-31 (RoadmapApiTests); the leads are the default 180, 90,
/// 30 and 0 days. A review is what a scheduled Wolverine message runs on the day; the tests run it on the clock's day.
/// </summary>
public sealed class DeadlineAlertTests(DeadlineApiFactory factory) : IClassFixture<DeadlineApiFactory>
{
    private static readonly SemaphoreSlim ClockLock = new(1, 1);

    [Fact]
    public async Task Alerts_come_at_each_lead_once_then_when_the_band_worsens_and_when_the_day_is_missed()
    {
        await ClockLock.WaitAsync();
        try
        {
            var (driver, ags, procedure) = await WorkedExampleAsync("2026-09-01");
            await ReviewAsync(ags);
            Assert.Empty(await AlertsAsync(driver, ags, 0));

            var expected = new List<string>();
            foreach (var (day, alert) in new[]
            {
                ("2026-10-02", "approaching procurement-start 2027-03-31 lead 180 left 180 moderate"),
                ("2026-12-31", "approaching procurement-start 2027-03-31 lead 90 left 90 moderate"),
                ("2027-01-01", "band-worsened procurement-start 2027-03-31 left 89 moderate->high"),
                ("2027-03-01", "approaching procurement-start 2027-03-31 lead 30 left 30 high"),
                ("2027-03-31", "approaching procurement-start 2027-03-31 lead 0 left 0 late"),
                ("2027-04-01", "missed procurement-start 2027-03-31 late"),
            })
            {
                SetDay(day);
                await ReviewAsync(ags);
                await ReviewAsync(ags); // a second review on the same day (another node, a repeated message) records nothing
                expected.Add(alert);
                Assert.Equal(expected, (await AlertsAsync(driver, ags, expected.Count)).Select(Describe));
            }

            var alerts = await AlertsAsync(driver, ags, expected.Count);
            Assert.All(alerts, a => Assert.Equal(procedure.ToString(), a.GetProperty("data").GetProperty("procedure_id").GetString()));
            Assert.All(alerts, a => Assert.Equal($"/municipalities/{ags}", a.GetProperty("source").GetString()));

            // The mayor's page lists the alerts of the last 30 days, in German: the 30-day reminder of 1 March is older.
            var page = await driver.Client.GetStringAsync($"/gemeinden/{ags}/roadmap");
            Assert.Contains("Fristen der letzten 30 Tage", page, StringComparison.Ordinal);
            Assert.Contains("Frist versäumt – spätester Beginn des Vergabeverfahrens war am 31.03.2027.", page, StringComparison.Ordinal);
            Assert.Contains("Heute ist der späteste Beginn des Vergabeverfahrens (31.03.2027).", page, StringComparison.Ordinal);
            Assert.DoesNotContain("Erinnerung 30 Tage vorher", page, StringComparison.Ordinal);
        }
        finally
        {
            ClockLock.Release();
        }
    }

    [Fact]
    public async Task A_decision_that_moves_the_date_reschedules_and_the_old_date_alerts_no_more()
    {
        await ClockLock.WaitAsync();
        try
        {
            var (driver, ags, procedure) = await WorkedExampleAsync("2026-10-02");
            await ReviewAsync(ags);
            Assert.Equal(["approaching procurement-start 2027-03-31 lead 180 left 180 moderate"], (await AlertsAsync(driver, ags, 1)).Select(Describe));
            var release = RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap"), procedure).GetProperty("release").GetProperty("releaseId").GetGuid();

            // The vendor extends support by a year: the latest start moves to 2028-03-31. On the old date's 90-day lead
            // nothing is due any more: a review decides on the roadmap as it is now.
            await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/catalogue/releases/{release}/end-of-support",
                new { reason = "Support verlängert", endOfSecuritySupport = "2029-12-31" }));
            SetDay("2026-12-31");
            await ReviewAsync(ags);
            Assert.Equal(1, await RecordedAlertsAsync(ags));

            // Support is cut short instead: the roadmap changes, a node claims the change and reviews it (DeadlineWatcher),
            // recording that the new latest start has passed, with no review by the test.
            await driver.OkAsync(await driver.Client.PostAsJsonAsync($"/catalogue/releases/{release}/end-of-support",
                new { reason = "Support verkürzt", endOfSecuritySupport = "2028-06-30" }));
            await driver.CatchUpAsync();
            var latestStart = RoadmapDriver.Date(
                RoadmapDriver.Entry(await driver.GetAsync($"/municipalities/{ags}/roadmap"), procedure).GetProperty("milestones"), "latestProcurementStart");
            Assert.True(string.CompareOrdinal(latestStart, "2026-12-31") < 0, latestStart);
            var alerts = await AlertsAsync(driver, ags, 2);
            Assert.Equal(2, alerts.Count);
            Assert.Equal($"missed procurement-start {latestStart} late", Describe(alerts[1]));
        }
        finally
        {
            ClockLock.Release();
        }
    }

    [Fact]
    public async Task Two_nodes_and_a_restart_record_each_alert_once()
    {
        await ClockLock.WaitAsync();
        try
        {
            var (driver, ags, _) = await WorkedExampleAsync("2026-12-31");
            await using var second = new DeadlineNodeFactory(factory.Schema);
            second.Clock.AdjustTime(factory.Clock.GetUtcNow());
            _ = second.CreateClient();

            var nodes = new[] { factory.Services, second.Services };
            await Task.WhenAll(Enumerable.Range(0, 6).Select(i => InvokeAsync(nodes[i % 2], new ReviewDeadlines(ags))));
            Assert.Equal(["approaching procurement-start 2027-03-31 lead 90 left 90 moderate"], (await AlertsAsync(driver, ags, 1)).Select(Describe));

            // A node that starts reviews everything (ReviewAllDeadlines): nothing new on the same day.
            await using (var restarted = new DeadlineNodeFactory(factory.Schema))
            {
                restarted.Clock.AdjustTime(factory.Clock.GetUtcNow());
                _ = restarted.CreateClient();
                await InvokeAsync(restarted.Services, new ReviewAllDeadlines());
            }

            await ReviewAsync(ags);
            Assert.Equal(1, await RecordedAlertsAsync(ags));
        }
        finally
        {
            ClockLock.Release();
        }
    }

    private async Task<(RoadmapDriver Driver, string Ags, Guid Procedure)> WorkedExampleAsync(string day)
    {
        SetDay(day);
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var procedure = await driver.ProcedureAsync(ags, await driver.ReleaseAsync("2028-12-31"));
        await driver.CatchUpAsync();
        return (driver, ags, procedure);
    }

    private void SetDay(string day) =>
        factory.Clock.AdjustTime(new DateTimeOffset(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero));

    private Task ReviewAsync(string ags) => InvokeAsync(factory.Services, new ReviewDeadlines(ags));

    /// <summary>Runs a message's handler now, as Wolverine does when the message comes (the bus is scoped: one per message).</summary>
    private static async Task InvokeAsync(IServiceProvider services, object message)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(message);
    }

    /// <summary>The municipality's alerts from the deadline feed, once at least <paramref name="atLeast"/> are there (the feed follows the log's high water mark).</summary>
    private static async Task<IReadOnlyList<JsonElement>> AlertsAsync(RoadmapDriver driver, string ags, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = await driver.GetAsync($"/feeds/deadlines?municipality={ags}&limit=1000");
            var events = page.GetProperty("events").EnumerateArray().ToList();
            if (events.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The events on the municipality's alert log, as committed (the feed may trail the log's high water mark).</summary>
    private async Task<long> RecordedAlertsAsync(string ags)
    {
        await using var connection = new Npgsql.NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand($"select count(*) from {factory.Schema}.mt_events where stream_id = $1", connection);
        count.Parameters.AddWithValue(Roadmap.Domain.Municipalities.DeadlineAlertLog.StreamId(Roadmap.Domain.Shared.Ags.Parse(ags)));
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static string Describe(JsonElement cloudEvent)
    {
        var d = cloudEvent.GetProperty("data");
        var band = d.GetProperty("band").GetString();
        return d.GetProperty("reason").GetString() switch
        {
            "missed" => $"missed {d.GetProperty("milestone").GetString()} {d.GetProperty("due_on").GetString()} {band}",
            "band-worsened" => $"band-worsened {d.GetProperty("milestone").GetString()} {d.GetProperty("due_on").GetString()} left {d.GetProperty("days_left").GetInt32()} {d.GetProperty("previous_band").GetString()}->{band}",
            _ => $"approaching {d.GetProperty("milestone").GetString()} {d.GetProperty("due_on").GetString()} lead {d.GetProperty("lead_days").GetInt32()} left {d.GetProperty("days_left").GetInt32()} {band}",
        };
    }
}

/// <summary>Webhooks in real time (the sender waits with the system clock), with deadline reviews on.</summary>
public sealed class DeadlineWebhookFactory : Roadmap.Api.Tests.Integrations.WebhookApiFactory
{
    public DeadlineWebhookFactory() => DeadlineAlerts = true;
}

public sealed class DeadlineWebhookTests(DeadlineWebhookFactory factory) : IClassFixture<DeadlineWebhookFactory>
{
    [Fact]
    public async Task A_subscribed_receiver_gets_the_signed_alert_with_the_payload_of_the_feed()
    {
        await using var receiver = await Roadmap.Api.Tests.Integrations.WebhookReceiver.StartAsync();
        var driver = new RoadmapDriver(factory);
        var ags = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var other = await driver.MunicipalityAsync(RoadmapDriver.NewCounty());
        var world = new Roadmap.Api.Tests.Integrations.WebhookWorld(driver.Client);
        var (subscription, secret) = await world.SubscribeAsync(receiver.Url, new
        {
            eventTypes = new[] { Roadmap.Api.Integrations.IntegrationEventTypes.DeadlineMissed },
            municipalities = new[] { ags },
        });
        receiver.Secret = secret;

        // Support ends in June 2027: the latest procurement start lies in the past today, for both municipalities. The
        // changed roadmaps are reviewed; each review records "missed", and only the subscribed municipality's alert is
        // delivered.
        var release = await driver.ReleaseAsync("2027-06-30");
        await driver.ProcedureAsync(other, release);
        var procedure = await driver.ProcedureAsync(ags, release);

        var delivered = await receiver.WaitForDistinctAsync(0, TimeSpan.FromSeconds(30));
        Assert.True(delivered.SignatureValid);
        var cloudEvent = delivered.CloudEvent;
        Assert.Equal(Roadmap.Api.Integrations.IntegrationEventTypes.DeadlineMissed, cloudEvent.GetProperty("type").GetString());
        Assert.Equal(delivered.WebhookId, cloudEvent.GetProperty("id").GetString());
        Assert.Equal(ags, cloudEvent.GetProperty("data").GetProperty("ags").GetString());
        Assert.Equal(procedure.ToString(), cloudEvent.GetProperty("data").GetProperty("procedure_id").GetString());

        var feed = await driver.GetAsync($"/feeds/deadlines?municipality={ags}&type={Roadmap.Api.Integrations.IntegrationEventTypes.DeadlineMissed}");
        var fromFeed = Assert.Single(feed.GetProperty("events").EnumerateArray(), e => e.GetProperty("id").GetString() == delivered.WebhookId);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(fromFeed.GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(delivered.Body)));

        // The other municipality's alert is recorded (the feed shows it) and dispatched, but not to this subscription.
        var otherFeed = await driver.GetAsync($"/feeds/deadlines?municipality={other}&wait=10");
        Assert.NotEmpty(otherFeed.GetProperty("events").EnumerateArray());
        var head = await factory.Services.GetRequiredService<Roadmap.EventStore.PostgresEventStore>().GetHeadPositionAsync();
        await factory.Services.GetRequiredService<Roadmap.EventStore.Projections.ProjectionAdmin>().WaitForCatchUpAsync(
            Roadmap.Api.Integrations.Webhooks.WebhookOutbox.ProjectionName, head, TimeSpan.FromSeconds(30));
        await world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("pending").GetInt64() == 0, "without pending deliveries");
        Assert.All(receiver.Received, r => Assert.Equal(ags, r.CloudEvent.GetProperty("data").GetProperty("ags").GetString()));
    }
}

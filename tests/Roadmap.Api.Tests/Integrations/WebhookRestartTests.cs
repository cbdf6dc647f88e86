namespace Roadmap.Api.Tests.Integrations;

public sealed class WebhookRestartTests
{
    [Fact]
    public async Task A_service_stopped_mid_delivery_loses_nothing_and_repeats_at_most_the_delivery_in_flight()
    {
        var schema = $"wh_{Guid.NewGuid():N}"[..20];
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(60);
        var events = new List<string>();
        Guid subscription;

        var first = new SchemaNodeFactory(schema, dropSchema: false);
        try
        {
            var world = new WebhookWorld(first.CreateClient());
            var release = await world.MunicipalityWithReleaseAsync();
            (subscription, receiver.Secret) = await world.SubscribeAsync(receiver.Url);
            for (var i = 0; i < 20; i++)
            {
                events.Add((await world.DeprecateAsync(release.ReleaseId, i)).ToString());
            }

            await receiver.WaitForAcceptedAsync(5);
        }
        finally
        {
            await first.DisposeAsync(); // stops the host while deliveries are in flight
        }

        var deliveredBeforeRestart = receiver.Received.Count;
        Assert.True(receiver.Accepted.Count < events.Count, "everything was delivered before the stop; the test proves nothing");

        var second = new SchemaNodeFactory(schema, dropSchema: true);
        try
        {
            var world = new WebhookWorld(second.CreateClient());
            await receiver.WaitForAcceptedAsync(events.Count);
            await world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("delivered").GetInt64() == events.Count, "delivered everything");
        }
        finally
        {
            await second.DisposeAsync();
        }

        var received = receiver.Received.ToList();
        Assert.All(received, r => Assert.True(r.SignatureValid));
        // Nothing lost, in order; the only repeat is the one delivery in flight at the stop (one sender per subscription).
        Assert.Equal(events, received.Select(r => r.WebhookId).Distinct());
        var repeats = received.GroupBy(r => r.WebhookId).Where(g => g.Count() > 1).ToList();
        Assert.True(repeats.Count <= 1, $"repeated: {string.Join(", ", repeats.Select(g => $"{g.Key} x{g.Count()}"))} ({deliveredBeforeRestart} before restart)");
    }
}

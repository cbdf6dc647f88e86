using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Api.Tests.Integrations;

public sealed class WebhookDeliveryTests(WebhookApiFactory factory) : IClassFixture<WebhookApiFactory>
{
    private readonly WebhookWorld _world = new(factory.CreateClient());

    [Fact]
    public async Task Every_event_arrives_signed_in_order_with_the_same_webhook_id_across_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst = 2;
        var release = await _world.MunicipalityWithReleaseAsync();
        var (subscription, secret) = await _world.SubscribeAsync(receiver.Url);
        receiver.Secret = secret;

        var events = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            events.Add(await _world.DeprecateAsync(release.ReleaseId, i));
        }

        await receiver.WaitForAcceptedAsync(events.Count);
        var received = receiver.Received.ToList();
        Assert.All(received, r => Assert.True(r.SignatureValid, $"signature of {r.WebhookId} did not verify"));
        // Log order, and head of line: every attempt at event i comes before any attempt at event i + 1.
        Assert.Equal(events.Select(e => e.ToString()), received.Select(r => r.WebhookId).Distinct());
        Assert.Equal(events.SelectMany(e => Enumerable.Repeat(e.ToString(), 3)), received.Select(r => r.WebhookId));
        Assert.All(received, r => Assert.Equal(r.WebhookId, r.CloudEvent.GetProperty("id").GetString()));
        Assert.Equal([500, 500, 200], received.Take(3).Select(r => r.AnsweredStatus));

        var cloudEvent = receiver.Accepted[0].CloudEvent;
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal("de.roadmap.release.deprecation-announced.v1", cloudEvent.GetProperty("type").GetString());
        Assert.Equal($"release/{release.ReleaseId}", cloudEvent.GetProperty("subject").GetString());
        Assert.Equal("2029-06-30", cloudEvent.GetProperty("data").GetProperty("end_of_security_support").GetString());
        Assert.Equal([release.Ags], cloudEvent.GetProperty("data").GetProperty("affected_municipalities").EnumerateArray().Select(a => a.GetString()));

        var view = await _world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("delivered").GetInt64() == 5, "delivered all five");
        Assert.False(view.GetProperty("failing").GetBoolean());
        // The subscription's checkpoint: the log position of the last event it received.
        Assert.Equal(await GlobalPositionAsync(events[^1]), view.GetProperty("deliveredThrough").GetInt64());
        Assert.True(view.GetProperty("lastDeliveredAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        var log = await _world.GetAsync($"/subscriptions/{subscription}/deliveries?limit=100");
        Assert.Equal(15, log.GetArrayLength());
        Assert.Equal(10, log.EnumerateArray().Count(a => a.GetProperty("statusCode").GetInt32() == 500 && a.GetProperty("error").GetString()!.Contains("500")));
        await DeleteAsync(subscription);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_gets_a_dead_letter_and_redelivery_succeeds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hang = true;
        var release = await _world.MunicipalityWithReleaseAsync();
        var (subscription, secret) = await _world.SubscribeAsync(receiver.Url);
        receiver.Secret = secret;
        var eventId = await _world.DeprecateAsync(release.ReleaseId, 1);

        var failing = await _world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("dead").GetInt64() == 1, "dead-lettered");
        Assert.True(failing.GetProperty("failing").GetBoolean());
        Assert.Contains("timed out", failing.GetProperty("lastError").GetString());
        Assert.Equal(4, receiver.Received.Count(r => r.WebhookId == eventId.ToString()));
        var dead = await _world.GetAsync($"/subscriptions/{subscription}/dead-letters");
        Assert.Equal(eventId, dead[0].GetProperty("eventId").GetGuid());
        Assert.Equal(4, dead[0].GetProperty("attempts").GetInt32());

        receiver.Hang = false;
        var answer = await (await _world.PostAsync($"/subscriptions/{subscription}/dead-letters/{dead[0].GetProperty("deliveryId").GetInt64()}/redeliver", new { }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, answer.GetProperty("count").GetInt32());

        var accepted = await receiver.WaitForAcceptedAsync(1);
        Assert.Equal(eventId.ToString(), accepted.Single().WebhookId);
        Assert.True(accepted.Single().SignatureValid);
        var healthy = await _world.WaitForSubscriptionAsync(subscription, v => !v.GetProperty("failing").GetBoolean(), "healthy again");
        Assert.Equal(0, healthy.GetProperty("dead").GetInt64());
        await DeleteAsync(subscription);
    }

    [Fact]
    public async Task An_answer_later_than_the_attempt_timeout_is_a_logged_fault_and_only_that_delivery_is_repeated()
    {
        // The receiver takes the first attempt of each webhook but answers after the attempt timeout (2 s here): for
        // the sender that attempt is unanswered, a fault, so it is repeated with the same webhook-id (at least once).
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerFirstLate = TimeSpan.FromSeconds(3);
        var release = await _world.MunicipalityWithReleaseAsync();
        var (subscription, secret) = await _world.SubscribeAsync(receiver.Url);
        receiver.Secret = secret;

        var eventId = (await _world.DeprecateAsync(release.ReleaseId, 1)).ToString();
        await _world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("delivered").GetInt64() == 1, "delivered");
        receiver.AnswerFirstLate = TimeSpan.Zero;
        var next = (await _world.DeprecateAsync(release.ReleaseId, 2)).ToString();
        await receiver.WaitForAcceptedAsync(2);
        await _world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("delivered").GetInt64() == 2, "delivered both");

        // Taken twice (more if a loaded machine made the retry late too), then the next one, in order.
        var accepted = receiver.Accepted.Select(r => r.WebhookId).ToList();
        Assert.Equal([eventId, next], accepted.Distinct());
        Assert.True(accepted.Count(id => id == eventId) >= 2, $"accepted {string.Join(", ", accepted)}");
        var log = (await _world.GetAsync($"/subscriptions/{subscription}/deliveries")).EnumerateArray().Reverse()
            .Where(a => a.GetProperty("eventId").GetString() == eventId).ToList();
        Assert.Contains("timed out", log[0].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, log[0].GetProperty("statusCode").ValueKind);
        Assert.Equal(200, log[^1].GetProperty("statusCode").GetInt32());
        await _world.AssertRepeatsOnlyAfterFaultsAsync(subscription, receiver);
        await DeleteAsync(subscription);
    }

    [Fact]
    public async Task A_subscription_for_one_municipality_receives_only_its_events()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var everything = await WebhookReceiver.StartAsync();
        var mine = await _world.MunicipalityWithReleaseAsync();
        var other = await _world.MunicipalityWithReleaseAsync();
        var (filtered, secret) = await _world.SubscribeAsync(receiver.Url, new { municipalities = new[] { mine.Ags } });
        var (all, allSecret) = await _world.SubscribeAsync(everything.Url);
        receiver.Secret = secret;
        everything.Secret = allSecret;

        var expected = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            expected.Add((await _world.DeprecateAsync(mine.ReleaseId, i)).ToString());
            await _world.DeprecateAsync(other.ReleaseId, i);
        }

        await everything.WaitForAcceptedAsync(6); // everything is dispatched by now, and the filtered one is no further behind
        await _world.WaitForSubscriptionAsync(filtered, v => v.GetProperty("pending").GetInt64() == 0 && v.GetProperty("delivered").GetInt64() == 3, "delivered");
        Assert.Equal(expected, receiver.Accepted.Select(r => r.WebhookId));
        Assert.All(receiver.Accepted, r => Assert.True(r.SignatureValid));
        await _world.AssertRepeatsOnlyAfterFaultsAsync(filtered, receiver);
        await _world.AssertRepeatsOnlyAfterFaultsAsync(all, everything);
        await DeleteAsync(filtered);
        await DeleteAsync(all);
    }

    [Fact]
    public async Task A_paused_subscription_receives_nothing_and_everything_after_resume()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = await _world.MunicipalityWithReleaseAsync();
        var (subscription, secret) = await _world.SubscribeAsync(receiver.Url, new { releaseIds = new[] { release.ReleaseId } });
        receiver.Secret = secret;
        await _world.PostAsync($"/subscriptions/{subscription}/pause", new { reason = "maintenance" });

        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            events.Add((await _world.DeprecateAsync(release.ReleaseId, i)).ToString());
        }

        var paused = await _world.WaitForSubscriptionAsync(subscription, v => v.GetProperty("pending").GetInt64() == 3, "recorded the events while paused");
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        await Task.Delay(500);
        Assert.Empty(receiver.Received);

        await _world.PostAsync($"/subscriptions/{subscription}/resume", new { });
        await receiver.WaitForAcceptedAsync(3);
        Assert.Equal(events, receiver.Accepted.Select(r => r.WebhookId));
        await _world.AssertRepeatsOnlyAfterFaultsAsync(subscription, receiver);
        await DeleteAsync(subscription);
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_a_rotated_secret_signs_the_next_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = await _world.MunicipalityWithReleaseAsync();
        var (subscription, secret) = await _world.SubscribeAsync(receiver.Url, new { productIds = new[] { release.ProductId } });
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        var client = factory.CreateClient();
        Assert.DoesNotContain("whsec_", await client.GetStringAsync($"/subscriptions/{subscription}"));
        Assert.DoesNotContain("whsec_", await client.GetStringAsync("/subscriptions"));

        var rotated = await (await _world.PostAsync($"/subscriptions/{subscription}/secret", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        receiver.Secret = newSecret;
        await _world.DeprecateAsync(release.ReleaseId, 1);
        var accepted = await receiver.WaitForAcceptedAsync(1);
        Assert.True(accepted.Single().SignatureValid);
        await DeleteAsync(subscription);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/subscriptions/{subscription}")).StatusCode);
    }

    [Theory]
    [InlineData("http://example.org/hooks")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://192.168.0.10/hooks")]
    [InlineData("https://localhost/hooks")]
    [InlineData("ftp://example.org/hooks")]
    [InlineData("not a url")]
    public async Task Target_urls_that_are_not_https_or_point_to_private_networks_are_refused(string url)
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/subscriptions", new { targetUrl = url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("targetUrl", await response.Content.ReadAsStringAsync());
    }

    private async Task DeleteAsync(Guid subscription)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/subscriptions/{subscription}");
        request.Headers.Add("X-Actor", "it.admin");
        var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<long> GlobalPositionAsync(Guid eventId)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(RoadmapApiFactory.ConnectionString);
        await using var command = dataSource.CreateCommand($"select seq_id from {factory.Schema}.mt_events where id = $1");
        command.Parameters.AddWithValue(eventId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using Roadmap.Api.Integrations.Webhooks;

namespace Roadmap.Api.Tests.Integrations;

public sealed class WebhookSecretCipherTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    private static WebhookSecretCipher Cipher(string key, params string[] previous) =>
        new(new WebhookOptions { SecretKey = key, PreviousSecretKeys = previous });

    [Fact]
    public void A_secret_is_stored_encrypted_under_the_current_key_and_decrypts_for_its_subscription_only()
    {
        var cipher = Cipher(KeyA);
        var subscription = Guid.NewGuid();
        var secret = WebhookSignature.NewSecret();

        var stored = cipher.Protect(subscription, secret);

        Assert.StartsWith($"v1.{cipher.CurrentKeyId}.", stored);
        Assert.DoesNotContain(secret["whsec_".Length..], stored);
        Assert.NotEqual(stored, cipher.Protect(subscription, secret)); // a fresh nonce every time
        Assert.True(cipher.IsCurrent(stored));
        Assert.Equal(secret, cipher.Unprotect(subscription, stored));
        // Copied onto another subscription's row, it does not open.
        Assert.ThrowsAny<CryptographicException>(() => cipher.Unprotect(Guid.NewGuid(), stored));
    }

    [Fact]
    public void A_tampered_secret_does_not_decrypt()
    {
        var cipher = Cipher(KeyA);
        var subscription = Guid.NewGuid();
        var stored = cipher.Protect(subscription, "whsec_c2VjcmV0");
        var box = Convert.FromBase64String(stored.Split('.')[2]);
        box[^1] ^= 1;
        var tampered = $"v1.{cipher.CurrentKeyId}.{Convert.ToBase64String(box)}";

        Assert.ThrowsAny<CryptographicException>(() => cipher.Unprotect(subscription, tampered));
    }

    [Fact]
    public void A_previous_key_still_decrypts_and_an_unknown_one_is_named()
    {
        var subscription = Guid.NewGuid();
        var underA = Cipher(KeyA).Protect(subscription, "whsec_b2xk");

        var rotated = Cipher(KeyB, KeyA);
        Assert.False(rotated.IsCurrent(underA));
        Assert.Equal("whsec_b2xk", rotated.Unprotect(subscription, underA));

        var error = Assert.ThrowsAny<CryptographicException>(() => Cipher(KeyB).Unprotect(subscription, underA));
        Assert.Contains($"encrypted with key {Cipher(KeyA).CurrentKeyId}", error.Message);
    }

    [Fact]
    public void A_secret_stored_before_encryption_reads_as_it_is_and_is_not_current() =>
        Assert.Equal("whsec_cGxhaW4=", Cipher(KeyA).Unprotect(Guid.NewGuid(), "whsec_cGxhaW4="));

    [Theory]
    [InlineData(null, "Roadmap:Webhooks:SecretKey is not set")]
    [InlineData("not base64!", "Roadmap:Webhooks:SecretKey is not base64")]
    [InlineData("c2hvcnQ=", "Roadmap:Webhooks:SecretKey must be 32 bytes (256 bits) in base64; it has 5")]
    public void A_missing_or_malformed_key_is_refused_by_name(string? key, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new WebhookSecretCipher(new WebhookOptions { SecretKey = key }));
        Assert.Contains(message, error.Message);
    }
}

public sealed class WebhookSecretsAtRestTests
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static SchemaNodeFactory KeyedNode(string schema, string key, string? previous, bool dropSchema)
    {
        var settings = new Dictionary<string, string> { ["Roadmap:Webhooks:SecretKey"] = key };
        if (previous is not null)
        {
            settings["Roadmap:Webhooks:PreviousSecretKeys:0"] = previous;
        }

        return new SchemaNodeFactory(schema, dropSchema, settings);
    }

    /// <summary>Each subscription's stored secret and, after a rotation, its previous one.</summary>
    private static async Task<Dictionary<Guid, (string Secret, string? Previous)>> StoredSecretsAsync(string schema)
    {
        await using var dataSource = NpgsqlDataSource.Create(RoadmapApiFactory.ConnectionString);
        await using var command = dataSource.CreateCommand($"select subscription_id, secret, previous_secret from {schema}.webhook_secrets");
        await using var reader = await command.ExecuteReaderAsync();
        var secrets = new Dictionary<Guid, (string, string?)>();
        while (await reader.ReadAsync())
        {
            secrets[reader.GetGuid(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }

        return secrets;
    }

    [Fact]
    public async Task Secrets_are_encrypted_at_rest_re_encrypted_under_a_new_key_at_start_and_a_start_without_their_key_fails()
    {
        var schema = $"whk_{Guid.NewGuid():N}"[..20];
        await using var receiver = await WebhookReceiver.StartAsync();
        Guid subscription;
        string firstSecret;
        WebhookWorld.Release release;
        var legacy = Guid.NewGuid();

        var first = KeyedNode(schema, KeyA, previous: null, dropSchema: false);
        try
        {
            var world = new WebhookWorld(first.CreateClient());
            release = await world.MunicipalityWithReleaseAsync();
            (subscription, firstSecret) = await world.SubscribeAsync(receiver.Url);
            // Rotated: the first secret stays as the previous one (it signs too during the grace period).
            var rotation = await (await world.PostAsync($"/subscriptions/{subscription}/secret", new { })).Content.ReadFromJsonAsync<JsonElement>();
            receiver.Secret = rotation.GetProperty("secret").GetString()!;
        }
        finally
        {
            await first.DisposeAsync();
        }

        var stored = await StoredSecretsAsync(schema);
        var keyA = new WebhookSecretCipher(new WebhookOptions { SecretKey = KeyA });
        Assert.StartsWith($"v1.{keyA.CurrentKeyId}.", stored[subscription].Secret);
        Assert.StartsWith($"v1.{keyA.CurrentKeyId}.", stored[subscription].Previous);
        Assert.DoesNotContain(receiver.Secret["whsec_".Length..], stored[subscription].Secret);

        // A secret from before encryption (written in plain text by an older version).
        await using (var dataSource = NpgsqlDataSource.Create(RoadmapApiFactory.ConnectionString))
        await using (var insert = dataSource.CreateCommand($"insert into {schema}.webhook_secrets (subscription_id, secret) values ($1, 'whsec_bGVnYWN5')"))
        {
            insert.Parameters.AddWithValue(legacy);
            await insert.ExecuteNonQueryAsync();
        }

        // Key B alone cannot open what key A sealed: the node does not start, and says which key it needs.
        var withoutA = KeyedNode(schema, KeyB, previous: null, dropSchema: false);
        try
        {
            var error = Assert.ThrowsAny<Exception>(() => withoutA.CreateClient());
            Assert.Contains($"encrypted with key {keyA.CurrentKeyId}", error.ToString());
        }
        finally
        {
            await withoutA.DisposeAsync();
        }

        var second = KeyedNode(schema, KeyB, previous: KeyA, dropSchema: true);
        try
        {
            var world = new WebhookWorld(second.CreateClient());
            var keyB = new WebhookSecretCipher(new WebhookOptions { SecretKey = KeyB });
            var rotated = await StoredSecretsAsync(schema);
            Assert.All(rotated.Values, s => Assert.StartsWith($"v1.{keyB.CurrentKeyId}.", s.Secret));
            Assert.Equal(receiver.Secret, keyB.Unprotect(subscription, rotated[subscription].Secret));
            Assert.Equal(firstSecret, keyB.Unprotect(subscription, rotated[subscription].Previous!));
            Assert.Equal("whsec_bGVnYWN5", keyB.Unprotect(legacy, rotated[legacy].Secret));

            // Deliveries after the re-encryption are signed with the same secret the subscriber holds.
            var eventId = await world.DeprecateAsync(release.ReleaseId, 1);
            var accepted = await receiver.WaitForAcceptedAsync(1);
            Assert.Equal(eventId.ToString(), accepted.Single().WebhookId);
            Assert.True(accepted.Single().SignatureValid);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}

public sealed class WebhookSecretRotationTests(WebhookApiFactory factory) : IClassFixture<WebhookApiFactory>
{
    [Fact]
    public async Task After_a_rotation_deliveries_carry_both_signatures_until_the_grace_period_ends()
    {
        var world = new WebhookWorld(factory.CreateClient());
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = await world.MunicipalityWithReleaseAsync();
        var (subscription, oldSecret) = await world.SubscribeAsync(receiver.Url);
        receiver.Secret = oldSecret;

        var before = await world.DeprecateAsync(release.ReleaseId, 1);
        var first = await receiver.WaitForDistinctAsync(0);
        Assert.Equal(before.ToString(), first.WebhookId);
        Assert.Single(first.SignatureHeader.Split(' '));

        var rotation = await (await world.PostAsync($"/subscriptions/{subscription}/secret", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var newSecret = rotation.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        var until = rotation.GetProperty("previousSecretSignsUntil").GetDateTimeOffset();
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25)); // the default grace: 24 h

        // The receiver still holds the old secret: both verify, so nothing is refused while it switches.
        var during = await world.DeprecateAsync(release.ReleaseId, 2);
        var second = await receiver.WaitForDistinctAsync(1);
        Assert.Equal(during.ToString(), second.WebhookId);
        Assert.Equal(2, second.SignatureHeader.Split(' ').Length);
        Assert.True(Verifies(oldSecret, second));
        Assert.True(Verifies(newSecret, second));

        // Once the grace period is over only the new secret signs.
        await using (var dataSource = NpgsqlDataSource.Create(RoadmapApiFactory.ConnectionString))
        await using (var expire = dataSource.CreateCommand($"update {factory.Schema}.webhook_secrets set previous_until = now() - interval '1 second' where subscription_id = $1"))
        {
            expire.Parameters.AddWithValue(subscription);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        receiver.Secret = newSecret;
        var after = await world.DeprecateAsync(release.ReleaseId, 3);
        var third = await receiver.WaitForDistinctAsync(2);
        Assert.Equal(after.ToString(), third.WebhookId);
        Assert.Single(third.SignatureHeader.Split(' '));
        Assert.True(Verifies(newSecret, third));
        Assert.False(Verifies(oldSecret, third));
        await world.AssertRepeatsOnlyAfterFaultsAsync(subscription, receiver);
        await world.PostAsync($"/subscriptions/{subscription}/pause", new { });
    }

    private static bool Verifies(string secret, ReceivedWebhook received) =>
        WebhookReceiver.Verify(secret, received.WebhookId, received.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            received.Body, received.SignatureHeader);
}

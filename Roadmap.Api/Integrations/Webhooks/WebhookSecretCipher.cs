using System.Security.Cryptography;
using System.Text;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// Encrypts webhook signing secrets at rest (AES-256-GCM) with the key in Roadmap:Webhooks:SecretKey. A stored
/// secret reads <c>v1.{key id}.{base64(nonce | ciphertext | tag)}</c>; the key id is the first 8 hex digits of the
/// key's SHA-256, so a secret names the key it needs. The subscription id is the associated data: a secret copied
/// onto another subscription's row does not decrypt. Keys listed in PreviousSecretKeys still decrypt, and
/// <see cref="WebhookSecretsAtRest"/> re-encrypts their secrets (and any stored before encryption) at start-up.
/// </summary>
public sealed class WebhookSecretCipher
{
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly (string Id, byte[] Key) _current;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public WebhookSecretCipher(WebhookOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.SecretKey))
        {
            throw new InvalidOperationException(
                $"{WebhookOptions.Section}:SecretKey is not set. Webhook signing secrets are stored encrypted with it: " +
                "generate one with `openssl rand -base64 32` and set Roadmap__Webhooks__SecretKey (./roadmap run keeps one in .data/webhook-secret.key).");
        }

        _current = Parse(options.SecretKey, "SecretKey");
        _keys[_current.Id] = _current.Key;
        for (var i = 0; i < options.PreviousSecretKeys.Length; i++)
        {
            var (id, key) = Parse(options.PreviousSecretKeys[i], $"PreviousSecretKeys:{i}");
            _keys.TryAdd(id, key);
        }
    }

    /// <summary>The id of the key new secrets are encrypted with.</summary>
    public string CurrentKeyId => _current.Id;

    public string Protect(Guid subscriptionId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBox = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBox.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBox.AsSpan(NonceSize, plain.Length), sealedBox.AsSpan(NonceSize + plain.Length), subscriptionId.ToByteArray());
        return $"{Version}.{_current.Id}.{Convert.ToBase64String(sealedBox)}";
    }

    /// <summary>The secret; a value stored before encryption (no version prefix) is returned as it is.</summary>
    public string Unprotect(Guid subscriptionId, string stored)
    {
        if (!IsEncrypted(stored))
        {
            return stored;
        }

        var parts = stored.Split('.', 3);
        if (parts.Length != 3 || !_keys.TryGetValue(parts[1], out var key))
        {
            throw new CryptographicException(
                $"The signing secret of subscription {subscriptionId} is encrypted with key {(parts.Length > 1 ? parts[1] : "?")}, " +
                $"which is neither {WebhookOptions.Section}:SecretKey ({_current.Id}) nor one of PreviousSecretKeys.");
        }

        var sealedBox = Convert.FromBase64String(parts[2]);
        if (sealedBox.Length < NonceSize + TagSize)
        {
            throw new CryptographicException($"The signing secret of subscription {subscriptionId} is truncated.");
        }

        var plain = new byte[sealedBox.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBox.AsSpan(0, NonceSize), sealedBox.AsSpan(NonceSize, plain.Length), sealedBox.AsSpan(NonceSize + plain.Length), plain,
            subscriptionId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Whether the stored value is encrypted with the current key (nothing to re-encrypt).</summary>
    public bool IsCurrent(string stored) => stored.StartsWith($"{Version}.{_current.Id}.", StringComparison.Ordinal);

    private static bool IsEncrypted(string stored) => stored.StartsWith($"{Version}.", StringComparison.Ordinal);

    private static (string Id, byte[] Key) Parse(string base64, string setting)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{WebhookOptions.Section}:{setting} is not base64 (generate a key with `openssl rand -base64 32`).");
        }

        if (key.Length != 32)
        {
            throw new InvalidOperationException($"{WebhookOptions.Section}:{setting} must be 32 bytes (256 bits) in base64; it has {key.Length}.");
        }

        return (Convert.ToHexStringLower(SHA256.HashData(key))[..8], key);
    }
}

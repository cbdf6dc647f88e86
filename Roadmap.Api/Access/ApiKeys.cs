using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Access;

/// <summary>What a caller may do (docs/0015).</summary>
public static class Roles
{
    /// <summary>Everything, including <c>/admin/*</c> and the keys.</summary>
    public const string Admin = "admin";

    /// <summary>Decisions and reads for the municipalities or the county in its scope.</summary>
    public const string Planner = "planner";

    /// <summary>A mayor's office: its municipalities' roadmap, page, CSV and calendar.</summary>
    public const string Reader = "reader";

    /// <summary>Its own webhook subscriptions, the feeds and the stream.</summary>
    public const string Integration = "integration";

    /// <summary>A read-only link (<c>?token=</c>) to one municipality's page and calendar, for browsers and calendar apps.</summary>
    public const string Link = "link";

    public static readonly IReadOnlyList<string> All = [Admin, Planner, Reader, Integration, Link];
}

/// <summary>
/// Which municipalities a key covers: all (admin), a county (every municipality whose AGS starts with the county's
/// first five digits) or a list of municipalities.
/// </summary>
public sealed record AccessScope(bool Everything, string? County, IReadOnlyList<string> Municipalities)
{
    public static AccessScope All { get; } = new(true, null, []);

    public bool Covers(string ags) =>
        Everything
        || (County is { Length: 8 } county && ags.Length == 8 && string.CompareOrdinal(ags, 0, county, 0, 5) == 0)
        || Municipalities.Contains(ags, StringComparer.Ordinal);

    /// <summary>A county's own AGS (its overview, risk board) is covered by a county scope of that county.</summary>
    public bool CoversCounty(string countyAgs) => Everything || string.Equals(County, countyAgs, StringComparison.Ordinal);

    public override string ToString() =>
        Everything ? "all" : County is not null ? $"county {County}" : string.Join(", ", Municipalities);
}

/// <summary>A key as listed (never its secret).</summary>
public sealed record ApiKeyInfo(
    string Prefix, string Name, string Role, IReadOnlyList<string> Municipalities, string? County, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? RevokedAt);

/// <summary>A new key: <see cref="Key"/> is shown this once and stored only as a hash.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyInfo Info);

/// <summary>A key that opened a request: who it is and what it may do.</summary>
public sealed record ApiKeyPrincipal(string Prefix, string Name, string Role, AccessScope Scope);

/// <summary>
/// The API keys: 32 random bytes (base64url, after <c>rmk_</c>), stored as their SHA-256 with the first 12 characters
/// visible, so a list can show which key is which. A lookup is cached for a few seconds per key hash; a revocation
/// reaches every node within <see cref="CacheFor"/>.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, EventStoreOptions options, TimeProvider clock)
{
    public const string KeyPrefix = "rmk_";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private const int VisibleLength = 12;

    private readonly ConcurrentDictionary<string, (ApiKeyPrincipal? Principal, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task<CreatedApiKey> CreateAsync(
        string name, string role, IReadOnlyList<string> municipalities, string? county, string createdBy, CancellationToken cancellationToken)
    {
        if (Validate(name, role, municipalities, county) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var prefix = key[..VisibleLength];
        await using var insert = dataSource.CreateCommand(
            $"""
            insert into {options.Schema}.api_keys (prefix, hash, name, role, municipalities, county, created_by)
            values ($1, $2, $3, $4, $5, $6, $7) returning created_at
            """);
        insert.Parameters.AddWithValue(prefix);
        insert.Parameters.AddWithValue(Hash(key));
        insert.Parameters.AddWithValue(name.Trim());
        insert.Parameters.AddWithValue(role);
        insert.Parameters.AddWithValue(municipalities.Distinct().Order(StringComparer.Ordinal).ToArray());
        insert.Parameters.AddWithValue((object?)county ?? DBNull.Value);
        insert.Parameters.AddWithValue(createdBy);
        var createdAt = (DateTime)(await insert.ExecuteScalarAsync(cancellationToken))!;
        return new CreatedApiKey(key, new ApiKeyInfo(prefix, name.Trim(), role, municipalities, county, new DateTimeOffset(createdAt, TimeSpan.Zero), createdBy, null));
    }

    /// <summary>Why a key with these settings cannot be made, or null.</summary>
    public static string? Validate(string? name, string? role, IReadOnlyList<string>? municipalities, string? county)
    {
        municipalities ??= [];
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            return "A key needs a name of 1 to 100 characters: who or what uses it (it is shown in the history as who decided).";
        }

        if (name.Any(char.IsControl))
        {
            return "A key's name may not contain control characters.";
        }

        if (role is null || !Roles.All.Contains(role))
        {
            return $"The role must be one of {string.Join(", ", Roles.All)}.";
        }

        if (municipalities.FirstOrDefault(a => !Ags.TryParse(a, out _, out _)) is { } bad)
        {
            return $"'{bad}' is not an AGS (8 digits).";
        }

        if (county is not null && (!Ags.TryParse(county, out _, out _) || !county.EndsWith("000", StringComparison.Ordinal)))
        {
            return $"'{county}' is not a county's AGS (8 digits ending in 000, e.g. 09181000).";
        }

        return role switch
        {
            Roles.Admin when municipalities.Count > 0 || county is not null => "An admin key covers everything: give it no municipality or county.",
            Roles.Link when municipalities.Count != 1 || county is not null => "A link token opens exactly one municipality's page and calendar: give it one --municipality.",
            Roles.Planner or Roles.Reader or Roles.Integration when municipalities.Count == 0 && county is null =>
                "Give the key a scope: one or more municipalities (AGS) or a county.",
            Roles.Planner or Roles.Reader or Roles.Integration when municipalities.Count > 0 && county is not null =>
                "Give the key either municipalities or a county, not both.",
            _ => null,
        };
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var list = dataSource.CreateCommand(
            $"select prefix, name, role, municipalities, county, created_at, created_by, revoked_at from {options.Schema}.api_keys order by created_at, prefix");
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyInfo(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<string[]>(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return keys;
    }

    /// <summary>Revokes a key by its visible prefix; false when there is none (or it was revoked before).</summary>
    public async Task<bool> RevokeAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var revoke = dataSource.CreateCommand(
            $"update {options.Schema}.api_keys set revoked_at = now() where prefix = $1 and revoked_at is null");
        revoke.Parameters.AddWithValue(prefix);
        var revoked = await revoke.ExecuteNonQueryAsync(cancellationToken) == 1;
        _cache.Clear();
        return revoked;
    }

    /// <summary>The key's principal, or null for an unknown or revoked key.</summary>
    public async ValueTask<ApiKeyPrincipal?> FindAsync(string key, CancellationToken cancellationToken)
    {
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal) || key.Length is < 40 or > 60)
        {
            return null;
        }

        var digest = Hash(key);
        var hash = Convert.ToHexString(digest);
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Principal;
        }

        await using var find = dataSource.CreateCommand(
            $"select prefix, name, role, municipalities, county from {options.Schema}.api_keys where hash = $1 and revoked_at is null");
        find.Parameters.AddWithValue(digest);
        ApiKeyPrincipal? principal = null;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var role = reader.GetString(2);
                var scope = role == Roles.Admin
                    ? AccessScope.All
                    : new AccessScope(false, reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<string[]>(3));
                principal = new ApiKeyPrincipal(reader.GetString(0), reader.GetString(1), role, scope);
            }
        }

        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[hash] = (principal, now + CacheFor);
        return principal;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Roadmap.Api.Infrastructure;
using Roadmap.Domain.Shared;
using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Roadmaps;

/// <summary>What the roadmap cache holds and how often it answered, since the process started (GET /admin/roadmap-cache).</summary>
/// <param name="Enabled">False when Roadmap:RoadmapCache:SizeLimitMiB is 0.</param>
/// <param name="SizeBytes">The sizes the entries were stored with (the JSON's length, or an estimate for the objects).</param>
/// <param name="Hits">Live roadmaps (JSON or objects) answered from the cache.</param>
/// <param name="Misses">Live roadmaps computed from the read model because the cache had none for their current version.</param>
/// <param name="HitRatio">Hits / (hits + misses); null before the first lookup.</param>
/// <param name="CapacityEvictions">Entries dropped or not stored because the size limit was reached.</param>
public sealed record RoadmapCacheStatistics(
    bool Enabled, long Entries, long SizeBytes, long SizeLimitBytes, long Hits, long Misses, double? HitRatio, long CapacityEvictions);

/// <summary>A live roadmap serialized as the endpoint sends it, and its entity tag.</summary>
/// <param name="ETag">Null when the projection has recorded no version for the municipality (then nothing is cached).</param>
public sealed record RoadmapBody(byte[] Utf8Json, string? ETag);

/// <summary>
/// Live roadmaps by (ags, today, version), where version is the municipality's entry in
/// <c>roadmap_municipality_versions</c>: a hit costs one primary-key lookup. Whatever changes the inputs of a roadmap
/// changes its version in the projection's transaction, and an entry is stored under the version of the snapshot it
/// was computed from (<see cref="RoadmapQueries.GetLiveRoadmapAsync"/>), so a hit is never an old answer. Bounded in
/// bytes (configuration Roadmap:RoadmapCache:SizeLimitMiB, default 1536; 0 turns it off), least recently used out first.
/// </summary>
public sealed class RoadmapCache : IDisposable
{
    /// <summary>
    /// Room for one day's roadmaps of every Bavarian municipality: 2,056 x about 580 KiB with 300 procedures each
    /// (1,024 MiB held only 1,768 of them, and every other read was a miss).
    /// </summary>
    public const long DefaultSizeLimitMiB = 1536;

    /// <summary>What the serialized roadmap depends on besides its inputs: this build's code (calculator, JSON options).</summary>
    private static readonly string Build = BuildTag();

    private readonly RoadmapQueries _queries;
    private readonly JsonSerializerOptions _json;
    private readonly MemoryCache? _cache;
    private readonly long _sizeLimitBytes;
    private readonly PostEvictionCallbackRegistration _evicted;
    private long _hits;
    private long _misses;
    private long _capacityEvictions;

    public RoadmapCache(RoadmapQueries queries, IOptions<JsonOptions> json, long sizeLimitBytes)
    {
        _queries = queries;
        _json = WriterOptions(json.Value.SerializerOptions);
        _sizeLimitBytes = Math.Max(0, sizeLimitBytes);
        _cache = sizeLimitBytes > 0
            ? new MemoryCache(new MemoryCacheOptions { SizeLimit = sizeLimitBytes, CompactionPercentage = 0.1, TrackStatistics = true })
            : null;
        _evicted = new PostEvictionCallbackRegistration
        {
            EvictionCallback = (_, _, reason, state) =>
            {
                if (reason == EvictionReason.Capacity && state is RoadmapCache cache)
                {
                    Interlocked.Increment(ref cache._capacityEvictions);
                }
            },
            State = this,
        };
    }

    /// <summary>Entries held now (for tests and diagnostics).</summary>
    public int Count => _cache?.Count ?? 0;

    /// <summary>Entries, size, hits and misses since the start.</summary>
    public RoadmapCacheStatistics Statistics()
    {
        var hits = Interlocked.Read(ref _hits);
        var misses = Interlocked.Read(ref _misses);
        var current = _cache?.GetCurrentStatistics();
        return new RoadmapCacheStatistics(
            _cache is not null,
            current?.CurrentEntryCount ?? 0,
            current?.CurrentEstimatedSize ?? 0,
            _sizeLimitBytes,
            hits,
            misses,
            hits + misses == 0 ? null : Math.Round((double)hits / (hits + misses), 4),
            Interlocked.Read(ref _capacityEvictions));
    }

    /// <summary>The municipality's roadmap version: one indexed lookup, no documents read.</summary>
    public Task<long?> VersionAsync(Ags ags, CancellationToken cancellationToken) => _queries.GetRoadmapVersionAsync(ags, cancellationToken);

    /// <summary>The strong entity tag of the live roadmap of (ags, today) at a version.</summary>
    public static string ETag(Ags ags, DateOnly today, long version) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"{ags.Value}-{today:yyyyMMdd}-{version}-{Build}\"");

    /// <summary>The live roadmap as JSON: cached for <paramref name="version"/> (read just before), else computed and cached. Null: municipality unknown.</summary>
    public async Task<RoadmapBody?> GetBodyAsync(Ags ags, DateOnly today, long? version, CancellationToken cancellationToken)
    {
        if (version is { } v && _cache is not null && _cache.TryGetValue(new Key(ags.Value, today, v, Body: true), out RoadmapBody? hit) && hit is not null)
        {
            Interlocked.Increment(ref _hits);
            return hit;
        }

        Interlocked.Increment(ref _misses);
        var computed = await _queries.GetLiveRoadmapAsync(ags, today, cancellationToken);
        if (computed.Roadmap is null)
        {
            return null;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(computed.Roadmap, _json);
        if (computed.Version is not { } snapshot)
        {
            return new RoadmapBody(bytes, null);
        }

        var body = new RoadmapBody(bytes, ETag(ags, today, snapshot));
        Store(new Key(ags.Value, today, snapshot, Body: true), body, bytes.Length + 256);
        return body;
    }

    /// <summary>The live roadmap (for the CSV, the pages and the calendar): cached like <see cref="GetBodyAsync"/>, as objects.</summary>
    public async Task<MunicipalityRoadmap?> GetRoadmapAsync(Ags ags, DateOnly today, CancellationToken cancellationToken)
    {
        if (_cache is not null && await VersionAsync(ags, cancellationToken) is { } version
            && _cache.TryGetValue(new Key(ags.Value, today, version, Body: false), out MunicipalityRoadmap? hit) && hit is not null)
        {
            Interlocked.Increment(ref _hits);
            return hit;
        }

        Interlocked.Increment(ref _misses);
        var computed = await _queries.GetLiveRoadmapAsync(ags, today, cancellationToken);
        if (computed is { Roadmap: { } roadmap, Version: { } snapshot })
        {
            // A rough size of the object graph: about 2 KiB per entry.
            Store(new Key(ags.Value, today, snapshot, Body: false), roadmap, 1024 + (2048L * roadmap.Entries.Count));
        }

        return computed.Roadmap;
    }

    /// <summary>Drops every entry (the counters keep counting): the next read of each roadmap computes it again.</summary>
    public void Clear() => _cache?.Clear();

    public void Dispose() => _cache?.Dispose();

    private void Store(Key key, object value, long size)
    {
        if (_cache is null)
        {
            return;
        }

        using var entry = _cache.CreateEntry(key);
        entry.Value = value;
        entry.Size = size;
        // Older versions and past days are never asked for again; let them age out before the size limit has to act.
        entry.SlidingExpiration = TimeSpan.FromHours(1);
        entry.PostEvictionCallbacks.Add(_evicted);
    }

    /// <summary>
    /// The API's JSON options without the converters that make request bodies strict (<see cref="InputDateConverter"/>,
    /// <see cref="InputDecimalConverter"/>): they write what the built-in converters write (yyyy-MM-dd, the number), but
    /// through a string per date; a roadmap has thousands. The bytes are the same (RoadmapCacheTests checks it).
    /// </summary>
    private static JsonSerializerOptions WriterOptions(JsonSerializerOptions api)
    {
        var writer = new JsonSerializerOptions(api);
        foreach (var converter in writer.Converters.Where(c => c is InputDateConverter or InputDecimalConverter).ToList())
        {
            writer.Converters.Remove(converter);
        }

        writer.MakeReadOnly(populateMissingResolver: true);
        return writer;
    }

    private static string BuildTag()
    {
        var ids = string.Join('|', typeof(RoadmapCache).Assembly.ManifestModule.ModuleVersionId, typeof(RoadmapQueries).Assembly.ManifestModule.ModuleVersionId);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ids));
        return Convert.ToHexStringLower(hash.AsSpan(0, 4));
    }

    private readonly record struct Key(string Ags, DateOnly Today, long Version, bool Body);
}

/// <summary>
/// <see cref="IRoadmapQueries"/> with the live roadmap from <see cref="RoadmapCache"/>; as-of answers and the other
/// views go straight to <see cref="RoadmapQueries"/>.
/// </summary>
public sealed class CachedRoadmapQueries(RoadmapQueries inner, RoadmapCache cache) : IRoadmapQueries
{
    public Task<MunicipalityRoadmap?> GetRoadmapAsync(Ags ags, DateOnly today, DateOnly? asOf, CancellationToken cancellationToken) =>
        asOf is null ? cache.GetRoadmapAsync(ags, today, cancellationToken) : inner.GetRoadmapAsync(ags, today, asOf, cancellationToken);

    public Task<RiskBoard> GetRiskBoardAsync(Ags countyAgs, DateOnly today, DateOnly? asOf, CancellationToken cancellationToken) =>
        inner.GetRiskBoardAsync(countyAgs, today, asOf, cancellationToken);

    public Task<ProcurementTimeline?> GetProcurementTimelineAsync(Guid caseId, DateOnly today, CancellationToken cancellationToken) =>
        inner.GetProcurementTimelineAsync(caseId, today, cancellationToken);

    public Task<IReadOnlyList<ProcurementTimeline>> GetMunicipalityTimelinesAsync(Ags ags, DateOnly today, CancellationToken cancellationToken) =>
        inner.GetMunicipalityTimelinesAsync(ags, today, cancellationToken);

    public Task<IReadOnlyList<SplittingWarning>> GetSplittingWarningsAsync(Guid caseId, CancellationToken cancellationToken) =>
        inner.GetSplittingWarningsAsync(caseId, cancellationToken);
}

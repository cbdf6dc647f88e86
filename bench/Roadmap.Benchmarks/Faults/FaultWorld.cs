using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Benchmarks.Faults;

/// <summary>
/// A schema of its own, API nodes started as real processes against it (Production settings, short timings for
/// retries, reviews and polls so a scenario stays short), the county the scenarios write to, and the checks they share:
/// acknowledged events in the log, read models caught up and complete.
/// </summary>
internal sealed class FaultWorld : IAsyncDisposable
{
    public const string CountyAgs = "09181000";

    /// <summary>Municipalities the load writes to.</summary>
    public static readonly string[] Municipalities = ["09181118", "09181128", "09181130", "09181132"];

    private readonly List<ApiProcess> _nodes = [];

    /// <summary>One webhook key for every node: signing secrets are stored encrypted with it.</summary>
    private readonly string _secretKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly BenchSchema _schema;

    private FaultWorld(FaultContext context, NpgsqlDataSource dataSource, BenchSchema schema)
    {
        Context = context;
        DataSource = dataSource;
        _schema = schema;
    }

    public FaultContext Context { get; }

    public NpgsqlDataSource DataSource { get; }

    public string Schema => _schema.Name;

    /// <summary>The admin key of the first node, used on every node (they share the schema).</summary>
    public string AdminKey { get; private set; } = "";

    public Guid ReleaseId { get; private set; }

    public string VendorId { get; private set; } = "";

    public static async Task<FaultWorld> CreateAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var dataSource = EventStoreDataSource.Create(context.ConnectionString, "roadmap-faults");
        var schema = await BenchSchema.CreateAsync(dataSource, cancellationToken);
        return new FaultWorld(context, dataSource, schema);
    }

    /// <summary>Starts a node; <paramref name="settings"/> go beside the scenario defaults.</summary>
    public async Task<ApiProcess> StartNodeAsync(string name, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Roadmap__Webhooks__SecretKey"] = _secretKey,
            ["Roadmap__Webhooks__AllowHttpHosts__0"] = "127.0.0.1",
            ["Roadmap__Webhooks__AttemptTimeout"] = "00:00:02",
            ["Roadmap__Webhooks__InitialBackoff"] = "00:00:00.100",
            ["Roadmap__Webhooks__MaxBackoff"] = "00:00:01",
            ["Roadmap__Webhooks__PollInterval"] = "00:00:00.200",
            ["Roadmap__Deadlines__ReviewPollMs"] = "500",
            ["Roadmap__Telemetry__ProjectionSampleSeconds"] = "2",
            // The load comes from one address and one key: the limiter would answer 429s, not the fault under test.
            ["Roadmap__Limits__PerKey__PermitsPerSecond"] = "100000",
            ["Roadmap__Limits__PerKey__Burst"] = "100000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var node = await ApiProcess.StartAsync(
            Context.ConnectionString, Schema, cancellationToken, environment, AdminKey.Length > 0 ? AdminKey : null, name);
        if (AdminKey.Length == 0)
        {
            AdminKey = node.AdminKey;
        }

        _nodes.Add(node);
        return node;
    }

    /// <summary>A client of the node with the admin key; short timeout: a request that takes longer counts as a hang.</summary>
    public HttpClient Client(ApiProcess node, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = node.BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    /// <summary>The municipalities and a release whose security support ends soon (every procedure on it is late).</summary>
    public async Task SetUpAsync(HttpClient client, CancellationToken cancellationToken)
    {
        foreach (var ags in Municipalities)
        {
            await CreatedAsync(client, "/municipalities", new { ags, name = $"Gemeinde {ags}", countyAgs = CountyAgs }, cancellationToken);
        }

        var vendor = VendorId = await CreatedAsync(client, "/catalogue/vendors", new { name = "Lechtal Software GmbH" }, cancellationToken);
        var product = await CreatedAsync(client, "/catalogue/products", new { vendorId = vendor, name = "Lech-Gewerbe", category = "Gewerbe" }, cancellationToken);
        ReleaseId = Guid.Parse(await CreatedAsync(client, "/catalogue/releases", new { productId = product, version = "5.1", endOfSecuritySupport = "2027-06-30" }, cancellationToken));
    }

    public static async Task<string> CreatedAsync(HttpClient client, string url, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(url, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchmarkFailedException($"set-up: POST {url} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>How many of the events are in the log.</summary>
    public async Task<int> CountStoredAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand($"select count(*) from \"{Schema}\".mt_events where id = any($1)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(sql.Replace("{schema}", $"\"{Schema}\"", StringComparison.Ordinal));
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The async projections as a node sees them (<c>GET /admin/projections</c>).</summary>
    public static async Task<IReadOnlyList<JsonElement>> ProjectionsAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var views = await client.GetFromJsonAsync<JsonElement>("/admin/projections", cancellationToken);
        return views.EnumerateArray()
            .Where(v => v.GetProperty("status").ValueKind == JsonValueKind.Object)
            .Select(v => v.GetProperty("status").Clone())
            .ToList();
    }

    /// <summary>Waits until every async projection has applied the whole log; false at the deadline.</summary>
    public static async Task<bool> WaitForCatchUpAsync(HttpClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                var statuses = await ProjectionsAsync(client, cancellationToken);
                if (statuses.Count > 0 && statuses.All(s => s.GetProperty("lagEvents").GetInt64() == 0 && s.GetProperty("state").GetString() == "running"))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250, cancellationToken);
        }

        return false;
    }

    /// <summary>The procedures the roadmap read model shows for the municipalities, each once per entry.</summary>
    public static async Task<List<Guid>> RoadmapProceduresAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var found = new List<Guid>();
        foreach (var ags in Municipalities)
        {
            var roadmap = await client.GetFromJsonAsync<JsonElement>($"/municipalities/{ags}/roadmap", cancellationToken);
            found.AddRange(roadmap.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("procedureId").GetGuid()));
        }

        return found;
    }

    /// <summary>The node's own name as status pages show it (machine:pid).</summary>
    public static string NodeName(ApiProcess node) => $"{Environment.MachineName}:{node.Pid}";

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _schema.DisposeAsync();
        await DataSource.DisposeAsync();
    }

    /// <summary>Free loopback port for a receiver.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// Writers that introduce procedures as fast as the node answers, C at a time, against whichever node is current.
/// Every 2xx is remembered with the events it stored; every other outcome is counted by status or error.
/// </summary>
internal sealed class WriteLoad
{
    private readonly ConcurrentBag<(Guid ProcedureId, string Ags, Guid[] EventIds)> _acknowledged = [];
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly Func<HttpClient?> _client;
    private readonly Guid _releaseId;
    private long _maxLatencyTicks;
    private int _next;

    public WriteLoad(Func<HttpClient?> client, Guid releaseId)
    {
        _client = client;
        _releaseId = releaseId;
    }

    public IReadOnlyCollection<(Guid ProcedureId, string Ags, Guid[] EventIds)> Acknowledged => _acknowledged;

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    public double MaxLatencyMs => TimeSpan.FromTicks(Interlocked.Read(ref _maxLatencyTicks)).TotalMilliseconds;

    /// <summary>Acknowledged writes that were sent after <paramref name="from"/> (Stopwatch timestamp).</summary>
    public int AcknowledgedAfter(long from) => _acknowledgedAt.Count(t => t >= from);

    private readonly ConcurrentBag<long> _acknowledgedAt = [];

    public Task RunAsync(int writers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriterAsync(stop), CancellationToken.None)));

    private async Task WriterAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var client = _client();
            if (client is null)
            {
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            var n = Interlocked.Increment(ref _next);
            var ags = FaultWorld.Municipalities[n % FaultWorld.Municipalities.Length];
            var started = Stopwatch.GetTimestamp();
            string outcome;
            try
            {
                using var response = await client.PostAsJsonAsync(
                    $"/municipalities/{ags}/procedures",
                    new { category = "Gewerbe", releaseId = _releaseId, name = $"Verfahren {n}", introducedOn = "2018-01-01" },
                    CancellationToken.None);
                outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                    _acknowledged.Add((
                        Guid.Parse(body.GetProperty("id").GetString()!),
                        ags,
                        body.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid()).ToArray()));
                    _acknowledgedAt.Add(started);
                }
            }
            catch (HttpRequestException e)
            {
                outcome = e.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused or reset" : $"http error {e.HttpRequestError}";
                await Task.Delay(20, CancellationToken.None); // a dead node refuses at once: no busy loop
            }
            catch (TaskCanceledException)
            {
                outcome = "timed out";
            }

            var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
            long seen;
            while (elapsed > (seen = Interlocked.Read(ref _maxLatencyTicks)) && Interlocked.CompareExchange(ref _maxLatencyTicks, elapsed, seen) != seen)
            {
            }

            _outcomes.AddOrUpdate(outcome, 1, (_, count) => count + 1);
        }
    }
}

/// <summary>A webhook receiver on loopback: answers 204 and notes each delivery's webhook-id and when it came.</summary>
internal sealed class FaultReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<(string WebhookId, long At)> _received = new();

    private FaultReceiver(int port)
    {
        Url = $"http://127.0.0.1:{port}/hook";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public IReadOnlyList<(string WebhookId, long At)> Received => _received.ToArray();

    public static FaultReceiver Start() => new(FaultWorld.FreePort());

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                await reader.ReadToEndAsync();
            }

            _received.Enqueue((context.Request.Headers["webhook-id"] ?? "", Stopwatch.GetTimestamp()));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}

/// <summary>Shared bookkeeping of a scenario: failures, figures, elapsed time.</summary>
internal sealed class FaultReport(string scenario)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public List<string> Failures { get; } = [];

    public Dictionary<string, object> Figures { get; } = [];

    public void Check(bool holds, string failure)
    {
        if (!holds)
        {
            Failures.Add(failure);
        }
    }

    public FaultResult Result() => new(scenario, Failures.Count == 0, Failures, Figures, Stopwatch.GetElapsedTime(_started).TotalSeconds);
}

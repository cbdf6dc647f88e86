using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Roadmap.EventStore;

namespace Roadmap.Benchmarks.Faults;

/// <summary>
/// <c>faults hostile</c> (issue 13, point 15): the real API (a child process with the demo county loaded) gets at least
/// <see cref="FaultContext.HostileRequests"/> generated hostile requests, <see cref="FaultContext.Concurrency"/> at a time,
/// spread over every operation of its own OpenAPI document: broken JSON, wrong types, huge and negative numbers, extreme
/// dates, NUL and control characters, deep nesting, 1 MB bodies, traversal and injection strings, wrong content types and
/// duplicate keys, most with the admin key (so validation, not authorization, answers), a tenth without a key or with a
/// broken one. Every request is one a correct service refuses: a body is only sent with a field it must refuse, to a real
/// resource or to a hostile path. Passed: no 5xx, no hang, no 2xx to a write, no stored event, no protocol error of Npgsql
/// in the API's log, every page still renders and a valid decision afterwards is a 201.
/// </summary>
internal static partial class HostileRequests
{
    private const string Scenario = "hostile";

    /// <summary>A request that takes longer than this counts as a hang (the client gives up after <see cref="RequestTimeout"/>).</summary>
    internal static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Beside the fault world's node settings (the per-key limiter far above the load, plain http to 127.0.0.1 for the
    /// subscriptions the run aims at: port 9, nothing listens): the anonymous limiter too (a 429 would hide what validation
    /// answers) and the demo county for real ids.
    /// </summary>
    private static readonly Dictionary<string, string> ApiEnvironment = new()
    {
        ["Roadmap__Limits__Anonymous__PermitsPerSecond"] = "100000",
        ["Roadmap__Limits__Anonymous__Burst"] = "100000",
        ["Roadmap__Demo__Load"] = "true",
    };

    public static async Task<FaultResult> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failures = new List<string>();
        var figures = new Dictionary<string, object>();

        await using var world = await FaultWorld.CreateAsync(context, cancellationToken);
        var api = await world.StartNodeAsync("api", cancellationToken, ApiEnvironment);

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(context.Concurrency * 2, 16),
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        using var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = api.BaseAddress, Timeout = RequestTimeout };

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), cancellationToken));
        var operations = ApiOperation.ReadAll(document.RootElement);
        var targets = await HostileTargets.SetUpAsync(client, api.AdminKey, cancellationToken);
        var generator = new HostileGenerator(document.RootElement, operations, targets, api.AdminKey);
        await Console.Error.WriteLineAsync(
            $"hostile: {operations.Count} operations in /openapi/v1.json; {targets.Municipalities.Count} municipalities, {targets.Releases.Count} releases, " +
            $"{targets.Procedures.Count} procedures, {targets.Procurements.Count} procurement cases, {targets.Subscriptions.Count} subscriptions to aim at");

        var events = $"\"{world.Schema}\".mt_events";
        var eventsBefore = await SettledEventCountAsync(world, events, cancellationToken);
        var lastSeqBefore = await world.ScalarAsync($"select coalesce(max(seq_id), 0) from {events}", cancellationToken);

        var total = context.HostileRequests;
        var tally = new HostileTally(operations.Count);
        var runStarted = Stopwatch.GetTimestamp();
        using (var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var progress = ReportProgressAsync(tally, total, stopProgress.Token);
            await Parallel.ForEachAsync(
                Enumerable.Range(0, total),
                new ParallelOptions { MaxDegreeOfParallelism = context.Concurrency, CancellationToken = cancellationToken },
                async (index, token) => await SendAsync(client, generator.Build(index), tally, token));
            await stopProgress.CancelAsync();
            await progress;
        }

        var runSeconds = Stopwatch.GetElapsedTime(runStarted).TotalSeconds;
        var eventsAfter = await world.ScalarAsync($"select count(*) from {events}", cancellationToken);
        var stored = eventsAfter - eventsBefore;
        if (stored != 0)
        {
            failures.Add($"stored {stored} event(s) during the hostile requests (must be 0): " +
                string.Join("; ", await NewEventsAsync(world.DataSource, events, lastSeqBefore, cancellationToken)));
        }

        tally.Report(failures);

        var log = api.Lines;
        // "Received unexpected backend message DataRow" (once seen under concurrent hostile input), not Npgsql's DataRowLoadingMode in a stack trace.
        var protocolErrors = log.Where(l => ProtocolError().IsMatch(l)).ToList();
        foreach (var line in protocolErrors.Take(5))
        {
            failures.Add($"the API's log has an Npgsql protocol error: {CausedBy(line, generator)}{Shorten(line, 400)}");
        }

        var errorLines = log.Where(l => l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)).ToList();

        var (pagesRendered, pagesTried) = await CheckPagesAsync(client, api.AdminKey, failures, cancellationToken);
        var afterwards = await CheckNormalAnswersAsync(client, api.AdminKey, targets, failures, cancellationToken);
        var eventsAtEnd = await world.ScalarAsync($"select count(*) from {events}", cancellationToken);
        if (api.HasExited)
        {
            failures.Add("the API process exited during the run");
        }

        figures["tried"] = tally.Tried;
        figures["answered"] = tally.Answered;
        figures["statusClasses"] = tally.Classes();
        figures["statuses"] = tally.Statuses();
        figures["fiveXx"] = tally.ServerErrors;
        figures["writes2xx"] = tally.WriteSuccesses;
        figures["reads2xx"] = tally.ReadSuccesses;
        figures["reads2xxByKind"] = tally.ReadSuccessKinds();
        figures["reads2xxExamples"] = tally.ReadSuccessExamples();
        figures["connectionErrors"] = tally.ConnectionErrors;
        figures["oversizedClosedWhileSending"] = tally.ClosedWhileSending;
        figures["oversizedClosedWhileSendingExamples"] = tally.ClosedWhileSendingExamples();
        figures["timeouts"] = tally.Timeouts;
        figures["hangsOver10s"] = tally.Hangs;
        figures["stored"] = stored;
        figures["operationsCovered"] = $"{tally.CoveredOperations} of {operations.Count}";
        figures["withoutKey"] = tally.WithoutKey;
        figures["withBrokenKey"] = tally.WithBrokenKey;
        figures["kinds"] = tally.Kinds();
        figures["maxLatencyMs"] = Math.Round(tally.MaxLatencyMs, 1);
        figures["p50LatencyMs"] = Math.Round(tally.LatencyPercentile(0.50), 1);
        figures["p99LatencyMs"] = Math.Round(tally.LatencyPercentile(0.99), 1);
        figures["requestsPerSecond"] = Math.Round(tally.Tried / runSeconds, 1);
        figures["concurrency"] = context.Concurrency;
        figures["pagesRendered"] = $"{pagesRendered} of {pagesTried}";
        figures["afterwards"] = afterwards;
        figures["eventsOfTheDecisionsAfterwards"] = eventsAtEnd - eventsAfter;
        figures["npgsqlProtocolErrorsInLog"] = protocolErrors.Count;
        figures["errorLogLines"] = errorLines.Count;
        figures["errorLogExamples"] = errorLines.Take(3).Select(l => CausedBy(l, generator) + Shorten(ExceptionOf(l), 200)).ToList();
        figures["rateLimits"] = "per key and anonymous 100,000 permits/s, burst 100,000: the limiter does not answer for validation";
        figures["data"] = "demo county 09181000 (Roadmap:Demo:Load) plus two subscriptions to http://127.0.0.1:9/hook, one paused";

        return new FaultResult(Scenario, failures.Count == 0, failures, figures, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Sends one request; counts its answer, its latency, or why there was none.</summary>
    private static async Task SendAsync(HttpClient client, HostileRequest request, HostileTally tally, CancellationToken cancellationToken)
    {
        using var message = request.ToMessage(client.BaseAddress!);
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            string answer;
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                answer = "(an event stream)";
            }
            else
            {
                answer = await ReadPrefixAsync(response.Content, cancellationToken);
            }

            tally.Answer(request, (int)response.StatusCode, answer, Stopwatch.GetElapsedTime(sent));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            tally.TimedOut(request, Stopwatch.GetElapsedTime(sent));
        }
        catch (HttpRequestException e)
        {
            tally.Failed(request, e, Stopwatch.GetElapsedTime(sent));
        }
    }

    /// <summary>Reads the answer (up to 2 MB, the rest is left) and keeps its first characters.</summary>
    private static async Task<string> ReadPrefixAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        var prefix = new MemoryStream();
        long read = 0;
        int n;
        while (read < 2 * 1024 * 1024 && (n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (prefix.Length < 400)
            {
                prefix.Write(buffer, 0, Math.Min(n, 400 - (int)prefix.Length));
            }

            read += n;
        }

        return Encoding.UTF8.GetString(prefix.ToArray());
    }

    private static async Task ReportProgressAsync(HostileTally tally, int total, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var done = tally.Tried;
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                await Console.Error.WriteLineAsync(
                    $"hostile: {done}/{total} requests ({100.0 * done / total:F0} %), {done / elapsed:F0}/s, 5xx {tally.ServerErrors}, " +
                    $"2xx to writes {tally.WriteSuccesses}, connection errors {tally.ConnectionErrors}, timeouts {tally.Timeouts}, {elapsed:F0} s");
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    /// <summary>
    /// The event count once nothing appends any more: the demo's roadmap is projected and its deadline alerts are
    /// recorded by the watcher (every 5 s) before the first hostile request, so they are not counted as stored.
    /// </summary>
    private static async Task<long> SettledEventCountAsync(FaultWorld world, string events, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        var count = await world.ScalarAsync($"select count(*) from {events}", cancellationToken);
        var unchangedSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline && Stopwatch.GetElapsedTime(unchangedSince) < TimeSpan.FromSeconds(7))
        {
            await Task.Delay(500, cancellationToken);
            var now = await world.ScalarAsync($"select count(*) from {events}", cancellationToken);
            if (now != count)
            {
                count = now;
                unchangedSince = Stopwatch.GetTimestamp();
            }
        }

        await Console.Error.WriteLineAsync($"hostile: {count} events before the first hostile request (settled)");
        return count;
    }

    private static async Task<List<string>> NewEventsAsync(NpgsqlDataSource dataSource, string events, long afterSeq, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"select seq_id, type, stream_id, coalesce(user_name, '') from {events} where seq_id > $1 order by seq_id limit 10");
        command.Parameters.AddWithValue(afterSeq);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add($"#{reader.GetInt64(0)} {reader.GetString(1)} on {reader.GetString(2)} by {reader.GetString(3)}");
        }

        return found;
    }

    /// <summary>GET /gemeinden and every municipality's /gemeinden/{ags}/roadmap: 200 with HTML.</summary>
    private static async Task<(int Rendered, int Tried)> CheckPagesAsync(HttpClient client, string adminKey, List<string> failures, CancellationToken cancellationToken)
    {
        var municipalities = await HostileTargets.AgsListAsync(client, adminKey, cancellationToken);
        var pages = new List<string> { "/gemeinden" };
        pages.AddRange(municipalities.Select(a => $"/gemeinden/{a}/roadmap"));
        var rendered = 0;
        foreach (var page in pages)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.Add("X-Api-Key", adminKey);
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/html"
                && body.Contains("<html", StringComparison.OrdinalIgnoreCase))
            {
                rendered++;
            }
            else
            {
                failures.Add($"page {page} does not render after the hostile requests: {(int)response.StatusCode} {Shorten(body, 200)}");
            }
        }

        return (rendered, pages.Count);
    }

    /// <summary>The service answers normally: a new municipality and a procedure are 201, /health/ready is 200.</summary>
    private static async Task<Dictionary<string, int>> CheckNormalAnswersAsync(
        HttpClient client, string adminKey, HostileTargets targets, List<string> failures, CancellationToken cancellationToken)
    {
        var answers = new Dictionary<string, int>();
        async Task ExpectAsync(string name, HttpMethod method, string url, string? json, HttpStatusCode expected)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Add("X-Api-Key", adminKey);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request, cancellationToken);
            answers[name] = (int)response.StatusCode;
            if (response.StatusCode != expected)
            {
                failures.Add($"afterwards {method} {url} answered {(int)response.StatusCode}, not {(int)expected}: " +
                    Shorten(await response.Content.ReadAsStringAsync(cancellationToken), 300));
            }
        }

        await ExpectAsync("POST /municipalities (09181999 Nachher)", HttpMethod.Post, "/municipalities",
            """{"ags":"09181999","name":"Nachher","countyAgs":"09181000"}""", HttpStatusCode.Created);
        await ExpectAsync("POST /municipalities/09181999/procedures", HttpMethod.Post, "/municipalities/09181999/procedures",
            $$"""{"category":"Einwohnermeldewesen","releaseId":"{{targets.Releases[0]}}","name":"Einwohnermeldeamt Nachher","introducedOn":"2024-01-02"}""",
            HttpStatusCode.Created);
        await ExpectAsync("GET /gemeinden/09181999/roadmap", HttpMethod.Get, "/gemeinden/09181999/roadmap", null, HttpStatusCode.OK);
        await ExpectAsync("GET /health/ready", HttpMethod.Get, "/health/ready", null, HttpStatusCode.OK);
        return answers;
    }

    [GeneratedRegex(@"\bDataRow\b|unexpected backend message", RegexOptions.IgnoreCase)]
    private static partial Regex ProtocolError();

    [GeneratedRegex("\"TraceId\":\"(?<id>[0-9a-f]{32})\"")]
    private static partial Regex TraceIdOf();

    /// <summary>"[request] " for a log line of a request the run sent (each carries its index as trace id), else "".</summary>
    private static string CausedBy(string line, HostileGenerator generator) =>
        TraceIdOf().Match(line) is { Success: true } match && HostileRequest.IndexOf(match.Groups["id"].Value) is { } index
            ? $"[request {HostileTally.Describe(generator.Build(index))}] "
            : "";

    /// <summary>The first line of the exception of a JSON log line (else its message, else the line).</summary>
    private static string ExceptionOf(string line)
    {
        try
        {
            using var entry = JsonDocument.Parse(line);
            var text = entry.RootElement.TryGetProperty("Exception", out var exception) ? exception.GetString()
                : entry.RootElement.TryGetProperty("Message", out var message) ? message.GetString() : null;
            return text?.Split('\n', 2)[0] ?? line;
        }
        catch (JsonException)
        {
            return line;
        }
    }

    internal static string Shorten(string text, int length)
    {
        var flat = new StringBuilder(Math.Min(text.Length, length + 8));
        foreach (var c in text.Length > length ? text[..length] : text)
        {
            flat.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.Length > length ? flat.Append('…').ToString() : flat.ToString();
    }
}

/// <summary>One operation of the OpenAPI document: method, path template, parameters and request body schema.</summary>
internal sealed record ApiOperation(string Method, string Template, IReadOnlyList<ApiParameter> Parameters, JsonElement? Body, bool BodyRequired, int Index)
{
    public string Name => $"{Method} {Template}";

    public bool IsRead => Method == "GET";

    public IEnumerable<ApiParameter> InPath => Parameters.Where(p => p.In == "path");

    public IEnumerable<ApiParameter> InQuery => Parameters.Where(p => p.In is "query" or "header");

    /// <summary>Every operation of the document, in its order.</summary>
    public static List<ApiOperation> ReadAll(JsonElement document)
    {
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is not ("get" or "post" or "put" or "patch" or "delete"))
                {
                    continue;
                }

                var parameters = new List<ApiParameter>();
                if (operation.Value.TryGetProperty("parameters", out var list))
                {
                    parameters.AddRange(list.EnumerateArray().Select(p => new ApiParameter(
                        p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                        p.TryGetProperty("schema", out var s) ? s.Clone() : default)));
                }

                JsonElement? body = null;
                var required = false;
                if (operation.Value.TryGetProperty("requestBody", out var requestBody))
                {
                    required = requestBody.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True;
                    if (requestBody.GetProperty("content").TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema))
                    {
                        body = schema.Clone();
                    }
                }

                operations.Add(new ApiOperation(operation.Name.ToUpperInvariant(), path.Name, parameters, body, required, operations.Count));
            }
        }

        return operations;
    }
}

/// <summary>A parameter of an operation: its name, where it goes (path, query, header) and its schema.</summary>
internal sealed record ApiParameter(string Name, string In, JsonElement Schema);

/// <summary>Who a hostile request claims to be.</summary>
internal enum HostileAuth
{
    Admin,
    None,
    BrokenKey,
}

/// <summary>One generated request: its kind (what is hostile about it), the operation, and what goes on the wire.</summary>
internal sealed record HostileRequest(
    int Index,
    string Kind,
    ApiOperation Operation,
    string PathAndQuery,
    byte[]? Body,
    string? ContentType,
    bool Chunked,
    HostileAuth Auth,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpRequestMessage ToMessage(Uri baseAddress)
    {
        var message = new HttpRequestMessage(new HttpMethod(Operation.Method), new Uri(baseAddress.ToString().TrimEnd('/') + PathAndQuery));
        if (Body is not null)
        {
            HttpContent content = Chunked ? new ChunkedContent(Body) : new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            message.Content = content;
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        // The request's index as its W3C trace id: the API's log lines carry it, so a line leads back to its request.
        message.Headers.TryAddWithoutValidation("traceparent", $"00-{TraceId(Index)}-00000000000000a1-01");
        return message;
    }

    public static string TraceId(int index) => $"ffff{index + 1:x28}";

    public static int? IndexOf(string traceId) =>
        traceId.StartsWith("ffff", StringComparison.Ordinal) && int.TryParse(traceId[4..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var n) ? n - 1 : null;

    /// <summary>
    /// Larger than the service reads (a body over its limit, a request line over Kestrel's 8 KB, a header over its 32 KB):
    /// the server may answer and close while the client is still sending, which the client sees as a dropped connection.
    /// </summary>
    public bool Oversized =>
        Body?.Length > Roadmap.Api.Infrastructure.RequestLimits.MaxBodyBytes || PathAndQuery.Length > 8 * 1024 || Headers.Any(h => h.Value.Length > 8 * 1024);

    /// <summary>The body's first characters, for a report; random bytes as hex.</summary>
    public string BodyPrefix
    {
        get
        {
            if (Body is null)
            {
                return "";
            }

            var head = Body.AsSpan(0, Math.Min(Body.Length, 160));
            try
            {
                return HostileRequests.Shorten(StrictUtf8.GetString(head), 120);
            }
            catch (DecoderFallbackException)
            {
                return $"bytes {Convert.ToHexString(head[..Math.Min(head.Length, 24)])}…";
            }
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A body sent without a length (Transfer-Encoding: chunked), so the server learns its size only by reading.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>Real ids of the demo county to aim at, and two subscriptions (one paused) made for the run.</summary>
internal sealed record HostileTargets(
    IReadOnlyList<string> Municipalities,
    IReadOnlyList<string> Vendors,
    IReadOnlyList<string> Products,
    IReadOnlyList<string> Releases,
    IReadOnlyList<string> Procedures,
    IReadOnlyList<string> Procurements,
    IReadOnlyList<string> Subscriptions,
    IReadOnlyList<string> Projections)
{
    public const string Ags = "09181118";
    public const string County = "09181000";

    public static async Task<HostileTargets> SetUpAsync(HttpClient client, string adminKey, CancellationToken cancellationToken)
    {
        var subscriptions = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var created = await SendAsync(client, adminKey, HttpMethod.Post, "/subscriptions", """{"targetUrl":"http://127.0.0.1:9/hook"}""", cancellationToken);
            subscriptions.Add(created.GetProperty("id").GetString()!);
        }

        await SendAsync(client, adminKey, HttpMethod.Post, $"/subscriptions/{subscriptions[1]}/pause", """{"reason":"paused for the hostile run"}""", cancellationToken);
        var procedures = (await ListAsync(client, adminKey, $"/municipalities/{Ags}/procedures", "procedureId", cancellationToken))
            .Concat(await ListAsync(client, adminKey, "/municipalities/09181128/procedures", "procedureId", cancellationToken)).ToList();
        var targets = new HostileTargets(
            await AgsListAsync(client, adminKey, cancellationToken),
            await ListAsync(client, adminKey, "/catalogue/vendors", "vendorId", cancellationToken),
            await ListAsync(client, adminKey, "/catalogue/products", "productId", cancellationToken),
            await ListAsync(client, adminKey, "/catalogue/releases", "releaseId", cancellationToken),
            procedures,
            await ListAsync(client, adminKey, "/procurements", "caseId", cancellationToken),
            subscriptions,
            await ListAsync(client, adminKey, "/admin/projections", "name", cancellationToken));
        if (targets.Municipalities.Count == 0 || targets.Releases.Count < 2 || targets.Procedures.Count == 0 || targets.Procurements.Count == 0
            || targets.Vendors.Count == 0 || targets.Products.Count == 0)
        {
            throw new BenchmarkFailedException("the demo county did not load: no municipalities, releases, procedures or procurement cases to aim at");
        }

        return targets;
    }

    public static Task<List<string>> AgsListAsync(HttpClient client, string adminKey, CancellationToken cancellationToken) =>
        ListAsync(client, adminKey, "/municipalities", "ags", cancellationToken);

    private static async Task<List<string>> ListAsync(HttpClient client, string adminKey, string url, string field, CancellationToken cancellationToken)
    {
        var list = await SendAsync(client, adminKey, HttpMethod.Get, url, null, cancellationToken);
        return list.EnumerateArray().Select(e => e.GetProperty(field).GetString()!).ToList();
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, string adminKey, HttpMethod method, string url, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Api-Key", adminKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchmarkFailedException($"setting up: {method} {url} answered {(int)response.StatusCode}: {HostileRequests.Shorten(body, 300)}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

/// <summary>
/// Makes the hostile requests: request <c>i</c> goes to operation <c>i mod n</c> and is drawn from a generator seeded with
/// <c>i</c>, so a run can be repeated exactly. What makes it hostile (its kind) is picked among those the operation
/// allows; reads may be sent as they are with odd parameters, a write always carries something it must refuse.
/// </summary>
internal sealed class HostileGenerator(JsonElement document, IReadOnlyList<ApiOperation> operations, HostileTargets targets, string adminKey)
{
    private const int Megabyte = 1024 * 1024;

    private readonly JsonElement _schemas = document.GetProperty("components").GetProperty("schemas");

    /// <summary>Strings no id, date, enum value, AGS, URL or code may be: traversal, injection, NUL, RTL and zero-width characters, length.</summary>
    private static readonly string[] Injections =
    [
        "../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "' or 1=1--", "'; drop table mt_events;--",
        "\" or \"\"=\"", "1; select pg_sleep(20)--", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1:9/a}", "{{7*7}}", "$(reboot)",
        "\u202egnp.exe", "\u200b", "a\u0000b", "\u0000", new string('A', 5000), "-1", "99999999999999999999", "1e309",
    ];

    private static readonly string[] Dates =
    [
        "0001-01-01", "9999-12-31", "-1", "2026-02-30", "+275760-09-13", "1989-12-31", "2101-01-01", "2026-13-01", "2026-00-10",
        "31.12.2028", "2028-12-31T00:00:00Z", "20281231", "2028-12-31\u0000", "", "' or 1=1--", "../../etc/passwd", "99999999999999999999",
    ];

    private static readonly string[] AgsValues =
    [
        "99999999", "00000000", "0918111", "091811180", "0918111\u0000", "09181118\u200b", "\u202e09181118", " 09181118", "0x181118",
        "' or 1=1--", "../../etc/passwd", "-1", "0", "", "99999999999999999999", "1e309",
    ];

    private static readonly string[] Urls =
    [
        "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:6379/_FLUSHALL", "' or 1=1--", "../../etc/passwd", "", "//",
        "ftp://example.org/x", "data:text/html,<script>alert(1)</script>", "\u0000",
    ];

    /// <summary>Subscription targets only: private, metadata and credential URLs the service must not deliver to.</summary>
    private static readonly string[] TargetUrls =
    [
        "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hook", "https://[::1]/hook", "https://localhost/hook",
        "https://user:secret@hooks.example.org/roadmap", "https://hooks.example.org/roadmap#fragment", "http://hooks.example.org/roadmap",
    ];

    /// <summary>Text no field may hold: NUL, control characters, a lone surrogate, more than 4,000 characters.</summary>
    private static readonly string[] BadTexts =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001b[31mred\\u001b[0m\"", "\"bell\\u0007\"", "\"back\\bspace\"", "\"\\u000bvertical\"",
        "\"\\u0001\\u0002\\u0003\"", "\"lone \\ud800 surrogate\"", "\"\\udc00\"", $"\"{new string('x', 4001)}\"", $"\"{new string('y', 200_000)}\"",
    ];

    private static readonly string[] BadNumbers =
    [
        "-1", "0", "-0", "1e309", "-1e309", "99999999999999999999", "79228162514264337593543950336", "0.001", "1e-30", "10000000000.01",
        "-99999999999999999999", "1E+400", "NaN", "Infinity", "0x10",
    ];

    private static readonly string[] BadBools = ["\"true\"", "1", "0", "\"yes\"", "\"\"", "tru"];

    private static readonly string[] BrokenKeys =
    [
        "rmk_", "rmk_' or 1=1--", "rmk_../../etc/passwd", "rmk_%00", "rmk_" + new string('Z', 5000), "rmk_" + new string('Q', 40_000), "not-a-key",
        "", " ",
    ];

    private static readonly string[] UnknownFields =
    [
        "\"$type\":\"System.Diagnostics.Process, System.Diagnostics.Process\"", "\"__proto__\":{\"isAdmin\":true}",
        "\"constructor\":{\"prototype\":{\"isAdmin\":true}}", "\"$where\":\"1=1\"", "\"isAdmin\":true", "\"\":\"\"",
    ];

    private static readonly string[] BodyKinds =
    [
        "broken-json", "wrong-type", "hostile-value", "missing-required", "null-required", "unknown-field", "duplicate-key", "deep-nesting",
        "huge-body", "wrong-root", "content-type", "invalid-utf8",
    ];

    public HostileRequest Build(int index)
    {
        var random = new Random(unchecked((index * 7919) + 13));
        var operation = operations[index % operations.Count];
        var kinds = KindsOf(operation);
        var kind = kinds[random.Next(kinds.Count)];
        var headers = new List<KeyValuePair<string, string>>();
        var auth = kind == "auth" || random.NextDouble() < 0.1 ? (random.Next(2) == 0 ? HostileAuth.None : HostileAuth.BrokenKey) : HostileAuth.Admin;
        switch (auth)
        {
            case HostileAuth.Admin:
                headers.Add(new("X-Api-Key", adminKey));
                break;
            case HostileAuth.BrokenKey:
                headers.Add(random.Next(6) switch
                {
                    0 => new("X-Api-Key", adminKey[..^1] + (adminKey[^1] == 'A' ? 'B' : 'A')),
                    1 => new("X-Api-Key", adminKey + "' or 1=1--"),
                    2 => new("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ."),
                    _ => new("X-Api-Key", Pick(random, BrokenKeys)),
                });
                break;
        }

        var path = BuildPath(operation, kind == "path", random);
        var query = kind switch
        {
            "query" => HostileQuery(operation, random, headers),
            "junk-query" => JunkQuery(random, headers),
            _ => "",
        };

        if (operation.Body is not { } schema)
        {
            return new HostileRequest(index, kind, operation, path + query, null, null, false, auth, headers);
        }

        // A write always carries a body it must refuse, unless its path already names nothing (then half of them are fine bodies).
        var bodyKind = BodyKinds.Contains(kind) ? kind : Pick(random, ["wrong-type", "hostile-value", "broken-json", "unknown-field"]);
        if (kind == "path" && operation.BodyRequired && random.Next(2) == 0)
        {
            return new HostileRequest(index, kind, operation, path + query, Encoding.UTF8.GetBytes(Body(schema, new Plan())), "application/json", false, auth, headers);
        }

        var (body, contentType, chunked) = HostileBody(operation, schema, bodyKind, random);
        return new HostileRequest(index, kind, operation, path + query, body, contentType, chunked, auth, headers);
    }

    /// <summary>What may be hostile about a request to the operation.</summary>
    private static List<string> KindsOf(ApiOperation operation)
    {
        var kinds = new List<string>();
        var hasPath = operation.InPath.Any();
        // A write without a body changes something when its path is real (revoke a key, delete a subscription, stop a
        // projection): only hostile paths, or no key at all.
        if (!operation.IsRead && operation.Body is null)
        {
            kinds.Add(hasPath ? "path" : "auth");
            return kinds;
        }

        if (hasPath)
        {
            kinds.Add("path");
        }

        if (operation.IsRead)
        {
            if (operation.InQuery.Any())
            {
                kinds.Add("query");
                kinds.Add("query");
            }

            kinds.Add("junk-query");
            if (!hasPath && !operation.InQuery.Any())
            {
                kinds.Add("auth");
            }

            return kinds;
        }

        kinds.AddRange(BodyKinds.Where(k => operation.BodyRequired || k is not ("missing-required" or "null-required")));
        return kinds;
    }

    private string BuildPath(ApiOperation operation, bool hostile, Random random)
    {
        var parameters = operation.InPath.ToList();
        var hostileOne = hostile ? parameters[random.Next(parameters.Count)].Name : null;
        var path = operation.Template;
        foreach (var parameter in parameters)
        {
            var value = parameter.Name == hostileOne ? HostilePathValue(operation, parameter, random) : Uri.EscapeDataString(RealPathValue(operation, parameter, random));
            path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
        }

        return path;
    }

    private string RealPathValue(ApiOperation operation, ApiParameter parameter, Random random)
    {
        var template = operation.Template;
        return parameter.Name switch
        {
            "ags" => Pick(random, targets.Municipalities),
            "countyAgs" => HostileTargets.County,
            "deliveryId" => "1",
            "name" => Pick(random, targets.Projections),
            "prefix" => "rmk_unknown",
            _ when template.StartsWith("/procedures/", StringComparison.Ordinal) => Pick(random, targets.Procedures),
            _ when template.StartsWith("/procurements/", StringComparison.Ordinal) => Pick(random, targets.Procurements),
            _ when template.StartsWith("/catalogue/releases/", StringComparison.Ordinal) => Pick(random, targets.Releases),
            _ when template.StartsWith("/catalogue/products/", StringComparison.Ordinal) => Pick(random, targets.Products),
            _ when template.StartsWith("/catalogue/vendors/", StringComparison.Ordinal) => Pick(random, targets.Vendors),
            _ when template.StartsWith("/subscriptions/", StringComparison.Ordinal) => Pick(random, targets.Subscriptions),
            _ => Pick(random, targets.Procedures),
        };
    }

    /// <summary>A path segment, as it goes on the wire, that names nothing: escaped injections, raw traversal, NUL, overlong UTF-8, length.</summary>
    private string HostilePathValue(ApiOperation operation, ApiParameter parameter, Random random)
    {
        var real = RealPathValue(operation, parameter, random);
        return random.Next(10) switch
        {
            0 => Pick(random, ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwindows", "%c0%ae%c0%ae%2fetc"]),
            1 => Pick(random, ["%00", "x%00y", Uri.EscapeDataString(real) + "%00", "%ff%fe", "%25", "%", "%e2%80%ae" + Uri.EscapeDataString(real)]),
            2 => new string('A', random.Next(2) == 0 ? 5000 : 20_000),
            3 => Pick(random, ["-1", "0", "99999999999999999999", "1e309", "-99999999999999999999", "NaN", "0x10", "1.5"]),
            4 => Pick(random, ["not-a-uuid", "00000000-0000-0000-0000-00000000000g", "{id}", "null", "undefined", "true"]),
            5 => Uri.EscapeDataString(real + "' or 1=1--"),
            _ => Uri.EscapeDataString(Pick(random, Injections)),
        };
    }

    /// <summary>One query parameter (or header parameter) of the operation with a value it must refuse; a tenth carry junk parameters too.</summary>
    private string HostileQuery(ApiOperation operation, Random random, List<KeyValuePair<string, string>> headers)
    {
        var parameters = operation.InQuery.ToList();
        var parameter = parameters[random.Next(parameters.Count)];
        var value = parameter.Name switch
        {
            "today" or "asOf" or "stand" or "heute" => Pick(random, Dates.Where(d => d.Length > 0).ToArray()),
            // Spaces around a header value are not part of it (RFC 9110): " 1" is a fine Last-Event-ID, but not a fine ?after=.
            "after" => Pick(random, ["-1", "00", " 1", "1 ", "99999999999999999999", "18446744073709551616", "1e309", "0x10", "' or 1=1--", "1.5"]),
            "Last-Event-ID" => Pick(random, ["-1", "00", "99999999999999999999", "18446744073709551616", "1e309", "0x10", "' or 1=1--", "1.5", "1 2"]),
            "limit" => Pick(random, ["-1", "0", "1001", "1e309", "99999999999999999999", "1.5", "' or 1=1--", "0x10"]),
            "wait" => Pick(random, ["61", "-1", "1e309", "99999999999999999999", "999s", "30m", "1.5", "' or 1=1--", "PT30S"]),
            "county" or "kreis" or "municipality" or "ags" => Pick(random, AgsValues.Where(a => a.Length > 0).ToArray()),
            _ => Pick(random, Injections),
        };
        if (parameter.In == "header")
        {
            headers.Add(new(parameter.Name, Ascii(value)));
            return "";
        }

        var query = $"?{parameter.Name}={Uri.EscapeDataString(value)}";
        return random.Next(10) == 0 ? query + "&" + JunkQuery(random, headers)[1..] : query;
    }

    /// <summary>Parameters the operation does not have, and odd headers: a read may answer them normally.</summary>
    private static string JunkQuery(Random random, List<KeyValuePair<string, string>> headers)
    {
        headers.Add(random.Next(4) switch
        {
            0 => new("Accept", "application/xml"),
            1 => new("If-None-Match", "\"' or 1=1--\""),
            2 => new("Range", "bytes=-1"),
            _ => new("Accept-Language", "de;q=' or 1=1--"),
        });
        return Pick(random,
        [
            "?$where=1%3D1", "?__proto__%5BisAdmin%5D=true", "?id=%27%20or%201%3D1--", "?q=" + new string('q', 6000), "?%00=%00", "?a=1&a=2&a=3",
            "?filter=..%2F..%2Fetc%2Fpasswd", "?today", "?limit=1e309&after=-1",
        ]);
    }

    /// <summary>A body the operation must refuse, its content type, and whether it goes chunked.</summary>
    private (byte[] Body, string? ContentType, bool Chunked) HostileBody(ApiOperation operation, JsonElement schema, string kind, Random random)
    {
        const string json = "application/json";
        var slots = Slots(schema).ToList();
        var valid = Body(schema, new Plan());
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        switch (kind)
        {
            case "broken-json":
                return (Utf8(Pick(random,
                [
                    valid[..^1], valid[..Math.Max(1, valid.Length / 2)], valid[..^1] + ",}", valid + ",", "{\"a\":}", "{,}", "{", "}", "{'a':'b'}",
                    "{a:1}", "{\"a\":\"unterminated", "/* comment */" + valid, valid + " garbage", valid + valid, "{\"a\":NaN}", "[1,2,]",
                    "{\"a\":1,,\"b\":2}", "\uFEFF{\"a\":}", "{\"a\":\"x\u0001y\"}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":+1}", "{\"\\u00\":1}",
                ])), json, false);
            case "wrong-type" when slots.Count > 0:
            {
                var slot = Pick(random, slots);
                return (Utf8(Body(schema, new Plan().Set(slot.Path, Pick(random, WrongTypes(slot))))), json, false);
            }
            case "hostile-value" when slots.Count > 0:
            {
                var slot = Pick(random, slots);
                return (Utf8(Body(schema, new Plan().Set(slot.Path, HostileValue(slot, random)))), json, false);
            }
            case "missing-required" when slots.Any(s => s.Required):
                return (Utf8(Body(schema, new Plan().Set(Pick(random, slots.Where(s => s.Required).ToList()).Path, null))), json, false);
            case "null-required" when slots.Any(s => s.Required && !s.Nullable):
                return (Utf8(Body(schema, new Plan().Set(Pick(random, slots.Where(s => s.Required && !s.Nullable).ToList()).Path, "null"))), json, false);
            case "unknown-field":
                return (Utf8(Body(schema, new Plan { Extra = Pick(random, UnknownFields) })), json, false);
            case "duplicate-key" when slots.Any(s => !s.Path.Contains('.') && !s.Path.Contains('[')):
            {
                // The same name twice, both values refused, so neither "first wins" nor "last wins" can make it valid.
                var slot = Pick(random, slots.Where(s => !s.Path.Contains('.') && !s.Path.Contains('[')).ToList());
                var plan = new Plan().Set(slot.Path, HostileValue(slot, random));
                plan.Duplicates[slot.Path] = Pick(random, WrongTypes(slot));
                return (Utf8(Body(schema, plan)), json, false);
            }
            case "deep-nesting":
            {
                var depth = random.Next(2) == 0 ? 10_000 : 100_000;
                var nested = random.Next(3) switch
                {
                    0 => new string('[', depth) + new string(']', depth),
                    1 => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
                    _ => slots.Count == 0
                        ? new string('[', depth)
                        : Body(schema, new Plan().Set(Pick(random, slots).Path, new string('[', depth) + new string(']', depth))),
                };
                return (Utf8(nested), json, false);
            }
            case "huge-body":
                return random.Next(5) switch
                {
                    0 => (Junk(random, Megabyte), json, false),
                    1 => (Junk(random, Megabyte), json, true),
                    2 => (Utf8(Body(schema, TextPlan(slots, random, $"\"{new string('x', Megabyte)}\""))), json, false),
                    3 => (Utf8("[" + string.Join(",", Enumerable.Repeat("1e309", Megabyte / 6)) + "]"), json, true),
                    _ => (Utf8(Body(schema, TextPlan(slots, random, $"\"{new string('z', 300 * 1024)}\""))), json, true),
                };
            case "wrong-root":
                var roots = new List<string> { "[]", "\"string\"", "123", "true", "[{}]", "[" + valid + "]", "\"" + valid.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" };
                if (operation.BodyRequired)
                {
                    roots.AddRange(["null", "", " "]);
                    if (slots.Any(s => s.Required))
                    {
                        roots.Add("{}");
                    }
                }

                return (Utf8(Pick(random, roots)), json, false);
            case "content-type":
            {
                var refused = slots.Count > 0 ? Body(schema, new Plan().Set(Pick(random, slots).Path, "[[[]]]")) : "{\"a\":}";
                return random.Next(8) switch
                {
                    0 => (Utf8(refused), "text/plain", false),
                    1 => (Utf8("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r><ags>&x;</ags></r>"), "application/xml", false),
                    2 => (Utf8("--b\r\nContent-Disposition: form-data; name=\"ags\"\r\n\r\n' or 1=1--\r\n--b--\r\n"), "multipart/form-data; boundary=b", false),
                    3 => (Utf8("ags=%27+or+1%3D1--&name=%00"), "application/x-www-form-urlencoded", false),
                    4 => (Utf8(refused), null, false),
                    5 => (Encoding.Unicode.GetBytes(refused), "application/json; charset=utf-16", false),
                    6 => (Utf8(refused), "application/json; charset=ebcdic", false),
                    _ => (Utf8(refused), Pick(random, ["*/*", "application/octet-stream", "application/json-patch+json", "text/json", "application/problem+json"]), false),
                };
            }
            case "invalid-utf8":
            {
                var text = slots.Count > 0 ? Body(schema, TextPlan(slots, random, "\"\u0001MARK\u0001\"")) : "{\"a\":\"\u0001MARK\u0001\"}";
                var bytes = Utf8(text).ToList();
                var at = IndexOf(bytes, Utf8("\u0001MARK\u0001"));
                bytes.RemoveRange(at, 6);
                bytes.InsertRange(at, Pick(random, new byte[][] { [0xC3, 0x28], [0xFF, 0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x00] }));
                return ([.. bytes], json, false);
            }
            default:
                // The operation has no slot for the kind (a body without required fields): broken JSON instead.
                return (Utf8(Pick(random, ["{\"reason\":1}", "{\"reason\":\"\\u0000\"}", "{\"reason\":[]}", "{\"a\":}", "{"])), json, false);
        }
    }

    private static int IndexOf(List<byte> bytes, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= bytes.Count; i++)
        {
            if (!pattern.Where((b, j) => bytes[i + j] != b).Any())
            {
                return i;
            }
        }

        throw new InvalidOperationException("marker not found");
    }

    /// <summary>A plan that puts <paramref name="raw"/> into a text field if the body has one, else into any string field.</summary>
    private static Plan TextPlan(List<Slot> slots, Random random, string raw)
    {
        var strings = slots.Where(s => s.Type == "string").ToList();
        var texts = strings.Where(s => s.Kind == FieldKind.Text).ToList();
        var chosen = texts.Count > 0 ? Pick(random, texts) : strings.Count > 0 ? Pick(random, strings) : null;
        return chosen is null ? new Plan { Extra = $"\"junk\":{raw}" } : new Plan().Set(chosen.Path, raw);
    }

    private static byte[] Junk(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Values of another JSON type than the field's; null only where the field may not be null.</summary>
    private static string[] WrongTypes(Slot slot)
    {
        string[] values = slot.Type switch
        {
            "string" => ["123", "-1", "true", "[]", "{}", "[\"x\"]", "1e309", "{\"$ref\":\"#\"}"],
            "number" or "integer" => ["\"1000\"", "true", "[]", "{}", "\"\"", "[1000]"],
            "boolean" => ["\"true\"", "1", "[]", "{}", "\"\""],
            "array" => ["{}", "\"x\"", "1", "true", "[[[]]]"],
            _ => ["[]", "\"x\"", "1", "true"],
        };
        return slot.Required && !slot.Nullable ? [.. values, "null"] : values;
    }

    /// <summary>A value of the field's JSON type that the field must refuse.</summary>
    private static string HostileValue(Slot slot, Random random)
    {
        static string Quote(string text) => JsonSerializer.Serialize(text);
        return slot.Kind switch
        {
            FieldKind.Text => Pick(random, BadTexts),
            FieldKind.Date => Quote(Pick(random, Dates)),
            FieldKind.Ags => Quote(Pick(random, AgsValues)),
            FieldKind.Url => Quote(Pick(random, slot.Name == "targetUrl" ? [.. Urls, .. TargetUrls] : Urls)),
            FieldKind.Id or FieldKind.Enum or FieldKind.Code => Quote(random.Next(4) == 0
                ? Pick(random, ["not-a-uuid", "00000000-0000-0000-0000-00000000000g", "Nonexistent", "", "NULL", "undefined"])
                : Pick(random, Injections)),
            FieldKind.Number => Pick(random, BadNumbers),
            FieldKind.Bool => Pick(random, BadBools),
            FieldKind.List => Pick(random, ["[null]", "[" + string.Join(",", Enumerable.Repeat("\"' or 1=1--\"", 2000)) + "]", "[[\"x\"]]", "[{}]"]),
            _ => Pick(random, WrongTypes(slot)),
        };
    }

    /// <summary>What a field holds, as far as its name and schema tell; decides which hostile values it must refuse.</summary>
    private enum FieldKind
    {
        Text,
        Id,
        Date,
        Enum,
        Ags,
        Url,
        Code,
        Number,
        Bool,
        List,
        Object,
    }

    /// <summary>A field of a body (also inside lists: "shares[0].netValue"), with what it holds.</summary>
    private sealed record Slot(string Path, string Name, string Type, FieldKind Kind, bool Required, bool Nullable);

    /// <summary>What to change in a valid body: fields replaced (null: left out), a field twice, a field the request does not have.</summary>
    private sealed class Plan
    {
        public Dictionary<string, string?> Edits { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Duplicates { get; } = new(StringComparer.Ordinal);

        public string? Extra { get; init; }

        public Plan Set(string path, string? raw)
        {
            Edits[path] = raw;
            return this;
        }

        public bool Touches(string path) => Edits.Keys.Concat(Duplicates.Keys).Any(k =>
            k.StartsWith(path + ".", StringComparison.Ordinal) || k.StartsWith(path + "[", StringComparison.Ordinal));
    }

    private IEnumerable<Slot> Slots(JsonElement schema, string path = "")
    {
        var resolved = Resolve(schema, out _);
        if (!resolved.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        var required = Required(resolved);
        foreach (var property in properties.EnumerateObject())
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var value = Resolve(property.Value, out var nullable);
            var type = TypeOf(value);
            yield return new Slot(at, property.Name, type, KindOf(property.Name, value, type), required.Contains(property.Name), nullable);
            if (type == "object")
            {
                foreach (var inner in Slots(value, at))
                {
                    yield return inner;
                }
            }
            else if (type == "array" && value.TryGetProperty("items", out var items))
            {
                var item = Resolve(items, out var itemNullable);
                var itemType = TypeOf(item);
                // Not "required": without its entry a list is empty, which an optional list may well be.
                yield return new Slot($"{at}[0]", property.Name, itemType, KindOf(property.Name, item, itemType), false, itemNullable);
                if (itemType == "object")
                {
                    foreach (var inner in Slots(item, $"{at}[0]"))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    /// <summary>The body as raw JSON: the required fields with valid values (real ids), changed as the plan says.</summary>
    private string Body(JsonElement schema, Plan plan, string path = "")
    {
        var resolved = Resolve(schema, out _);
        var parts = new List<string>();
        if (resolved.TryGetProperty("properties", out var properties))
        {
            var required = Required(resolved);
            foreach (var property in properties.EnumerateObject())
            {
                var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                string? raw;
                if (plan.Edits.TryGetValue(at, out var edit))
                {
                    raw = edit;
                }
                else if (required.Contains(property.Name) || plan.Touches(at))
                {
                    raw = Valid(property.Name, property.Value, at, plan);
                }
                else
                {
                    continue;
                }

                if (raw is null)
                {
                    continue;
                }

                parts.Add($"{JsonSerializer.Serialize(property.Name)}:{raw}");
                if (plan.Duplicates.TryGetValue(at, out var duplicate))
                {
                    parts.Add($"{JsonSerializer.Serialize(property.Name)}:{duplicate}");
                }
            }
        }

        if (path.Length == 0 && plan.Extra is { } extra)
        {
            parts.Add(extra);
        }

        return "{" + string.Join(",", parts) + "}";
    }

    /// <summary>A value the field accepts: real ids of the demo county, a date in the service's window, the first enum value.</summary>
    private string Valid(string name, JsonElement schema, string path, Plan plan)
    {
        var value = Resolve(schema, out _);
        var type = TypeOf(value);
        switch (type)
        {
            case "object":
                return Body(value, plan, path);
            case "array":
                var item = value.TryGetProperty("items", out var items) ? items : default;
                var itemPath = $"{path}[0]";
                var entry = plan.Edits.TryGetValue(itemPath, out var edit) ? edit : Valid(name, item, itemPath, plan);
                return entry is null ? "[]" : $"[{entry}]";
            case "number" or "integer":
                return "1000";
            case "boolean":
                return "true";
        }

        return JsonSerializer.Serialize(KindOf(name, value, type) switch
        {
            FieldKind.Ags => name is "countyAgs" or "county" ? HostileTargets.County : name == "land" ? "09" : HostileTargets.Ags,
            FieldKind.Date => "2027-06-30",
            FieldKind.Url => "https://hooks.example.org/roadmap",
            FieldKind.Code => name == "role" ? "admin" : "de.roadmap.release.deprecation-announced.v1",
            FieldKind.Enum => value.GetProperty("enum").EnumerateArray().First(e => e.ValueKind == JsonValueKind.String).GetString(),
            FieldKind.Id => name switch
            {
                "successorReleaseId" => targets.Releases[1],
                _ when name.Contains("release", StringComparison.OrdinalIgnoreCase) => targets.Releases[0],
                _ when name.Contains("product", StringComparison.OrdinalIgnoreCase) => targets.Products[0],
                _ when name.Contains("vendor", StringComparison.OrdinalIgnoreCase) => targets.Vendors[0],
                _ => targets.Procedures[0],
            },
            _ => "Hostile test",
        });
    }

    private static FieldKind KindOf(string name, JsonElement schema, string type)
    {
        if (type is "number" or "integer")
        {
            return FieldKind.Number;
        }

        if (type is "boolean" or "array" or "object")
        {
            return type switch { "boolean" => FieldKind.Bool, "array" => FieldKind.List, _ => FieldKind.Object };
        }

        var format = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        return name switch
        {
            _ when schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out _) => FieldKind.Enum,
            _ when format == "uuid" => FieldKind.Id,
            _ when format == "date" => FieldKind.Date,
            "generalAvailability" or "endOfSales" or "endOfSecuritySupport" or "endOfLife" or "announcedOn" => FieldKind.Date,
            "ags" or "countyAgs" or "leadAgs" or "county" or "land" or "municipalities" => FieldKind.Ags,
            "targetUrl" or "website" => FieldKind.Url,
            "role" or "eventTypes" => FieldKind.Code,
            _ => FieldKind.Text,
        };
    }

    /// <summary>Follows $ref and unwraps "oneOf: [null, X]"; tells whether null is allowed.</summary>
    private JsonElement Resolve(JsonElement schema, out bool nullable)
    {
        nullable = false;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return schema;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            return Resolve(_schemas.GetProperty(name), out nullable);
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var options = oneOf.EnumerateArray().ToList();
            var other = options.FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
            var resolved = Resolve(other, out _);
            nullable = options.Count > 1 || nullable;
            return resolved;
        }

        if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
        {
            nullable = type.EnumerateArray().Any(t => t.GetString() == "null");
        }

        if (schema.TryGetProperty("enum", out var values) && values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Null))
        {
            nullable = true;
        }

        return schema;
    }

    private static string TypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "string";
        }

        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString()!;
            }

            return type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "string";
        }

        return schema.TryGetProperty("properties", out _) ? "object" : "string";
    }

    private static HashSet<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal) : [];

    private static string Ascii(string value) => new(value.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];
}

/// <summary>What the hostile requests got, counted from the concurrent workers: statuses, latencies, examples of what went wrong.</summary>
internal sealed class HostileTally(int operationCount)
{
    private const int Examples = 10;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, int> _statuses = [];
    private readonly Dictionary<string, int> _kinds = new(StringComparer.Ordinal);
    private readonly bool[] _covered = new bool[operationCount];
    private readonly List<double> _latencies = [];
    private readonly List<string> _serverErrors = [];
    private readonly List<string> _writeSuccesses = [];
    private readonly List<string> _readSuccesses = [];
    private readonly List<string> _oddReadSuccesses = [];
    private readonly Dictionary<string, int> _readSuccessKinds = new(StringComparer.Ordinal);
    private readonly List<string> _connectionErrors = [];
    private readonly List<string> _closedWhileSending = [];
    private readonly List<string> _timeouts = [];
    private readonly List<string> _hangs = [];
    private int _tried;

    public int Tried => Volatile.Read(ref _tried);

    public int Answered { get; private set; }

    public int ServerErrors { get; private set; }

    public int WriteSuccesses { get; private set; }

    public int ReadSuccesses { get; private set; }

    public int ConnectionErrors { get; private set; }

    /// <summary>Oversized requests whose connection the server closed while they were still being sent (not counted as connection errors).</summary>
    public int ClosedWhileSending { get; private set; }

    public int Timeouts { get; private set; }

    public int Hangs { get; private set; }

    public int WithoutKey { get; private set; }

    public int WithBrokenKey { get; private set; }

    public double MaxLatencyMs { get; private set; }

    public int CoveredOperations
    {
        get
        {
            lock (_lock)
            {
                return _covered.Count(c => c);
            }
        }
    }

    public void Answer(HostileRequest request, int status, string answer, TimeSpan latency)
    {
        lock (_lock)
        {
            Count(request, latency);
            Answered++;
            _covered[request.Operation.Index] = true;
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            var example = $"{Describe(request)} -> {status} {HostileRequests.Shorten(answer, 200)}";
            if (status >= 500)
            {
                ServerErrors++;
                Keep(_serverErrors, example);
            }
            else if (status is >= 200 and < 300)
            {
                if (request.Operation.IsRead)
                {
                    // Junk parameters a read does not have, and reads open to anyone, may well be answered; a hostile
                    // value of a parameter it has is worth a look.
                    ReadSuccesses++;
                    _readSuccessKinds[request.Kind] = _readSuccessKinds.GetValueOrDefault(request.Kind) + 1;
                    Keep(request.Kind is "junk-query" or "auth" ? _readSuccesses : _oddReadSuccesses,
                        $"{request.Kind}, key {request.Auth.ToString().ToLowerInvariant()}: {request.Operation.Method} {HostileRequests.Shorten(request.PathAndQuery, 120)} -> {status}");
                }
                else
                {
                    WriteSuccesses++;
                    Keep(_writeSuccesses, example);
                }
            }
        }
    }

    public void TimedOut(HostileRequest request, TimeSpan latency)
    {
        lock (_lock)
        {
            Count(request, latency);
            Timeouts++;
            Keep(_timeouts, Describe(request));
        }
    }

    public void Failed(HostileRequest request, HttpRequestException exception, TimeSpan latency)
    {
        lock (_lock)
        {
            Count(request, latency);
            var example = $"{Describe(request)} -> {exception.Message}{(exception.InnerException is { } inner ? $" ({inner.Message})" : "")}";
            if (request.Oversized)
            {
                ClosedWhileSending++;
                Keep(_closedWhileSending, example);
            }
            else
            {
                ConnectionErrors++;
                Keep(_connectionErrors, example);
            }
        }
    }

    private void Count(HostileRequest request, TimeSpan latency)
    {
        Interlocked.Increment(ref _tried);
        _kinds[request.Kind] = _kinds.GetValueOrDefault(request.Kind) + 1;
        WithoutKey += request.Auth == HostileAuth.None ? 1 : 0;
        WithBrokenKey += request.Auth == HostileAuth.BrokenKey ? 1 : 0;
        var ms = latency.TotalMilliseconds;
        _latencies.Add(ms);
        MaxLatencyMs = Math.Max(MaxLatencyMs, ms);
        if (latency > HostileRequests.HangAfter)
        {
            Hangs++;
            Keep(_hangs, $"{Describe(request)} took {ms:F0} ms");
        }
    }

    private static void Keep(List<string> examples, string example)
    {
        if (examples.Count < Examples)
        {
            examples.Add(example);
        }
    }

    public static string Describe(HostileRequest request) =>
        $"#{request.Index} [{request.Kind}, key {request.Auth.ToString().ToLowerInvariant()}] {request.Operation.Method} {HostileRequests.Shorten(request.PathAndQuery, 160)}" +
        $" ({request.ContentType ?? "no content type"}{(request.Chunked ? ", chunked" : "")}, {request.Body?.Length ?? 0} bytes: {request.BodyPrefix})";

    /// <summary>Adds what went wrong to <paramref name="failures"/>: 5xx, 2xx to writes, connection errors, timeouts, hangs.</summary>
    public void Report(List<string> failures)
    {
        lock (_lock)
        {
            failures.AddRange(_serverErrors.Select(e => $"5xx: {e}"));
            failures.AddRange(_writeSuccesses.Select(e => $"2xx to a hostile write: {e}"));
            failures.AddRange(_connectionErrors.Select(e => $"no answer: {e}"));
            failures.AddRange(_timeouts.Select(e => $"timed out after 30 s: {e}"));
            failures.AddRange(_hangs.Select(e => $"hang: {e}"));
            if (_covered.Any(c => !c))
            {
                failures.Add($"operations without an answered request: {_covered.Count(c => !c)}");
            }
        }
    }

    public Dictionary<string, int> Classes()
    {
        lock (_lock)
        {
            return _statuses.GroupBy(s => $"{s.Key / 100}xx").OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);
        }
    }

    public Dictionary<string, int> Statuses()
    {
        lock (_lock)
        {
            return _statuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value, StringComparer.Ordinal);
        }
    }

    public Dictionary<string, int> Kinds()
    {
        lock (_lock)
        {
            return _kinds.OrderByDescending(k => k.Value).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>Reads answered 2xx: first those with a hostile value of one of their own parameters, then junk ones.</summary>
    public List<string> ReadSuccessExamples()
    {
        lock (_lock)
        {
            return [.. _oddReadSuccesses, .. _readSuccesses.Take(Math.Max(0, Examples - _oddReadSuccesses.Count))];
        }
    }

    public Dictionary<string, int> ReadSuccessKinds()
    {
        lock (_lock)
        {
            return _readSuccessKinds.OrderByDescending(k => k.Value).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        }
    }

    public List<string> ClosedWhileSendingExamples()
    {
        lock (_lock)
        {
            return [.. _closedWhileSending];
        }
    }

    public double LatencyPercentile(double p)
    {
        lock (_lock)
        {
            if (_latencies.Count == 0)
            {
                return 0;
            }

            var sorted = _latencies.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        }
    }
}

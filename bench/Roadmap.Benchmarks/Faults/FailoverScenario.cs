using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Roadmap.Benchmarks.Faults;

/// <summary>
/// <c>failover</c> (issue 13 point 14): two nodes on one schema, a webhook subscription, writers and end-of-support
/// changes (each an integration event) through the node that will survive. Each async projection must run on exactly
/// one node; the node running them is killed (SIGKILL); the survivor must hold every projection and deliver events
/// appended after the kill within 10 s. Every end-of-support change must be delivered; a webhook-id may come twice only if
/// its first delivery was before the kill (the documented at-least-once repeat of a crash); the roadmaps show every
/// acknowledged procedure exactly once.
/// </summary>
internal static class FailoverScenario
{
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(10);

    private const string EndOfSupportChanged = "de.roadmap.release.end-of-support-changed.v1";

    public static async Task<FaultResult> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var report = new FaultReport("failover");
        await using var world = await FaultWorld.CreateAsync(context, cancellationToken);
        var a = await world.StartNodeAsync("api-a", cancellationToken);
        var b = await world.StartNodeAsync("api-b", cancellationToken);
        using var clientA = world.Client(a);
        using var clientB = world.Client(b);
        await world.SetUpAsync(clientA, cancellationToken);
        // The end-of-support changes go to a release no procedure runs, so they cause no deadline reviews; the
        // subscription takes exactly those.
        var product = await FaultWorld.CreatedAsync(clientA, "/catalogue/products", new { vendorId = world.VendorId, name = "Lech-Kasse", category = "Finanzwesen" }, cancellationToken);
        var release = Guid.Parse(await FaultWorld.CreatedAsync(clientA, "/catalogue/releases", new { productId = product, version = "2.0", endOfSecuritySupport = "2035-06-30" }, cancellationToken));
        await using var receiver = FaultReceiver.Start();
        await FaultWorld.CreatedAsync(clientA, "/subscriptions", new { targetUrl = receiver.Url, eventTypes = new[] { EndOfSupportChanged } }, cancellationToken);

        // Exactly one node runs each projection.
        var holders = await HoldersAsync(a, b, clientA, clientB, cancellationToken);
        report.Check(holders.Count > 0 && holders.Values.All(h => h.Count == 1),
            $"projections and the nodes that say they run them: {string.Join("; ", holders.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"))}");
        var holder = holders.Values.SelectMany(h => h).FirstOrDefault() == "api-a" ? a : b;
        var survivor = holder == a ? b : a;
        var survivorClient = survivor == a ? clientA : clientB;
        await Console.Error.WriteLineAsync($"faults: failover: {(holder == a ? "api-a" : "api-b")} runs the projections; it will be killed");

        var load = new WriteLoad(() => survivorClient, world.ReleaseId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = load.RunAsync(2, stop.Token);
        var changes = new ConcurrentQueue<(Guid EventId, long AnsweredAt)>();
        var changing = Task.Run(() => ChangeEndOfSupportAsync(survivorClient, release, changes, stop.Token), CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await holder.KillAsync();
        var killedAt = Stopwatch.GetTimestamp();

        // The survivor takes every projection over, and delivers what was appended after the kill.
        double? takeoverSeconds = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var statuses = await FaultWorld.ProjectionsAsync(survivorClient, cancellationToken);
            if (statuses.All(s => s.GetProperty("runningOn").GetString() == FaultWorld.NodeName(survivor)))
            {
                takeoverSeconds = Stopwatch.GetElapsedTime(killedAt).TotalSeconds;
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        double? firstDeliverySeconds = null;
        deadline.Restart();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var appendedAfter = changes.Where(c => c.AnsweredAt > killedAt).Select(c => c.EventId.ToString()).ToHashSet();
            var first = receiver.Received.Where(r => appendedAfter.Contains(r.WebhookId)).Select(r => (long?)r.At).Min();
            if (first is { } at)
            {
                firstDeliverySeconds = Stopwatch.GetElapsedTime(killedAt, at).TotalSeconds;
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await stop.CancelAsync();
        await Task.WhenAll(writing, changing);

        report.Check(takeoverSeconds is { } t && t <= Takeover.TotalSeconds, $"the survivor held every projection after {Show(takeoverSeconds)} s (at most {Takeover.TotalSeconds} s)");
        report.Check(firstDeliverySeconds is { } d && d <= Takeover.TotalSeconds, $"the first event appended after the kill was delivered {Show(firstDeliverySeconds)} s after it (at most {Takeover.TotalSeconds} s)");

        // Every integration event is delivered; repeats only of deliveries in flight at the kill.
        var expected = await IntegrationEventIdsAsync(world, cancellationToken);
        deadline.Restart();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !expected.IsSubsetOf(receiver.Received.Select(r => r.WebhookId)))
        {
            await Task.Delay(200, cancellationToken);
            expected = await IntegrationEventIdsAsync(world, cancellationToken);
        }

        var received = receiver.Received;
        var undelivered = expected.Except(received.Select(r => r.WebhookId)).Count();
        report.Check(undelivered == 0, $"{undelivered} of {expected.Count} integration events were not delivered within 60 s");
        var repeats = received.GroupBy(r => r.WebhookId).Where(g => g.Count() > 1).ToList();
        var repeatsAfterKill = repeats.Count(g => g.Min(r => r.At) > killedAt);
        report.Check(repeatsAfterKill == 0, $"{repeatsAfterKill} webhook-ids first delivered after the kill came again (no fault explains them)");
        var repeatsBeforeKill = repeats.Count(g => g.OrderBy(r => r.At).ElementAt(1).At < killedAt);
        report.Check(repeatsBeforeKill == 0, $"{repeatsBeforeKill} webhook-ids came twice while both nodes ran (two senders for one subscription?)");

        var acknowledged = load.Acknowledged.ToList();
        var eventIds = acknowledged.SelectMany(x => x.EventIds).Concat(changes.Select(c => c.EventId)).ToList();
        var stored = await world.CountStoredAsync(eventIds, cancellationToken);
        report.Check(stored == eventIds.Count, $"{eventIds.Count - stored} of {eventIds.Count} acknowledged events are not in the log");
        report.Check(await FaultWorld.WaitForCatchUpAsync(survivorClient, TimeSpan.FromSeconds(60), cancellationToken), "the projections did not catch up within 60 s");
        var shown = await FaultWorld.RoadmapProceduresAsync(survivorClient, cancellationToken);
        report.Check(!acknowledged.Select(x => x.ProcedureId).Except(shown).Any(), "acknowledged procedures are missing from the roadmaps");
        report.Check(shown.Count == shown.Distinct().Count(), $"{shown.Count - shown.Distinct().Count()} procedures are shown twice");

        report.Figures["projections"] = holders.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        report.Figures["takeoverSeconds"] = Show(takeoverSeconds);
        report.Figures["firstDeliveryAfterKillSeconds"] = Show(firstDeliverySeconds);
        report.Figures["integrationEvents"] = expected.Count;
        report.Figures["deliveries"] = received.Count;
        report.Figures["repeatedWebhookIds"] = repeats.Count;
        report.Figures["acknowledgedWrites"] = acknowledged.Count + changes.Count;
        return report.Result();
    }

    private static string Show(double? seconds) => seconds is { } s ? Math.Round(s, 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "never";

    /// <summary>Per projection, the nodes that say they run it; waits until each projection is held (up to 30 s).</summary>
    private static async Task<Dictionary<string, List<string>>> HoldersAsync(
        ApiProcess a, ApiProcess b, HttpClient clientA, HttpClient clientB, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        Dictionary<string, List<string>> holders = [];
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            holders = [];
            foreach (var (name, node, client) in new[] { ("api-a", a, clientA), ("api-b", b, clientB) })
            {
                foreach (var status in await FaultWorld.ProjectionsAsync(client, cancellationToken))
                {
                    var projection = status.GetProperty("name").GetString()!;
                    if (!holders.TryGetValue(projection, out var list))
                    {
                        holders[projection] = list = [];
                    }

                    if (status.GetProperty("runningOn").GetString() == FaultWorld.NodeName(node))
                    {
                        list.Add(name);
                    }
                }
            }

            if (holders.Count > 0 && holders.Values.All(h => h.Count > 0))
            {
                break;
            }

            await Task.Delay(200, cancellationToken);
        }

        return holders;
    }

    /// <summary>Moves the release's end of security support one day on, every 100 ms: each move is an integration event.</summary>
    private static async Task ChangeEndOfSupportAsync(HttpClient client, Guid releaseId, ConcurrentQueue<(Guid, long)> changes, CancellationToken stop)
    {
        var day = new DateOnly(2035, 7, 1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.PostAsJsonAsync(
                    $"/catalogue/releases/{releaseId}/end-of-support",
                    new { reason = "Herstellerankündigung", endOfSecuritySupport = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
                    CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                    foreach (var e in body.GetProperty("events").EnumerateArray())
                    {
                        changes.Enqueue((e.GetProperty("eventId").GetGuid(), Stopwatch.GetTimestamp()));
                    }
                }
            }
            catch (HttpRequestException)
            {
            }

            day = day.AddDays(1);
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task<HashSet<string>> IntegrationEventIdsAsync(FaultWorld world, CancellationToken cancellationToken)
    {
        await using var command = world.DataSource.CreateCommand(
            $"""
            select id::text from "{world.Schema}".mt_events
             where type = 'release.end-of-support-changed'
            """);
        var ids = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}

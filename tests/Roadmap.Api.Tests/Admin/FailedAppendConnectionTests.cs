using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Roadmap.Api.Tests.Admin;

/// <summary>
/// A node with a pool of sixteen connections (the daemon, Wolverine and the listeners hold about half), so the
/// physical connections of failed appends pass from request to request; and a log that keeps every warning and error.
/// </summary>
public sealed class SmallPoolFactory : RoadmapApiFactory
{
    public ConcurrentQueue<string> Problems { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ConnectionStrings:Roadmap", $"{ConnectionString};Maximum Pool Size=16");
    }

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(new ProblemLog(Problems));

    private sealed class ProblemLog(ConcurrentQueue<string> problems) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, problems);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> problems) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    problems.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}

/// <summary>
/// Issue 13 point 9: "Received unexpected backend message DataRow" was seen three times under concurrent hostile input,
/// a pooled connection left out of step with its reader. Here appends fail in every way a decision can fail (two
/// registrations of one municipality racing to create its stream, If-Match on a moved stream, an Idempotency-Key
/// reused for another body, a release that does not exist, a caller that gives up while its decision is in the
/// database) while valid decisions and reads share a pool of sixteen
/// connections: every answer must be a 2xx, a 4xx or (the pool busy) a 503, the log must not show a connection out of step, and every pooled
/// connection must serve afterwards.
/// </summary>
public sealed class FailedAppendConnectionTests(SmallPoolFactory factory) : IClassFixture<SmallPoolFactory>
{
    [Fact]
    public async Task Failed_appends_leave_their_pooled_connections_usable()
    {
        var client = factory.CreateClient();
        var first = await client.PostAsJsonAsync("/municipalities", new { ags = "09181118", name = "Kaufering", countyAgs = "09181000" });
        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var statuses = new ConcurrentDictionary<int, int>();
        var next = 200;

        async Task Send(Func<HttpRequestMessage> request)
        {
            using var message = request();
            using var response = await client.SendAsync(message);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        }

        // A caller that gives up (closes the connection) while its decision is in the database: the request is aborted
        // at any point of the append, and its connection goes back to the pool.
        async Task Abandon(Func<HttpRequestMessage> request, int afterMs)
        {
            using var message = request();
            using var giveUp = new CancellationTokenSource(afterMs);
            try
            {
                using var response = await client.SendAsync(message, giveUp.Token);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
            catch (OperationCanceledException)
            {
            }
        }

        var work = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var ags = $"09181{Interlocked.Increment(ref next) / 2:D3}"; // two workers race to create each municipality
                await Send(() => new HttpRequestMessage(HttpMethod.Post, "/municipalities")
                {
                    Content = JsonContent.Create(new { ags, name = $"Gemeinde {ags}", countyAgs = "09181000" }),
                });
                await Send(() =>
                {
                    var rename = new HttpRequestMessage(HttpMethod.Post, "/municipalities/09181118/name")
                    {
                        Content = JsonContent.Create(new { name = $"Kaufering {worker}-{i}" }),
                    };
                    rename.Headers.TryAddWithoutValidation("If-Match", $"\"{1 + i % 4}\"");
                    return rename;
                });
                await Send(() =>
                {
                    var reused = new HttpRequestMessage(HttpMethod.Post, "/catalogue/vendors")
                    {
                        Content = JsonContent.Create(new { name = $"Hersteller {worker}" }),
                    };
                    reused.Headers.Add("Idempotency-Key", $"shared-{i}");
                    return reused;
                });
                await Send(() => new HttpRequestMessage(HttpMethod.Post, "/municipalities/09181118/procedures")
                {
                    Content = JsonContent.Create(new { category = "Gewerbe", releaseId = Guid.NewGuid(), name = "Gewerbeamt", introducedOn = "2018-01-01" }),
                });
                await Send(() => new HttpRequestMessage(HttpMethod.Get, "/municipalities/09181118/roadmap"));
                await Abandon(() => new HttpRequestMessage(HttpMethod.Post, "/catalogue/vendors")
                {
                    Content = JsonContent.Create(new { name = $"Abgebrochen {worker}-{i}" }),
                }, 1 + (worker * 7 + i) % 15);
            }
        })).ToArray();
        await Task.WhenAll(work);

        // A pool this small may keep a request waiting past its 5 s: that is a 503 with Retry-After, never a 500.
        Assert.DoesNotContain(statuses.Keys, s => s >= 500 && s != 503);
        Assert.True(statuses.GetValueOrDefault(409) > 0, "no registration lost its race to create the stream"); // the failing append happened
        Assert.True(statuses.GetValueOrDefault(412) > 0, "no If-Match was stale");
        Assert.DoesNotContain(factory.Problems, p => p.Contains("unexpected backend message", StringComparison.OrdinalIgnoreCase));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/municipalities/09181118")).StatusCode);
        }
    }
}

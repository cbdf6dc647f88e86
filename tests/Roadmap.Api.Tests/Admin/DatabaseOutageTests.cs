using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Roadmap.Api.Tests.Admin;

/// <summary>
/// The API reaches PostgreSQL through a loopback TCP proxy the test can cut: requests that meet the dead database are
/// answered 503 with Retry-After and problem details within a bounded time, never 500 and never a hang, and the API
/// answers normally again once the database is back.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly TcpProxy _proxy;
    private readonly OutageFactory _factory;

    public DatabaseOutageTests()
    {
        var target = new NpgsqlConnectionStringBuilder(RoadmapApiFactory.ConnectionString);
        _proxy = new TcpProxy(target.Host!, target.Port);
        _factory = new OutageFactory(_proxy);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _proxy.Start(); // the schema is dropped through the proxy's target directly, but the host stops cleaner with a database
        await _factory.DisposeAsync();
        _proxy.Dispose();
    }

    [Fact]
    public async Task Reads_and_decisions_against_a_dead_database_are_503_with_retry_after_and_recover_when_it_is_back()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "it.admin");
        Assert.Equal(HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/municipalities", new { ags = "09181150", name = "Schwifting", countyAgs = "09181000" })).StatusCode);

        _proxy.Stop(); // established connections are cut, new ones refused
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, "/municipalities/09181150", null),
                     (HttpMethod.Post, "/municipalities/09181150/name", new { name = "Markt Schwifting" }),
                     (HttpMethod.Post, "/municipalities", new { ags = "09181151", name = "Thaining", countyAgs = "09181000" }),
                     (HttpMethod.Get, "/municipalities", null),
                 })
        {
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            var response = await client.SendAsync(request);
            Assert.True(HttpStatusCode.ServiceUnavailable == response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.EndsWith("/database-unavailable", problem.GetProperty("type").GetString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{method} {path} took {clock.Elapsed}");
        }

        _proxy.Start();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage renamed;
        while (true)
        {
            renamed = await client.PostAsJsonAsync("/municipalities/09181150/name", new { name = "Markt Schwifting" });
            if (renamed.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(2, (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/municipalities/09181151")).StatusCode);
    }

    private sealed class OutageFactory(TcpProxy proxy) : RoadmapApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            var through = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = proxy.Port };
            builder.UseSetting("ConnectionStrings:Roadmap", through.ConnectionString);
        }
    }

    /// <summary>Forwards loopback connections to PostgreSQL; Stop cuts every connection and refuses new ones.</summary>
    private sealed class TcpProxy : IDisposable
    {
        private readonly string _host;
        private readonly int _targetPort;
        private readonly object _gate = new();
        private readonly List<TcpClient> _open = [];
        private TcpListener? _listener;

        public TcpProxy(string host, int targetPort)
        {
            (_host, _targetPort) = (host, targetPort);
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Start();
        }

        public int Port { get; }

        public void Start()
        {
            lock (_gate)
            {
                if (_listener is not null)
                {
                    return;
                }

                _listener = new TcpListener(IPAddress.Loopback, Port);
                _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                _listener.Start();
                _ = AcceptAsync(_listener);
            }
        }

        public void Stop()
        {
            lock (_gate)
            {
                _listener?.Stop();
                _listener = null;
                foreach (var client in _open)
                {
                    try
                    {
                        client.Client?.LingerState = new LingerOption(true, 0); // a reset, as a crashed server leaves
                    }
                    catch (ObjectDisposedException)
                    {
                    }

                    client.Dispose();
                }

                _open.Clear();
            }
        }

        private async Task AcceptAsync(TcpListener listener)
        {
            while (true)
            {
                TcpClient inbound;
                try
                {
                    inbound = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(_host, _targetPort);
                }
                catch (SocketException)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }

                lock (_gate)
                {
                    if (_listener != listener)
                    {
                        inbound.Dispose();
                        outbound.Dispose();
                        return;
                    }

                    _open.Add(inbound);
                    _open.Add(outbound);
                }

                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }

        private static async Task PumpAsync(TcpClient from, TcpClient to)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream());
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
            }
            finally
            {
                from.Dispose();
                to.Dispose();
            }
        }

        public void Dispose() => Stop();
    }
}

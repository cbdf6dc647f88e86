using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Roadmap.Api.Tests.Validation;

/// <summary>The API on a real Kestrel listener (the in-memory test server has no connections to keep or drop).</summary>
public sealed class KestrelApiFactory : RoadmapApiFactory
{
    private readonly Lazy<Uri> _address;

    public KestrelApiFactory()
    {
        UseKestrel(0);
        _address = new Lazy<Uri>(() =>
        {
            StartServer();
            return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        });
    }

    /// <summary>Where the server listens; starts it on first use.</summary>
    public Uri Address => _address.Value;
}

/// <summary>
/// A body over the limit is refused without costing the client its connection (found by <c>faults hostile</c>): with
/// the limit lowered before the 413 for a declared length, or for a body nobody read, Kestrel's drain after the answer
/// failed and dropped the connection although the answer had kept it alive, and the client's next request on it failed.
/// </summary>
public sealed class OversizedBodyConnectionTests(KestrelApiFactory factory) : IClassFixture<KestrelApiFactory>
{
    private const int Megabyte = 1024 * 1024;
    private int _connections;

    [Fact]
    public async Task A_declared_body_over_the_limit_is_a_413_and_the_connection_serves_the_next_request()
    {
        using var client = CreateClient();
        var content = new ByteArrayContent(new byte[Megabyte]);
        content.Headers.ContentType = new("application/json");

        using var refused = await client.PostAsync("/catalogue/vendors", content);
        using var next = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1, _connections);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_that_nobody_reads_leaves_the_connection_usable()
    {
        using var client = CreateClient();
        var content = new ChunkedContent(new byte[Megabyte]);
        content.Headers.ContentType = new("text/plain");

        using var refused = await client.PostAsync("/catalogue/vendors", content);
        using var next = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1, _connections);
    }

    [Fact]
    public async Task A_chunked_body_the_json_reader_gave_up_on_is_answered_with_connection_close()
    {
        using var client = CreateClient();
        var content = new ChunkedContent(Encoding.UTF8.GetBytes("}" + new string(' ', 4096)));
        content.Headers.ContentType = new("application/json");

        using var refused = await client.PostAsync("/catalogue/vendors", content);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(refused.Headers.ConnectionClose, "a 400 for an unread chunked body must not promise to keep the connection");
    }

    /// <summary>One connection at most, counted, so a dropped one shows as a second.</summary>
    private HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref _connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = factory.Address };
        client.DefaultRequestHeaders.Add(Roadmap.Api.Access.ApiKeyAuthentication.Header, factory.AdminKey);
        return client;
    }

    /// <summary>A body sent without a length (Transfer-Encoding: chunked).</summary>
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

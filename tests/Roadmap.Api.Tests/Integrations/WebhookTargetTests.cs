using System.Net;
using Roadmap.Api.Integrations.Webhooks;

namespace Roadmap.Api.Tests.Integrations;

/// <summary>
/// Which addresses count as private for webhook targets: checked when a subscription is created and again at every
/// connection (<see cref="WebhookTargets.ConnectAsync"/>), so IPv6 forms that carry a private IPv4 address inside
/// them must count too: a NAT64 or 6to4 gateway would deliver to the internal network.
/// </summary>
public sealed class WebhookTargetTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.0.10")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:0:10.0.0.1")] // IPv4-translated
    [InlineData("::127.0.0.1")] // IPv4-compatible
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::169.254.169.254")] // NAT64 of the metadata address
    [InlineData("64:ff9b::7f00:1")] // NAT64 of loopback
    [InlineData("64:ff9b:1::5db8:d822")] // local-use NAT64, whatever it carries
    [InlineData("2002:c0a8:1::1")] // 6to4 of 192.168.0.1
    [InlineData("2002:a9fe:a9fe::1")] // 6to4 of 169.254.169.254
    [InlineData("2001:0:a00:1::1")] // Teredo with server 10.0.0.1
    [InlineData("2001:0:5db8:d822:0:0:f5ff:fffe")] // Teredo with client 10.0.0.1 (inverted)
    [InlineData("100::1")] // discard-only
    public void Private_and_embedded_private_addresses_are_private(string address) =>
        Assert.True(WebhookTargets.IsPrivate(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("64:ff9b::5db8:d822")] // NAT64 of a public address
    [InlineData("2002:5db8:d822::1")] // 6to4 of a public address
    [InlineData("::ffff:93.184.216.34")]
    public void Public_addresses_and_their_embedded_forms_are_not(string address) =>
        Assert.False(WebhookTargets.IsPrivate(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("https://[64:ff9b::a00:1]/hooks")]
    [InlineData("https://[::ffff:192.168.1.1]/hooks")]
    [InlineData("https://[2002:c0a8:1::1]/hooks")]
    public void A_target_url_with_an_embedded_private_address_is_refused(string url) =>
        Assert.NotNull(WebhookTargets.Refusal(url, new WebhookOptions()));

    [Theory]
    [InlineData("http://localhost:9/hooks")]
    [InlineData("http://[64:ff9b::7f00:1]:9/hooks")]
    public async Task A_connection_to_a_name_or_address_that_is_private_is_refused_at_connect_time(string url)
    {
        var options = new WebhookOptions();
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = (context, token) => WebhookTargets.ConnectAsync(context, options, token) });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url));
        Assert.Contains("Refused", refused.ToString());
    }
}

using System.Net;
using System.Net.Sockets;

namespace Roadmap.Api.Integrations.Webhooks;

/// <summary>
/// Which URLs a subscription may deliver to, checked twice: when the subscription is created (the URL's form) and
/// on every connection (the addresses its host resolves to now, so a DNS answer that changes later cannot point a
/// webhook at the internal network).
/// </summary>
public static class WebhookTargets
{
    /// <summary>Why a target URL is refused, or null when it is acceptable.</summary>
    public static string? Refusal(string? url, WebhookOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            return "The target URL must be an absolute https URL, e.g. https://example.org/hooks/roadmap.";
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "The target URL may not carry credentials or a fragment.";
        }

        if (uri.Scheme == "http" && !options.IsHttpAllowed(uri.IdnHost))
        {
            return $"Plain http is only allowed to the configured hosts ({(options.AllowHttpHosts.Length == 0 ? "none" : string.Join(", ", options.AllowHttpHosts))}); use https.";
        }

        var host = uri.IdnHost.Trim('[', ']');
        var isLocalName = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        if (!IsAllowedHost(host, options) && (isLocalName || (IPAddress.TryParse(host, out var address) && IsPrivate(address))))
        {
            return "The target URL points to a loopback, private or link-local address, which this service does not deliver to.";
        }

        return null;
    }

    /// <summary>Connects to the first resolved address that is allowed; refuses private ones unless configured.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, WebhookOptions options, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => IsAllowedHost(host, options) || !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"Refused: {host} resolves only to loopback, private or link-local addresses.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsAllowedHost(string host, WebhookOptions options) => options.AllowPrivateNetworks || options.IsHttpAllowed(host);

    /// <summary>Loopback, RFC 1918, carrier-grade NAT, link-local, unique-local, unspecified and multicast addresses.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,
            169 => b[1] == 254,
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168,
            >= 224 => true,
            _ => false,
        };
    }
}

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

    /// <summary>
    /// Loopback, RFC 1918, carrier-grade NAT, link-local, unique-local, unspecified and multicast addresses, and every
    /// IPv6 form that carries one of the IPv4 ones inside it: IPv4-mapped (<c>::ffff:a.b.c.d</c>), IPv4-translated
    /// (<c>::ffff:0:a.b.c.d</c>), IPv4-compatible (<c>::a.b.c.d</c>), NAT64 (<c>64:ff9b::/96</c>; the local-use
    /// <c>64:ff9b:1::/48</c> whole), 6to4 (<c>2002::/16</c>) and Teredo (<c>2001::/32</c>, server and client address), and
    /// the discard-only <c>100::/64</c>. A gateway that translates such an address would otherwise reach the internal network.
    /// </summary>
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
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast)
            {
                return true;
            }

            var v6 = address.GetAddressBytes();
            if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4] == 0x00 && v6[5] == 0x01)
            {
                return true; // local-use NAT64 (RFC 8215): translated inside someone's network
            }

            if (v6[0] == 0x01 && v6[1] == 0x00 && v6.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0)
            {
                return true; // discard-only (RFC 6666)
            }

            return EmbeddedIPv4(v6).Any(IsPrivate);
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

    /// <summary>The IPv4 addresses an IPv6 address carries by one of the transition mechanisms, if any.</summary>
    private static IEnumerable<IPAddress> EmbeddedIPv4(byte[] v6)
    {
        var zeros = v6.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0;
        if (zeros && v6[8] == 0xff && v6[9] == 0xff && v6[10] == 0 && v6[11] == 0)
        {
            yield return new IPAddress(v6.AsSpan(12, 4)); // IPv4-translated, ::ffff:0:a.b.c.d (RFC 2765)
        }

        if (zeros && v6.AsSpan(8, 4).IndexOfAnyExcept((byte)0) < 0 && v6.AsSpan(12, 4).IndexOfAnyExcept((byte)0) >= 0)
        {
            yield return new IPAddress(v6.AsSpan(12, 4)); // IPv4-compatible, ::a.b.c.d (deprecated, RFC 4291)
        }

        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            yield return new IPAddress(v6.AsSpan(12, 4)); // NAT64 well-known prefix, 64:ff9b::/96 (RFC 6052)
        }

        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            yield return new IPAddress(v6.AsSpan(2, 4)); // 6to4, 2002:AABB:CCDD::/48 (RFC 3056)
        }

        if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x00 && v6[3] == 0x00)
        {
            yield return new IPAddress(v6.AsSpan(4, 4)); // Teredo server (RFC 4380)
            yield return new IPAddress([(byte)~v6[12], (byte)~v6[13], (byte)~v6[14], (byte)~v6[15]]); // Teredo client, inverted
        }
    }
}

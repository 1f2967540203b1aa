using System.Net;

namespace Sluice.Programs.Guard;

/// <summary>
/// The guard's one address identity (Guard/README.md, "Addresses"): an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
/// is the IPv4 host a.b.c.d for rules, limits, blocks, statistics and events, because Linux delivers UDP and
/// ICMPv6 from such sources to dual-stack sockets. IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) addresses
/// stay IPv6: their mapping to IPv4 depends on a translator the guard cannot see.
/// </summary>
public static class GuardAddress
{
    /// <summary>The identity the guard gives <paramref name="address"/>: the IPv4 address an IPv4-mapped address maps, else itself.</summary>
    public static IPAddress Identity(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}

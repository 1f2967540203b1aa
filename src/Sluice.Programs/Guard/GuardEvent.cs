using System.Net;

namespace Sluice.Programs.Guard;

/// <summary>A sampled dropped packet from guard_events, with the addresses and ports decoded from its first bytes.</summary>
/// <param name="Reason">Why it was dropped.</param>
/// <param name="TimestampNs">bpf_ktime_get_ns() at the drop (CLOCK_MONOTONIC).</param>
/// <param name="InterfaceIndex">The interface index.</param>
/// <param name="Length">The frame's length.</param>
/// <param name="Source">Source address, or null when not an IP packet or truncated.</param>
/// <param name="Destination">Destination address, or null.</param>
/// <param name="Protocol">IP protocol (after IPv6 extension headers), 0 when unknown.</param>
/// <param name="SourcePort">TCP/UDP source port, 0 when none.</param>
/// <param name="DestinationPort">TCP/UDP destination port, 0 when none.</param>
/// <param name="Data">The captured bytes (the start of the frame).</param>
public sealed record GuardEvent(
    GuardReason Reason, ulong TimestampNs, uint InterfaceIndex, int Length, IPAddress? Source, IPAddress? Destination,
    byte Protocol, ushort SourcePort, ushort DestinationPort, byte[] Data)
{
    /// <summary>One line: "denied 198.19.0.7:4000 -> 198.18.0.2:11211 udp 60 bytes".</summary>
    public override string ToString()
    {
        string reason = GuardReasons.Name(Reason);
        if (Source is null || Destination is null) return $"{reason} non-IP {Length} bytes";
        string proto = Protocol == 0 ? "ip" : GuardRuleParser.ProtocolName(Protocol);
        bool ports = Protocol is GuardRule.Tcp or GuardRule.Udp;
        string from = ports ? Endpoint(Source, SourcePort) : Source.ToString();
        string to = ports ? Endpoint(Destination, DestinationPort) : Destination.ToString();
        return $"{reason} {from} -> {to} {proto} {Length} bytes";
    }

    private static string Endpoint(IPAddress address, ushort port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}

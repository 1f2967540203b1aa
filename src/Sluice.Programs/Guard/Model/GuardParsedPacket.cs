using System.Net;

namespace Sluice.Programs.Guard.Model;

/// <summary>What the guard's parser made of a frame.</summary>
public enum GuardPacketKind
{
    /// <summary>An Ethernet frame that carries neither IPv4 nor IPv6 (after up to two VLAN tags).</summary>
    NotIp,
    /// <summary>Truncated or malformed headers (<see cref="GuardParsedPacket.Problem"/> says which).</summary>
    Malformed,
    /// <summary>A well-formed IPv4 packet.</summary>
    IPv4,
    /// <summary>A well-formed IPv6 packet.</summary>
    IPv6,
}

/// <summary>
/// The facts the guard's policy needs from one frame, as <see cref="GuardPacketParser"/> parses it under the rules of
/// Guard/README.md (policy step 1 and 2).
/// </summary>
public sealed record GuardParsedPacket
{
    /// <summary>Not IP, malformed, IPv4 or IPv6.</summary>
    public required GuardPacketKind Kind { get; init; }

    /// <summary>Why the frame is malformed (null unless <see cref="Kind"/> is Malformed).</summary>
    public string? Problem { get; init; }

    /// <summary>The Ethernet type after the VLAN tags (0 when the Ethernet header is truncated).</summary>
    public ushort EtherType { get; init; }

    /// <summary>VLAN tags walked (0..2).</summary>
    public int VlanTags { get; init; }

    /// <summary>The source address (null unless IPv4 or IPv6).</summary>
    public IPAddress? Source { get; init; }

    /// <summary>The L4 protocol: IPv4's protocol field, or the next header that ended IPv6's extension header walk.</summary>
    public byte Protocol { get; init; }

    /// <summary>IPv6 extension headers walked.</summary>
    public int ExtensionHeaders { get; init; }

    /// <summary>An IPv4 fragment (MF or an offset) or an IPv6 packet with a fragment header.</summary>
    public bool Fragment { get; init; }

    /// <summary>A fragment with a non-zero offset: it has no L4 header.</summary>
    public bool NonFirstFragment { get; init; }

    /// <summary>A TCP or UDP header was parsed: <see cref="SourcePort"/> and <see cref="DestinationPort"/> are valid.</summary>
    public bool HasPorts { get; init; }

    /// <summary>The L4 source port (host order).</summary>
    public ushort SourcePort { get; init; }

    /// <summary>The L4 destination port (host order).</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>The TCP flags byte (0 unless TCP with a header).</summary>
    public byte TcpFlags { get; init; }

    /// <summary>The destination address (IPv4 or IPv6, as in the header); null when not IP.</summary>
    public IPAddress? Destination { get; init; }

    /// <summary>TCP only: the sequence number.</summary>
    public uint TcpSequence { get; init; }

    /// <summary>TCP only: payload bytes by the IP length field (0 when the field is shorter than the headers).</summary>
    public int TcpPayload { get; init; }

    /// <summary>Where the IP packet ends by its length field (IPv4 total length, IPv6 40 + payload length), from the frame's start.</summary>
    public int IpEnd { get; init; }

    /// <summary>The byte offset of the L4 header in the frame (-1 when there is none to parse).</summary>
    public int L4Offset { get; init; } = -1;

    /// <summary>A TCP SYN without ACK (what the SYN limit counts).</summary>
    public bool IsSyn => HasPorts && Protocol == GuardPacketParser.Tcp && (TcpFlags & 0x12) == 0x02;

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        GuardPacketKind.NotIp => $"not IP (ethertype 0x{EtherType:x4}, {VlanTags} VLAN tags)",
        GuardPacketKind.Malformed => $"malformed: {Problem}",
        _ => $"{Kind} from {Source} proto {Protocol}" + (HasPorts ? $" {SourcePort}->{DestinationPort}" : "")
            + (Protocol == GuardPacketParser.Tcp && HasPorts ? $" flags 0x{TcpFlags:x2}" : "")
            + (Fragment ? NonFirstFragment ? " non-first fragment" : " first fragment" : "")
            + (VlanTags > 0 ? $", {VlanTags} VLAN tags" : "") + (ExtensionHeaders > 0 ? $", {ExtensionHeaders} extension headers" : ""),
    };
}

using System.Buffers.Binary;
using System.Net;

namespace Sluice.Programs.Guard.Model;

/// <summary>
/// The guard's packet parser in C#: the reference the XDP stage is tested against. It follows Guard/README.md, policy
/// steps 1 and 2: Ethernet, up to two VLAN tags, IPv4 with options and fragments, IPv6 with a walk of at most eight
/// extension headers, and the L4 minimum headers. Pure: no kernel calls.
/// </summary>
public static class GuardPacketParser
{
    /// <summary>IP protocol numbers the parser knows.</summary>
    public const byte Icmp = 1, Tcp = 6, Udp = 17, IcmpV6 = 58;

    /// <summary>IPv6 extension headers walked (hop-by-hop, routing, fragment, destination options, AH).</summary>
    public const byte HopByHop = 0, Routing = 43, FragmentHeader = 44, DestinationOptions = 60, AuthenticationHeader = 51;

    /// <summary>IPv6 next headers that end the walk as a protocol without ports (ESP, no next header).</summary>
    public const byte Esp = 50, NoNextHeader = 59;

    /// <summary>Ethernet types.</summary>
    public const ushort EtherTypeIPv4 = 0x0800, EtherTypeIPv6 = 0x86dd, EtherTypeVlan = 0x8100, EtherTypeQinQ = 0x88a8;

    /// <summary>The most VLAN tags a frame may carry; one more is malformed.</summary>
    public const int MaxVlanTags = 2;

    /// <summary>The most IPv6 extension headers walked; one more is malformed.</summary>
    public const int MaxExtensionHeaders = 8;

    private const int EthernetLength = 14, VlanTagLength = 4, IPv4MinimumLength = 20, IPv6Length = 40;

    /// <summary>Parses one Ethernet frame.</summary>
    public static GuardParsedPacket Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetLength)
            return Malformed($"Ethernet header truncated ({frame.Length} of {EthernetLength} bytes)");
        int offset = EthernetLength;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        int tags = 0;
        while (etherType is EtherTypeVlan or EtherTypeQinQ)
        {
            if (tags == MaxVlanTags)
                return Malformed($"a third VLAN tag (0x{etherType:x4} at offset {offset - 2})", etherType, tags);
            if (frame.Length < offset + VlanTagLength)
                return Malformed($"VLAN tag {tags + 1} truncated at offset {offset}", etherType, tags);
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += VlanTagLength;
            tags++;
        }
        return etherType switch
        {
            EtherTypeIPv4 => ParseIPv4(frame, offset, tags),
            EtherTypeIPv6 => ParseIPv6(frame, offset, tags),
            _ => new GuardParsedPacket { Kind = GuardPacketKind.NotIp, EtherType = etherType, VlanTags = tags },
        };
    }

    private static GuardParsedPacket ParseIPv4(ReadOnlySpan<byte> frame, int offset, int tags)
    {
        if (frame.Length < offset + IPv4MinimumLength)
            return Malformed($"IPv4 header truncated at offset {offset} ({frame.Length - offset} of 20 bytes)", EtherTypeIPv4, tags);
        var ip = frame[offset..];
        if (ip[0] >> 4 != 4)
            return Malformed($"IPv4 version {ip[0] >> 4}", EtherTypeIPv4, tags);
        int headerLength = (ip[0] & 0x0f) * 4;
        if (headerLength < IPv4MinimumLength)
            return Malformed($"IPv4 IHL {headerLength / 4} < 5", EtherTypeIPv4, tags);
        if (ip.Length < headerLength)
            return Malformed($"IPv4 options truncated (IHL {headerLength / 4}, {ip.Length} bytes left)", EtherTypeIPv4, tags);
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (totalLength < headerLength)
            return Malformed($"IPv4 total length {totalLength} < header length {headerLength}", EtherTypeIPv4, tags);
        ushort fragmentField = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        bool moreFragments = (fragmentField & 0x2000) != 0;
        int fragmentOffset = fragmentField & 0x1fff;
        var packet = new GuardParsedPacket
        {
            Kind = GuardPacketKind.IPv4,
            EtherType = EtherTypeIPv4,
            VlanTags = tags,
            Source = new IPAddress(ip[12..16]),
            Destination = new IPAddress(ip[16..20]),
            IpEnd = offset + totalLength,
            Protocol = ip[9],
            Fragment = moreFragments || fragmentOffset != 0,
            NonFirstFragment = fragmentOffset != 0,
        };
        return packet.NonFirstFragment ? packet : ParseL4(frame, offset + headerLength, packet);
    }

    private static GuardParsedPacket ParseIPv6(ReadOnlySpan<byte> frame, int offset, int tags)
    {
        if (frame.Length < offset + IPv6Length)
            return Malformed($"IPv6 header truncated at offset {offset} ({frame.Length - offset} of 40 bytes)", EtherTypeIPv6, tags);
        var ip = frame[offset..];
        if (ip[0] >> 4 != 6)
            return Malformed($"IPv6 version {ip[0] >> 4}", EtherTypeIPv6, tags);
        byte next = ip[6];
        int position = offset + IPv6Length;
        int walked = 0;
        bool fragment = false, nonFirst = false;
        while (IsExtensionHeader(next))
        {
            if (walked == MaxExtensionHeaders)
                return Malformed($"more than {MaxExtensionHeaders} IPv6 extension headers (header {next} at offset {position})", EtherTypeIPv6, tags);
            walked++;
            int length;
            if (next == FragmentHeader)
            {
                length = 8;
            }
            else
            {
                if (frame.Length < position + 2)
                    return Malformed($"IPv6 extension header {next} truncated at offset {position}", EtherTypeIPv6, tags);
                length = next == AuthenticationHeader ? (frame[position + 1] + 2) * 4 : (frame[position + 1] + 1) * 8;
            }
            if (frame.Length < position + length)
                return Malformed($"IPv6 extension header {next} ({length} bytes) truncated at offset {position}", EtherTypeIPv6, tags);
            byte following = frame[position];
            if (next == FragmentHeader)
            {
                fragment = true;
                if ((BinaryPrimitives.ReadUInt16BigEndian(frame[(position + 2)..]) >> 3) != 0)
                {
                    // A non-first fragment: what follows is payload, not headers.
                    nonFirst = true;
                    next = following;
                    break;
                }
            }
            next = following;
            position += length;
        }
        var packet = new GuardParsedPacket
        {
            Kind = GuardPacketKind.IPv6,
            EtherType = EtherTypeIPv6,
            VlanTags = tags,
            Source = new IPAddress(ip[8..24]),
            Destination = new IPAddress(ip[24..40]),
            IpEnd = offset + IPv6Length + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]),
            Protocol = next,
            ExtensionHeaders = walked,
            Fragment = fragment,
            NonFirstFragment = nonFirst,
        };
        return nonFirst ? packet : ParseL4(frame, position, packet);
    }

    /// <summary>True for the IPv6 next headers the walk steps over.</summary>
    public static bool IsExtensionHeader(byte nextHeader) =>
        nextHeader is HopByHop or Routing or FragmentHeader or DestinationOptions or AuthenticationHeader;

    private static GuardParsedPacket ParseL4(ReadOnlySpan<byte> frame, int offset, GuardParsedPacket packet)
    {
        int left = frame.Length - offset;
        switch (packet.Protocol)
        {
            case Tcp:
                if (left < 20)
                    return Malformed($"TCP header truncated at offset {offset} ({left} of 20 bytes)", packet);
                int dataOffset = frame[offset + 12] >> 4;
                if (dataOffset < 5)
                    return Malformed($"TCP data offset {dataOffset} < 5", packet);
                if (left < dataOffset * 4)
                    return Malformed($"TCP options truncated (data offset {dataOffset}, {left} bytes left)", packet);
                return packet with
                {
                    HasPorts = true,
                    L4Offset = offset,
                    SourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]),
                    DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]),
                    TcpFlags = frame[offset + 13],
                    TcpSequence = BinaryPrimitives.ReadUInt32BigEndian(frame[(offset + 4)..]),
                    TcpPayload = Math.Max(0, packet.IpEnd - offset - dataOffset * 4),
                };
            case Udp:
                if (left < 8)
                    return Malformed($"UDP header truncated at offset {offset} ({left} of 8 bytes)", packet);
                return packet with
                {
                    HasPorts = true,
                    L4Offset = offset,
                    SourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]),
                    DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]),
                };
            case Icmp or IcmpV6:
                if (left < 4)
                    return Malformed($"ICMP header truncated at offset {offset} ({left} of 4 bytes)", packet);
                return packet with { L4Offset = offset };
            default:
                return packet with { L4Offset = offset };
        }
    }

    private static GuardParsedPacket Malformed(string problem, ushort etherType = 0, int tags = 0) =>
        new() { Kind = GuardPacketKind.Malformed, Problem = problem, EtherType = etherType, VlanTags = tags };

    private static GuardParsedPacket Malformed(string problem, GuardParsedPacket packet) =>
        packet with { Kind = GuardPacketKind.Malformed, Problem = problem, HasPorts = false };
}

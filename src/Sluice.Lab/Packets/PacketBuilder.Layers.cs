using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Lab.Packets;

// VLAN tags, IPv4 options and fragments, IPv6 extension headers, ICMPv6, transport checksums and truncation:
// what parsing and bypass tests need on top of the plain frames.
public static partial class PacketBuilder
{
    /// <summary>The ethertype of IPv4.</summary>
    public const ushort EtherTypeIpv4 = 0x0800;

    /// <summary>The ethertype of IPv6.</summary>
    public const ushort EtherTypeIpv6 = 0x86dd;

    /// <summary>The ethertype of ARP.</summary>
    public const ushort EtherTypeArp = 0x0806;

    /// <summary>TCP FIN flag.</summary>
    public const byte TcpFin = 0x01;

    /// <summary>TCP RST flag.</summary>
    public const byte TcpRst = 0x04;

    private static readonly Ipv4Options DefaultIpv4Options = new();

    /// <summary>An Ethernet frame with any ethertype and payload (ARP, LLDP, ... or hand-made IP).</summary>
    public static byte[] Ethernet(ushort etherType, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + payload.Length];
        WriteEthernet(frame, etherType);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>
    /// <paramref name="frame"/> with VLAN tags inserted after the MAC addresses; <paramref name="tags"/>[0] is the
    /// outermost. The frame's own ethertype ends up after the last tag.
    /// </summary>
    public static byte[] WithVlanTags(ReadOnlySpan<byte> frame, params ReadOnlySpan<VlanTag> tags)
    {
        if (frame.Length < 14) throw new ArgumentException("a frame needs the 14-byte Ethernet header", nameof(frame));
        var tagged = new byte[frame.Length + 4 * tags.Length];
        frame[..12].CopyTo(tagged);
        int offset = 12;
        foreach (var tag in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(offset), tag.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(offset + 2), tag.Id);
            offset += 4;
        }
        frame[12..].CopyTo(tagged.AsSpan(offset));
        return tagged;
    }

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="frame"/> (length fields are left as they were).</summary>
    public static byte[] Truncate(ReadOnlySpan<byte> frame, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, frame.Length);
        return frame[..length].ToArray();
    }

    /// <summary>
    /// An Ethernet frame carrying an IPv4 packet shaped by <paramref name="options"/>: IP options, MF/DF flags,
    /// fragment offset, identification and, for malformed-packet tests, raw version, IHL and total length.
    /// </summary>
    public static byte[] Ipv4(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> l4, Ipv4Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (source.AddressFamily != AddressFamily.InterNetwork || destination.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException("IPv4 addresses expected");
        int optionLength = (options.Options.Length + 3) & ~3;
        if (optionLength > 40) throw new ArgumentException("IPv4 options are at most 40 bytes", nameof(options));
        int headerLength = 20 + optionLength;
        var frame = new byte[14 + headerLength + l4.Length];
        WriteEthernet(frame, EtherTypeIpv4);
        var ip = frame.AsSpan(14, headerLength);
        ip[0] = (byte)((options.Version << 4) | ((options.HeaderLengthOverride ?? (byte)(headerLength / 4)) & 0x0f));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], options.TotalLengthOverride ?? (ushort)(headerLength + l4.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], options.Identification);
        ushort fragment = (ushort)((options.FragmentOffset & 0x1fff) | (options.MoreFragments ? 0x2000 : 0) | (options.DontFragment ? 0x4000 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], fragment);
        ip[8] = options.TimeToLive;
        ip[9] = protocol;
        source.TryWriteBytes(ip[12..16], out _);
        destination.TryWriteBytes(ip[16..20], out _);
        options.Options.CopyTo(ip[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
        l4.CopyTo(frame.AsSpan(14 + headerLength));
        return frame;
    }

    /// <summary>
    /// An Ethernet frame carrying an IPv6 packet whose base header is followed by <paramref name="extensions"/> (in
    /// order, next-header bytes filled in), then <paramref name="nextHeader"/>'s bytes <paramref name="l4"/>.
    /// </summary>
    public static byte[] Ipv6(IPAddress source, IPAddress destination, IReadOnlyList<Ipv6Extension> extensions, byte nextHeader, ReadOnlySpan<byte> l4)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        int extensionLength = 0;
        foreach (var extension in extensions) extensionLength += extension.Length;
        var payload = new byte[extensionLength + l4.Length];
        int offset = 0;
        for (int i = 0; i < extensions.Count; i++)
        {
            payload[offset] = i + 1 < extensions.Count ? extensions[i + 1].Type : nextHeader;
            extensions[i].Body.CopyTo(payload, offset + 1);
            offset += extensions[i].Length;
        }
        l4.CopyTo(payload.AsSpan(offset));
        return Ipv6(source, destination, extensions.Count > 0 ? extensions[0].Type : nextHeader, payload);
    }

    /// <summary>An Ethernet + IPv6 + UDP frame (UDP checksum computed, as IPv6 requires).</summary>
    public static byte[] Udp6(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, int payloadLength = 16,
        IReadOnlyList<Ipv6Extension>? extensions = null)
    {
        var udp = UdpHeader(sourcePort, destinationPort, payloadLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), TransportChecksum(source, destination, Udp, udp));
        return Ipv6(source, destination, extensions ?? [], Udp, udp);
    }

    /// <summary>An Ethernet + IPv6 + TCP frame with the given flags (SYN by default), TCP checksum computed.</summary>
    public static byte[] Tcp6(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, byte flags = TcpSyn,
        IReadOnlyList<Ipv6Extension>? extensions = null)
    {
        var tcp = TcpHeader(sourcePort, destinationPort, flags);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), TransportChecksum(source, destination, Tcp, tcp));
        return Ipv6(source, destination, extensions ?? [], Tcp, tcp);
    }

    /// <summary>An Ethernet + IPv6 + ICMPv6 echo request frame (checksum over the pseudo-header computed).</summary>
    public static byte[] Icmp6Echo(IPAddress source, IPAddress destination, IReadOnlyList<Ipv6Extension>? extensions = null)
    {
        var icmp = new byte[16];
        icmp[0] = 128; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), TransportChecksum(source, destination, IcmpV6, icmp));
        return Ipv6(source, destination, extensions ?? [], IcmpV6, icmp);
    }

    /// <summary>
    /// A TCP header with <paramref name="options"/> (padded with zeros to a multiple of 4, at most 40 bytes) and the
    /// given sequence number; the data offset covers the options. The checksum is left 0.
    /// </summary>
    public static byte[] TcpHeader(ushort sourcePort, ushort destinationPort, byte flags, uint sequence, ReadOnlySpan<byte> options)
    {
        int optionLength = (options.Length + 3) & ~3;
        if (optionLength > 40) throw new ArgumentException("TCP options are at most 40 bytes", nameof(options));
        var tcp = new byte[20 + optionLength];
        TcpHeader(sourcePort, destinationPort, flags).CopyTo(tcp, 0);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        tcp[12] = (byte)((tcp.Length / 4) << 4);
        options.CopyTo(tcp.AsSpan(20));
        return tcp;
    }

    /// <summary>The 4-byte TCP maximum segment size option.</summary>
    public static byte[] MssOption(ushort mss) => [2, 4, (byte)(mss >> 8), (byte)mss];

    /// <summary>
    /// The TCP/UDP/ICMPv6 checksum of <paramref name="segment"/> with its pseudo-header (IPv4 or IPv6, from the
    /// addresses' family). Over a segment whose checksum field is 0 it is the value to write; over a segment with
    /// a correct checksum it is 0.
    /// </summary>
    public static ushort TransportChecksum(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        bool v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        int pseudoLength = v6 ? 40 : 12;
        var buffer = new byte[pseudoLength + segment.Length];
        if (v6)
        {
            source.TryWriteBytes(buffer.AsSpan(0, 16), out _);
            destination.TryWriteBytes(buffer.AsSpan(16, 16), out _);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(32), (uint)segment.Length);
            buffer[39] = protocol;
        }
        else
        {
            source.TryWriteBytes(buffer.AsSpan(0, 4), out _);
            destination.TryWriteBytes(buffer.AsSpan(4, 4), out _);
            buffer[9] = protocol;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(10), (ushort)segment.Length);
        }
        segment.CopyTo(buffer.AsSpan(pseudoLength));
        return Checksum(buffer);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Lab.Packets;

/// <summary>
/// Builds Ethernet frames with IPv4/IPv6 and TCP/UDP/ICMP headers, checksums included, for BPF_PROG_TEST_RUN
/// and for raw senders. Only test addresses should go in (198.18.0.0/15, fd00::/8).
/// </summary>
public static partial class PacketBuilder
{
    /// <summary>IANA protocol numbers used here.</summary>
    public const byte Icmp = 1, Tcp = 6, Udp = 17, IcmpV6 = 58;

    /// <summary>TCP SYN flag.</summary>
    public const byte TcpSyn = 0x02;

    /// <summary>TCP ACK flag.</summary>
    public const byte TcpAck = 0x10;

    private static readonly byte[] SourceMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] DestinationMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    /// <summary>An Ethernet + IPv4 + UDP frame.</summary>
    public static byte[] Udp4(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, int payloadLength = 16) =>
        Ipv4(source, destination, Udp, UdpHeader(sourcePort, destinationPort, payloadLength));

    /// <summary>An Ethernet + IPv4 + TCP frame with the given flags (SYN by default).</summary>
    public static byte[] Tcp4(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, byte flags = TcpSyn) =>
        Ipv4(source, destination, Tcp, TcpHeader(sourcePort, destinationPort, flags));

    /// <summary>An Ethernet + IPv4 + ICMP echo request frame.</summary>
    public static byte[] Icmp4Echo(IPAddress source, IPAddress destination)
    {
        var icmp = new byte[16];
        icmp[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Checksum(icmp));
        return Ipv4(source, destination, Icmp, icmp);
    }

    /// <summary>An Ethernet frame carrying an IPv4 packet with the given L4 bytes.</summary>
    public static byte[] Ipv4(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> l4) =>
        Ipv4(source, destination, protocol, l4, DefaultIpv4Options);

    /// <summary>An Ethernet frame carrying an IPv6 packet with the given next header and L4 bytes.</summary>
    public static byte[] Ipv6(IPAddress source, IPAddress destination, byte nextHeader, ReadOnlySpan<byte> l4)
    {
        var frame = new byte[14 + 40 + l4.Length];
        WriteEthernet(frame, 0x86dd);
        var ip = frame.AsSpan(14, 40);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)l4.Length);
        ip[6] = nextHeader;
        ip[7] = 64;
        source.TryWriteBytes(ip[8..24], out _);
        destination.TryWriteBytes(ip[24..40], out _);
        l4.CopyTo(frame.AsSpan(54));
        return frame;
    }

    /// <summary>A UDP header (checksum 0, which IPv4 allows) followed by a zero payload.</summary>
    public static byte[] UdpHeader(ushort sourcePort, ushort destinationPort, int payloadLength = 16)
    {
        var udp = new byte[8 + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        return udp;
    }

    /// <summary>A 20-byte TCP header with the given flags.</summary>
    public static byte[] TcpHeader(ushort sourcePort, ushort destinationPort, byte flags)
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 1);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        return tcp;
    }

    private static void WriteEthernet(Span<byte> frame, ushort etherType)
    {
        DestinationMac.CopyTo(frame);
        SourceMac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="bytes"/>.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < bytes.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if (bytes.Length % 2 == 1) sum += (uint)(bytes[^1] << 8);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

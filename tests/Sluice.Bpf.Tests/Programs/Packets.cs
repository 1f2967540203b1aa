using System.Buffers.Binary;

namespace Sluice.Bpf.Tests.Programs;

/// <summary>Crafted Ethernet frames for test runs (addresses from 198.18.0.0/15, the benchmarking range).</summary>
internal static class Packets
{
    internal const byte Tcp = 6, Udp = 17, Icmp = 1;

    /// <summary>Ethernet + IPv4 + an 8-byte (UDP) or 20-byte (TCP) transport header + payload.</summary>
    internal static byte[] Ipv4(byte protocol, ushort sourcePort = 1234, ushort destinationPort = 80, int payload = 16,
        byte[]? source = null, byte[]? destination = null)
    {
        int transport = protocol == Tcp ? 20 : 8;
        var frame = new byte[14 + 20 + transport + payload];
        // Ethernet: locally administered MACs, EtherType IPv4.
        frame[0] = 0x02; frame[5] = 0x01; frame[6] = 0x02; frame[11] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + transport + payload));
        ip[8] = 64;
        ip[9] = protocol;
        (source ?? [198, 18, 0, 1]).CopyTo(ip[12..]);
        (destination ?? [198, 18, 0, 2]).CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..20]));
        var l4 = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(l4[2..], destinationPort);
        if (protocol == Tcp) l4[12] = 0x50;
        else BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)(8 + payload));
        return frame;
    }

    /// <summary>An Ethernet frame with an arbitrary EtherType and zero payload.</summary>
    internal static byte[] Ethernet(ushort etherType, int payload = 50)
    {
        var frame = new byte[14 + payload];
        frame[0] = 0x02; frame[6] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        return frame;
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

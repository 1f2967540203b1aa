using System.Buffers.Binary;
using System.Net;
using Sluice.Lab.Packets;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>One IPv6 extension header to put in a frame: its type and its whole length in bytes.</summary>
internal readonly record struct ExtensionHeader(byte Type, int Length, ushort FragmentField = 0)
{
    /// <summary>A hop-by-hop, routing or destination options header of (n + 1) * 8 bytes.</summary>
    public static ExtensionHeader Options(byte type, int units = 0) => new(type, (units + 1) * 8);

    /// <summary>An authentication header of (units + 2) * 4 bytes.</summary>
    public static ExtensionHeader Authentication(int units = 1) => new(51, (units + 2) * 4);

    /// <summary>A fragment header with the offset in 8-byte units and the M flag.</summary>
    public static ExtensionHeader Fragment(int offset, bool more) => new(44, 8, (ushort)((offset << 3) | (more ? 1 : 0)));
}

/// <summary>Byte-exact frame construction for the guard's model and differential tests.</summary>
internal static class GuardFrames
{
    public const ushort Vlan = 0x8100, QinQ = 0x88a8;

    /// <summary>Ethernet header with the given VLAN tag types (each tag's TCI is 0x0064) and final ethertype.</summary>
    public static byte[] Ethernet(IReadOnlyList<ushort> tags, ushort etherType, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + 4 * tags.Count + payload.Length];
        frame[0] = 0x02; frame[5] = 0x02; frame[6] = 0x02; frame[11] = 0x01;
        int offset = 12;
        foreach (var tag in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tag);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), 0x0064);
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        payload.CopyTo(frame.AsSpan(offset + 2));
        return frame;
    }

    /// <summary>An IPv4 packet (no Ethernet): <paramref name="optionBytes"/> (a multiple of 4, at most 40) after the 20-byte header.</summary>
    public static byte[] IPv4Packet(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> l4,
        int optionBytes = 0, ushort fragmentField = 0, int? totalLength = null)
    {
        int headerLength = 20 + optionBytes;
        var packet = new byte[headerLength + l4.Length];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(totalLength ?? packet.Length));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), fragmentField);
        packet[8] = 64;
        packet[9] = protocol;
        source.TryWriteBytes(packet.AsSpan(12, 4), out _);
        destination.TryWriteBytes(packet.AsSpan(16, 4), out _);
        for (int i = 20; i < headerLength; i++) packet[i] = 1; // NOP options
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), PacketBuilder.Checksum(packet.AsSpan(0, headerLength)));
        l4.CopyTo(packet.AsSpan(headerLength));
        return packet;
    }

    /// <summary>An IPv6 packet (no Ethernet) with the extension headers in order, then <paramref name="protocol"/> and <paramref name="l4"/>.</summary>
    public static byte[] IPv6Packet(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> l4,
        IReadOnlyList<ExtensionHeader>? extensions = null)
    {
        extensions ??= [];
        int extensionBytes = extensions.Sum(e => e.Length);
        var packet = new byte[40 + extensionBytes + l4.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
        packet[6] = extensions.Count > 0 ? extensions[0].Type : protocol;
        packet[7] = 64;
        source.TryWriteBytes(packet.AsSpan(8, 16), out _);
        destination.TryWriteBytes(packet.AsSpan(24, 16), out _);
        int offset = 40;
        for (int i = 0; i < extensions.Count; i++)
        {
            var header = extensions[i];
            packet[offset] = i + 1 < extensions.Count ? extensions[i + 1].Type : protocol;
            if (header.Type == 44)
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), header.FragmentField);
            else
                packet[offset + 1] = (byte)(header.Type == 51 ? header.Length / 4 - 2 : header.Length / 8 - 1);
            offset += header.Length;
        }
        l4.CopyTo(packet.AsSpan(offset));
        return packet;
    }

    /// <summary>A TCP header of <paramref name="dataOffset"/> 32-bit words (options are NOPs).</summary>
    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, byte flags = PacketBuilder.TcpSyn, int dataOffset = 5, int payload = 0)
    {
        var tcp = new byte[Math.Max(dataOffset, 5) * 4 + payload];
        PacketBuilder.TcpHeader(sourcePort, destinationPort, flags).CopyTo(tcp, 0);
        tcp[12] = (byte)(dataOffset << 4);
        for (int i = 20; i < dataOffset * 4; i++) tcp[i] = 1;
        return tcp;
    }

    /// <summary>A UDP header and payload.</summary>
    public static byte[] Udp(ushort sourcePort, ushort destinationPort, int payload = 8) => PacketBuilder.UdpHeader(sourcePort, destinationPort, payload);

    /// <summary>An ICMP / ICMPv6 echo request header and payload.</summary>
    public static byte[] Icmp(byte type = 8, int payload = 8)
    {
        var icmp = new byte[4 + payload];
        icmp[0] = type;
        return icmp;
    }

    public static byte[] V4(IPAddress source, byte protocol, byte[] l4, int optionBytes = 0, ushort fragmentField = 0, params ushort[] tags) =>
        Ethernet(tags, 0x0800, IPv4Packet(source, Destination4, protocol, l4, optionBytes, fragmentField));

    public static byte[] V6(IPAddress source, byte protocol, byte[] l4, IReadOnlyList<ExtensionHeader>? extensions = null, params ushort[] tags) =>
        Ethernet(tags, 0x86dd, IPv6Packet(source, Destination6, protocol, l4, extensions));

    public static readonly IPAddress Destination4 = IPAddress.Parse("198.18.255.1");
    public static readonly IPAddress Destination6 = IPAddress.Parse("fd00:ffff::1");

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}

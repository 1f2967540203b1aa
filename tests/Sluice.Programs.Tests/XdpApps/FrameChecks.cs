using System.Buffers.Binary;
using System.Net;
using Sluice.Lab.Packets;
using Xunit;

namespace Sluice.Programs.Tests.XdpApps;

/// <summary>An IP frame taken apart independently of the programs under test, with its checksums verified.</summary>
internal sealed record ParsedFrame(byte[] Frame, int L3Offset, int L4Offset, int Version, byte Protocol, byte Ttl, IPAddress Source, IPAddress Destination)
{
    internal ReadOnlySpan<byte> L4 => Frame.AsSpan(L4Offset);
    internal string DestinationMac => Convert.ToHexString(Frame, 0, 6);
    internal string SourceMac => Convert.ToHexString(Frame, 6, 6);
    internal ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(L4);
    internal ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(L4[2..]);
}

/// <summary>Parses Ethernet (+ VLAN tags) / IPv4 / IPv6 frames and asserts that every checksum in them is right.</summary>
internal static class FrameChecks
{
    internal static ParsedFrame Parse(byte[] frame)
    {
        int offset = 12;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset));
        while (type is 0x8100 or 0x88a8)
        {
            offset += 4;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset));
        }
        int l3 = offset + 2;
        if (type == 0x0800)
        {
            int headerLength = (frame[l3] & 0x0f) * 4;
            int totalLength = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 2));
            var trimmed = frame[..(l3 + totalLength)];
            return new ParsedFrame(trimmed, l3, l3 + headerLength, 4, frame[l3 + 9], frame[l3 + 8],
                new IPAddress(frame.AsSpan(l3 + 12, 4)), new IPAddress(frame.AsSpan(l3 + 16, 4)));
        }
        Assert.Equal(0x86dd, type);
        int payload = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 4));
        return new ParsedFrame(frame[..(l3 + 40 + payload)], l3, l3 + 40, 6, frame[l3 + 6], frame[l3 + 7],
            new IPAddress(frame.AsSpan(l3 + 8, 16)), new IPAddress(frame.AsSpan(l3 + 24, 16)));
    }

    /// <summary>Parses and asserts the IPv4 header checksum and the ICMP / ICMPv6 / UDP / TCP checksum.</summary>
    internal static ParsedFrame AssertChecksums(byte[] frame)
    {
        var parsed = Parse(frame);
        if (parsed.Version == 4)
            Assert.True(PacketBuilder.Checksum(parsed.Frame.AsSpan(parsed.L3Offset, parsed.L4Offset - parsed.L3Offset)) == 0, "IPv4 header checksum is wrong");
        var l4 = parsed.L4;
        switch (parsed.Protocol)
        {
            case PacketBuilder.Icmp:
                Assert.True(PacketBuilder.Checksum(l4) == 0, "ICMP checksum is wrong");
                break;
            case PacketBuilder.Udp when parsed.Version == 4 && BinaryPrimitives.ReadUInt16BigEndian(l4[6..]) == 0:
                break; // IPv4 UDP without a checksum
            case PacketBuilder.Udp or PacketBuilder.Tcp or PacketBuilder.IcmpV6:
                Assert.True(PacketBuilder.TransportChecksum(parsed.Source, parsed.Destination, parsed.Protocol, l4) == 0,
                    $"protocol {parsed.Protocol} checksum is wrong");
                break;
        }
        return parsed;
    }

    /// <summary>Writes the right UDP checksum into a frame built with checksum 0.</summary>
    internal static byte[] WithUdpChecksum(byte[] frame)
    {
        var parsed = Parse(frame);
        var udp = frame.AsSpan(parsed.L4Offset);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        ushort sum = PacketBuilder.TransportChecksum(parsed.Source, parsed.Destination, PacketBuilder.Udp, udp);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], sum == 0 ? (ushort)0xffff : sum);
        return frame;
    }
}

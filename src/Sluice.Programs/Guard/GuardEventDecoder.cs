using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Programs.Guard;

/// <summary>Turns a guard_events record (struct guard_event) into a <see cref="GuardEvent"/>: a best-effort header walk.</summary>
public static class GuardEventDecoder
{
    /// <summary>Decodes one ring-buffer record; false when it is shorter than the fixed header.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> record, [NotNullWhen(true)] out GuardEvent? decoded)
    {
        decoded = null;
        int headerSize = Unsafe.SizeOf<GuardEventHeader>();
        if (record.Length < headerSize) return false;
        var header = MemoryMarshal.Read<GuardEventHeader>(record);
        int captured = Math.Min(Math.Min((int)header.Captured, GuardEventHeader.CaptureLength), record.Length - headerSize);
        var data = record.Slice(headerSize, captured).ToArray();
        var frame = DecodeFrame(data);
        decoded = new GuardEvent(header.Reason, header.TimestampNs, header.InterfaceIndex, header.PacketLength,
            frame.Source, frame.Destination, frame.Protocol, frame.SourcePort, frame.DestinationPort, data);
        return true;
    }

    /// <summary>Addresses, protocol and ports of an Ethernet frame's start (VLAN tags and IPv6 extension headers skipped).</summary>
    public static (IPAddress? Source, IPAddress? Destination, byte Protocol, ushort SourcePort, ushort DestinationPort) DecodeFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14) return default;
        int offset = 12;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        offset += 2;
        for (int tags = 0; tags < 2 && etherType is 0x8100 or 0x88a8; tags++)
        {
            if (frame.Length < offset + 4) return default;
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += 4;
        }
        IPAddress source, destination;
        byte protocol;
        bool firstFragment = true;
        if (etherType == 0x0800)
        {
            if (frame.Length < offset + 20) return default;
            int ihl = (frame[offset] & 0x0F) * 4;
            protocol = frame[offset + 9];
            ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 6)..]);
            firstFragment = (fragment & 0x1FFF) == 0;
            source = new IPAddress(frame.Slice(offset + 12, 4));
            destination = new IPAddress(frame.Slice(offset + 16, 4));
            offset += Math.Max(ihl, 20);
        }
        else if (etherType == 0x86DD)
        {
            if (frame.Length < offset + 40) return default;
            protocol = frame[offset + 6];
            source = GuardAddress.Identity(new IPAddress(frame.Slice(offset + 8, 16)));
            destination = new IPAddress(frame.Slice(offset + 24, 16));
            offset += 40;
            for (int i = 0; i < 8 && protocol is 0 or 43 or 44 or 60 or 51; i++)
            {
                if (frame.Length < offset + 8) return (source, destination, protocol, 0, 0);
                byte next = frame[offset];
                if (protocol == 44)
                {
                    firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]) & 0xFFF8) == 0;
                    offset += 8;
                }
                else offset += protocol == 51 ? (frame[offset + 1] + 2) * 4 : (frame[offset + 1] + 1) * 8;
                protocol = next;
            }
        }
        else return default;
        ushort sourcePort = 0, destinationPort = 0;
        if (firstFragment && protocol is GuardRule.Tcp or GuardRule.Udp && frame.Length >= offset + 4)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
        }
        return (source, destination, protocol, sourcePort, destinationPort);
    }
}

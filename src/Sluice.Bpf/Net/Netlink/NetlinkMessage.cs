using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Sluice.Bpf.Net.Netlink.NetlinkConstants;

namespace Sluice.Bpf.Net.Netlink;

/// <summary>One received netlink message: its type and flags, and the payload after the 16-byte header.</summary>
internal sealed class NetlinkMessage(ushort type, ushort flags, uint sequence, byte[] payload)
{
    internal ushort Type { get; } = type;
    internal ushort Flags { get; } = flags;
    internal uint Sequence { get; } = sequence;
    internal byte[] Payload { get; } = payload;

    /// <summary>The family's fixed header at the start of the payload.</summary>
    internal T ReadHeader<T>() where T : unmanaged =>
        Payload.Length >= Marshal.SizeOf<T>() ? MemoryMarshal.Read<T>(Payload) : default;

    /// <summary>The attributes that follow a fixed header of <paramref name="headerLength"/> bytes.</summary>
    internal NetlinkAttributes Attributes(int headerLength) =>
        NetlinkAttributes.Parse(Payload.AsSpan(Math.Min(Payload.Length, Align(headerLength))));

    /// <summary>Splits a datagram into messages.</summary>
    internal static List<NetlinkMessage> ParseAll(ReadOnlySpan<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        while (datagram.Length >= HeaderLength)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < HeaderLength || length > datagram.Length) break;
            messages.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]),
                BinaryPrimitives.ReadUInt16LittleEndian(datagram[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]),
                datagram[HeaderLength..length].ToArray()));
            datagram = datagram[Math.Min(datagram.Length, Align(length))..];
        }
        return messages;
    }
}

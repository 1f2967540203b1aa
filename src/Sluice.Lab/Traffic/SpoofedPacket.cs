using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sluice.Lab.Packets;

namespace Sluice.Lab.Traffic;

/// <summary>
/// One reusable IP packet (no Ethernet header: raw sockets add it) whose source address and ports change per send,
/// with the L4 checksum recomputed over the pseudo-header, so packets that pass the guard are valid for the stack.
/// </summary>
internal sealed class SpoofedPacket
{
    private readonly byte[] _packet;
    private readonly int _ipLength;
    private readonly bool _v6;
    private readonly FloodKind _kind;

    internal SpoofedPacket(FloodKind kind, IPEndPoint target, int payloadLength)
    {
        _kind = kind;
        _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        _ipLength = _v6 ? 40 : 20;
        int l4Length = kind == FloodKind.Syn ? 20 : 8 + payloadLength;
        _packet = new byte[_ipLength + l4Length];
        var ip = _packet.AsSpan(0, _ipLength);
        byte protocol = kind == FloodKind.Syn ? PacketBuilder.Tcp : PacketBuilder.Udp;
        if (_v6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)l4Length);
            ip[6] = protocol;
            ip[7] = 64;
            target.Address.TryWriteBytes(ip[24..40], out _);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)_packet.Length);
            ip[6] = 0x40; // don't fragment
            ip[8] = 64;
            ip[9] = protocol;
            target.Address.TryWriteBytes(ip[16..20], out _);
        }
        var l4 = L4;
        BinaryPrimitives.WriteUInt16BigEndian(l4[2..], (ushort)target.Port);
        if (kind == FloodKind.Syn)
        {
            l4[12] = 5 << 4;
            l4[13] = PacketBuilder.TcpSyn;
            BinaryPrimitives.WriteUInt16BigEndian(l4[14..], 64240);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)l4Length);
        }
    }

    private Span<byte> L4 => _packet.AsSpan(_ipLength);

    private Span<byte> SourceAddress => _v6 ? _packet.AsSpan(8, 16) : _packet.AsSpan(12, 4);

    /// <summary>Writes a source address from <paramref name="sources"/>, ports and sequence from <paramref name="random"/>.</summary>
    internal ReadOnlySpan<byte> Next(IPNetwork sources, ReadOnlySpan<byte> sourceBase, Random random, ushort id)
    {
        var source = SourceAddress;
        random.NextBytes(source);
        int prefix = sources.PrefixLength;
        for (int i = 0; i < source.Length; i++)
        {
            int fixedBits = Math.Clamp(prefix - 8 * i, 0, 8);
            byte mask = (byte)(0xff00 >> fixedBits);
            source[i] = (byte)((sourceBase[i] & mask) | (source[i] & ~mask));
        }
        if (!_v6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_packet.AsSpan(4), id);
            _packet[10] = _packet[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(_packet.AsSpan(10), PacketBuilder.Checksum(_packet.AsSpan(0, 20)));
        }
        var l4 = L4;
        BinaryPrimitives.WriteUInt16BigEndian(l4, (ushort)random.Next(1024, 65536));
        if (_kind == FloodKind.Syn) BinaryPrimitives.WriteUInt32BigEndian(l4[4..], (uint)random.Next());
        int checksumOffset = _kind == FloodKind.Syn ? 16 : 6;
        l4[checksumOffset] = l4[checksumOffset + 1] = 0;
        ushort checksum = L4Checksum();
        // UDP sends 0 as 0xffff: 0 means "no checksum".
        if (checksum == 0 && _kind == FloodKind.Udp) checksum = 0xffff;
        BinaryPrimitives.WriteUInt16BigEndian(l4[checksumOffset..], checksum);
        return _packet;
    }

    private ushort L4Checksum()
    {
        var l4 = L4;
        uint sum = 0;
        ReadOnlySpan<byte> addresses = _v6 ? _packet.AsSpan(8, 32) : _packet.AsSpan(12, 8);
        for (int i = 0; i < addresses.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(addresses[i..]);
        sum += _kind == FloodKind.Syn ? PacketBuilder.Tcp : PacketBuilder.Udp;
        sum += (uint)l4.Length;
        for (int i = 0; i + 1 < l4.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(l4[i..]);
        if (l4.Length % 2 == 1) sum += (uint)(l4[^1] << 8);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

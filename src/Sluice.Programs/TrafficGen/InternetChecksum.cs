using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.TrafficGen;

/// <summary>The Internet checksum (RFC 1071) and the TCP/UDP/ICMPv6 checksum over an IPv4 or IPv6 pseudo-header.</summary>
public static class InternetChecksum
{
    /// <summary>The checksum of <paramref name="bytes"/>: over data whose checksum field is 0, the value to write; over correct data, 0.</summary>
    public static ushort Compute(ReadOnlySpan<byte> bytes) => Finish(Sum(bytes, 0));

    /// <summary>
    /// The TCP/UDP/ICMPv6 checksum of <paramref name="segment"/> with its pseudo-header (IPv4 or IPv6, from the
    /// addresses' family). Over a segment whose checksum field is 0 it is the value to write; over a correct one, 0.
    /// </summary>
    public static ushort Transport(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> addresses = stackalloc byte[32];
        source.TryWriteBytes(addresses, out int length);
        destination.TryWriteBytes(addresses[length..], out _);
        uint sum = Sum(addresses[..(2 * length)], 0) + protocol;
        sum += source.AddressFamily == AddressFamily.InterNetworkV6
            ? (uint)(segment.Length >> 16) + (uint)(segment.Length & 0xffff)
            : (uint)segment.Length;
        return Finish(Sum(segment, sum));
    }

    private static uint Sum(ReadOnlySpan<byte> bytes, uint sum)
    {
        for (int i = 0; i + 1 < bytes.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if (bytes.Length % 2 == 1) sum += (uint)(bytes[^1] << 8);
        return sum;
    }

    private static ushort Finish(uint sum)
    {
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

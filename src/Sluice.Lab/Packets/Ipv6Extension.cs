namespace Sluice.Lab.Packets;

/// <summary>
/// One IPv6 extension header for
/// <see cref="PacketBuilder.Ipv6(System.Net.IPAddress, System.Net.IPAddress, IReadOnlyList{Ipv6Extension}, byte, ReadOnlySpan{byte})"/>:
/// its type (the next-header value that announces it) and its bytes after the next-header field. The builder writes
/// the next-header byte of each header; the length byte is part of <see cref="Body"/>.
/// </summary>
/// <param name="Type">0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60 destination options, or any other value.</param>
/// <param name="Body">Every byte of the header except the first (next header).</param>
public sealed record Ipv6Extension(byte Type, byte[] Body)
{
    /// <summary>Next-header values of the extension headers.</summary>
    public const byte HopByHopType = 0, RoutingType = 43, FragmentType = 44, AuthenticationType = 51, DestinationOptionsType = 60;

    /// <summary>The header's length in bytes (1 + <see cref="Body"/>).</summary>
    public int Length => 1 + Body.Length;

    /// <summary>A hop-by-hop options header of (<paramref name="lengthUnits"/> + 1) * 8 bytes, padded with PadN.</summary>
    public static Ipv6Extension HopByHop(byte lengthUnits = 0) => Options(HopByHopType, lengthUnits);

    /// <summary>A destination options header of (<paramref name="lengthUnits"/> + 1) * 8 bytes.</summary>
    public static Ipv6Extension DestinationOptions(byte lengthUnits = 0) => Options(DestinationOptionsType, lengthUnits);

    /// <summary>A type-4 (segment routing style) routing header with no segments left, (<paramref name="lengthUnits"/> + 1) * 8 bytes.</summary>
    public static Ipv6Extension Routing(byte lengthUnits = 0)
    {
        var body = new byte[(lengthUnits + 1) * 8 - 1];
        body[0] = lengthUnits;
        body[1] = 4; // routing type
        return new Ipv6Extension(RoutingType, body);
    }

    /// <summary>A fragment header (8 bytes): <paramref name="offset"/> in 8-byte units, the M flag, identification.</summary>
    public static Ipv6Extension Fragment(ushort offset, bool moreFragments, uint identification = 1)
    {
        var body = new byte[7];
        ushort field = (ushort)((offset << 3) | (moreFragments ? 1 : 0));
        body[1] = (byte)(field >> 8);
        body[2] = (byte)field;
        body[3] = (byte)(identification >> 24);
        body[4] = (byte)(identification >> 16);
        body[5] = (byte)(identification >> 8);
        body[6] = (byte)identification;
        return new Ipv6Extension(FragmentType, body);
    }

    /// <summary>An authentication header of (<paramref name="lengthUnits"/> + 2) * 4 bytes (the AH length rule; default 12 bytes).</summary>
    public static Ipv6Extension Authentication(byte lengthUnits = 1)
    {
        var body = new byte[(lengthUnits + 2) * 4 - 1];
        body[0] = lengthUnits;
        body[4] = 0x12; // a non-zero SPI
        return new Ipv6Extension(AuthenticationType, body);
    }

    private static Ipv6Extension Options(byte type, byte lengthUnits)
    {
        var body = new byte[(lengthUnits + 1) * 8 - 1];
        body[0] = lengthUnits;
        body[1] = 1;                          // PadN
        body[2] = (byte)(body.Length - 3);   // its data length: the rest of the header
        return new Ipv6Extension(type, body);
    }
}

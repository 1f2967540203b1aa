namespace Sluice.Lab.Packets;

/// <summary>
/// How <see cref="PacketBuilder.Ipv4(System.Net.IPAddress, System.Net.IPAddress, byte, ReadOnlySpan{byte}, Ipv4Options)"/>
/// shapes the IPv4 header: options, fragmentation and, for malformed-packet tests, raw overrides of the version,
/// IHL and total length fields. The header checksum is always computed over what is written.
/// </summary>
public sealed record Ipv4Options
{
    /// <summary>IP option bytes after the 20-byte header; padded with zeros (end of options) to a multiple of 4, at most 40.</summary>
    public byte[] Options { get; init; } = [];

    /// <summary>The MF (more fragments) flag.</summary>
    public bool MoreFragments { get; init; }

    /// <summary>The DF (don't fragment) flag.</summary>
    public bool DontFragment { get; init; }

    /// <summary>The fragment offset in 8-byte units (0..8191).</summary>
    public ushort FragmentOffset { get; init; }

    /// <summary>The identification field.</summary>
    public ushort Identification { get; init; }

    /// <summary>Time to live.</summary>
    public byte TimeToLive { get; init; } = 64;

    /// <summary>Writes this version number instead of 4 (malformed-packet tests).</summary>
    public byte Version { get; init; } = 4;

    /// <summary>Writes this IHL (4-byte units, 0..15) instead of the real header length (malformed-packet tests).</summary>
    public byte? HeaderLengthOverride { get; init; }

    /// <summary>Writes this total length instead of the real one (malformed-packet tests).</summary>
    public ushort? TotalLengthOverride { get; init; }
}

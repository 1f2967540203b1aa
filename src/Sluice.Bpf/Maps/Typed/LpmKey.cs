using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Bpf;

/// <summary>
/// An LPM trie key (struct bpf_lpm_trie_key_u8): a prefix length in bits followed by the data, whose bytes are in
/// network order (most significant first), exactly as the BPF program compares them.
/// </summary>
/// <typeparam name="T">The data, e.g. <see cref="uint"/> for IPv4 or <see cref="IPv6Bytes"/> for IPv6.</typeparam>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct LpmKey<T> : IEquatable<LpmKey<T>> where T : unmanaged
{
    /// <summary>Creates a key.</summary>
    public LpmKey(uint prefixLength, T data)
    {
        PrefixLength = prefixLength;
        Data = data;
    }

    /// <summary>Number of leading bits of <see cref="Data"/> that count (host byte order, as the kernel reads it).</summary>
    public uint PrefixLength;

    /// <summary>The address or other data, in network byte order.</summary>
    public T Data;

    /// <inheritdoc />
    public readonly bool Equals(LpmKey<T> other) =>
        PrefixLength == other.PrefixLength &&
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in Data)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in other.Data)));

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is LpmKey<T> other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(PrefixLength);
        hash.AddBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in Data)));
        return hash.ToHashCode();
    }

    /// <summary>Equality of prefix length and data bytes.</summary>
    public static bool operator ==(LpmKey<T> left, LpmKey<T> right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(LpmKey<T> left, LpmKey<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public override readonly string ToString() =>
        $"{Convert.ToHexString(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in Data)))}/{PrefixLength}";
}

/// <summary>Builds <see cref="LpmKey{T}"/> values for IP prefixes.</summary>
public static class LpmKey
{
    /// <summary>An IPv4 prefix: the 4 address bytes in network order in a <see cref="uint"/> (as <c>__u32 addr</c> in BPF C).</summary>
    /// <exception cref="ArgumentException">Not an IPv4 address, or the prefix is over 32.</exception>
    public static LpmKey<uint> IPv4(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException($"{address} is not IPv4", nameof(address));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)prefixLength, 32u, nameof(prefixLength));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return new LpmKey<uint>((uint)prefixLength, MemoryMarshal.Read<uint>(bytes));
    }

    /// <summary>Parses "198.18.0.0/15" into an IPv4 key (no "/n" means /32).</summary>
    public static LpmKey<uint> IPv4(string cidr)
    {
        var (address, prefix) = ParseCidr(cidr);
        return IPv4(address, prefix);
    }

    /// <summary>An IPv6 prefix: the 16 address bytes in network order.</summary>
    /// <exception cref="ArgumentException">Not an IPv6 address, or the prefix is over 128.</exception>
    public static LpmKey<IPv6Bytes> IPv6(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) throw new ArgumentException($"{address} is not IPv6", nameof(address));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)prefixLength, 128u, nameof(prefixLength));
        var data = default(IPv6Bytes);
        address.TryWriteBytes(data, out _);
        return new LpmKey<IPv6Bytes>((uint)prefixLength, data);
    }

    /// <summary>Parses "fd00::/8" into an IPv6 key.</summary>
    public static LpmKey<IPv6Bytes> IPv6(string cidr)
    {
        var (address, prefix) = ParseCidr(cidr);
        return IPv6(address, prefix);
    }

    /// <summary>The IPv4 address of a key made by <see cref="IPv4(IPAddress, int)"/>.</summary>
    public static IPAddress ToIPAddress(this LpmKey<uint> key)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in key.Data);
        return new IPAddress(bytes);
    }

    /// <summary>The IPv6 address of a key made by <see cref="IPv6(IPAddress, int)"/>.</summary>
    public static IPAddress ToIPAddress(this LpmKey<IPv6Bytes> key) => new(key.Data);

    /// <summary>A /32 key for looking up one IPv4 address.</summary>
    public static LpmKey<uint> Host(IPAddress address) => IPv4(address, 32);

    private static (IPAddress Address, int Prefix) ParseCidr(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? cidr : cidr[..slash]);
        int prefix = slash < 0
            ? (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : int.Parse(cidr.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
        return (address, prefix);
    }
}

/// <summary>16 bytes of an IPv6 address in network order, as the data of an <see cref="LpmKey{T}"/>.</summary>
[InlineArray(16)]
public struct IPv6Bytes
{
    private byte _first;
}

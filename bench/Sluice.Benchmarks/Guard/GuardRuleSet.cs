using System.Buffers.Binary;
using System.Net;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Guard;

/// <summary>
/// A deterministic, realistic-sized guard rule set: deny prefixes (IPv4 and IPv6, in the LPM tries) and exact deny
/// addresses (in the hashes), plus sources that hit each kind and sources that match nothing. Addresses are random
/// over the whole address space, as real block lists are; they are only ever map data and test-run input, never sent.
/// IPv4 addresses are kept as their four network-order bytes read as a little-endian uint (the map key layout).
/// </summary>
public sealed class GuardRuleSet
{
    private readonly HashSet<ulong> _prefix4 = [];
    private readonly HashSet<uint> _exact4 = [];
    private readonly HashSet<(UInt128 Address, int Length)> _prefix6 = [];
    private readonly HashSet<UInt128> _exact6 = [];
    private readonly Random _random;

    /// <summary>
    /// Builds <paramref name="prefixes"/> deny prefixes and <paramref name="exact"/> exact addresses, a tenth of
    /// each IPv6 unless <paramref name="ipv4Only"/>.
    /// </summary>
    public GuardRuleSet(int prefixes, int exact, bool ipv4Only = false, int seed = 5)
    {
        _random = new Random(seed);
        int prefixes6 = ipv4Only ? 0 : prefixes / 10, exact6 = ipv4Only ? 0 : exact / 10;
        while (Prefixes4.Count < prefixes - prefixes6)
        {
            int length = _random.Next(2) == 0 ? 24 : _random.Next(12, 32);
            uint address = Mask4(RandomUInt(), length);
            if (_prefix4.Add(((ulong)length << 32) | address)) Prefixes4.Add(new LpmKey<uint>((uint)length, address));
        }
        while (Exact4.Count < exact - exact6)
        {
            uint address = RandomUInt();
            if (_exact4.Add(address)) Exact4.Add(address);
        }
        while (Prefixes6.Count < prefixes6)
        {
            int length = _random.Next(3) switch { 0 => 48, 1 => 64, _ => _random.Next(29, 65) };
            var address = Mask6(RandomUInt128(), length);
            if (_prefix6.Add((address, length))) Prefixes6.Add(new LpmKey<IPv6Bytes>((uint)length, ToBytes(address)));
        }
        while (Exact6.Count < exact6)
        {
            var address = RandomUInt128();
            if (_exact6.Add(address)) Exact6.Add(ToBytes(address));
        }
    }

    /// <summary>IPv4 deny prefixes (lengths 12..31, half of them /24).</summary>
    public List<LpmKey<uint>> Prefixes4 { get; } = [];

    /// <summary>IPv4 exact deny addresses.</summary>
    public List<uint> Exact4 { get; } = [];

    /// <summary>IPv6 deny prefixes (/29../64, many /48 and /64).</summary>
    public List<LpmKey<IPv6Bytes>> Prefixes6 { get; } = [];

    /// <summary>IPv6 exact deny addresses.</summary>
    public List<IPv6Bytes> Exact6 { get; } = [];

    /// <summary>A source inside the <paramref name="index"/>-th IPv4 prefix (random host bits).</summary>
    public IPAddress PrefixSource4(int index)
    {
        var key = Prefixes4[index % Prefixes4.Count];
        uint host = BinaryPrimitives.ReverseEndianness(RandomUInt()) & (uint.MaxValue >> (int)key.PrefixLength);
        return new IPAddress(BitConverter.GetBytes(key.Data | BinaryPrimitives.ReverseEndianness(host)));
    }

    /// <summary>The <paramref name="index"/>-th exact IPv4 address.</summary>
    public IPAddress ExactSource4(int index) => new(BitConverter.GetBytes(Exact4[index % Exact4.Count]));

    /// <summary>A source inside the <paramref name="index"/>-th IPv6 prefix.</summary>
    public IPAddress PrefixSource6(int index)
    {
        var key = Prefixes6[index % Prefixes6.Count];
        var network = FromBytes(key.Data);
        var host = RandomUInt128() & (UInt128.MaxValue >> (int)key.PrefixLength);
        return new IPAddress(ToBytesArray(network | host));
    }

    /// <summary>The <paramref name="index"/>-th exact IPv6 address.</summary>
    public IPAddress ExactSource6(int index)
    {
        var bytes = Exact6[index % Exact6.Count];
        return new IPAddress((ReadOnlySpan<byte>)bytes);
    }

    /// <summary>A random IPv4 source no rule matches.</summary>
    public IPAddress MissSource4()
    {
        while (true)
        {
            uint address = RandomUInt();
            if (!Matches4(address)) return new IPAddress(BitConverter.GetBytes(address));
        }
    }

    /// <summary>A random IPv6 source no rule matches.</summary>
    public IPAddress MissSource6()
    {
        while (true)
        {
            var address = RandomUInt128();
            if (!Matches6(address)) return new IPAddress(ToBytesArray(address));
        }
    }

    private bool Matches4(uint address)
    {
        if (_exact4.Contains(address)) return true;
        for (int length = 0; length <= 32; length++)
            if (_prefix4.Contains(((ulong)length << 32) | Mask4(address, length))) return true;
        return false;
    }

    private bool Matches6(UInt128 address)
    {
        if (_exact6.Contains(address)) return true;
        for (int length = 0; length <= 128; length++)
            if (_prefix6.Contains((Mask6(address, length), length))) return true;
        return false;
    }

    // Network-order bytes in a little-endian uint: the first address byte is the low byte.
    private static uint Mask4(uint address, int length) =>
        length == 0 ? 0 : address & BinaryPrimitives.ReverseEndianness(uint.MaxValue << (32 - length));

    // IPv6 addresses as big-endian 128-bit numbers.
    private static UInt128 Mask6(UInt128 address, int length) => length == 0 ? 0 : address & (UInt128.MaxValue << (128 - length));

    private uint RandomUInt() => (uint)_random.NextInt64(0, 1L << 32);

    private UInt128 RandomUInt128() => new((ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 63), (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 63));

    private static byte[] ToBytesArray(UInt128 address)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return bytes;
    }

    private static IPv6Bytes ToBytes(UInt128 address)
    {
        var bytes = new IPv6Bytes();
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return bytes;
    }

    private static UInt128 FromBytes(IPv6Bytes bytes) => BinaryPrimitives.ReadUInt128BigEndian(bytes);
}

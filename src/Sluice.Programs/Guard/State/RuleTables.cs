using System.Net;
using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>The six rule maps of a guard as <see cref="RuleTable"/>s, with the key encodings of guard.h.</summary>
internal sealed class RuleTables
{
    internal RuleTables(GuardMaps maps)
    {
        Exact4 = new RuleTable<uint>(RuleTableKind.Exact4, maps.Exact4, (a, _, _, _) => V4(a),
            (k, v) => Rule(V4(k), 32, v, 0, 0));
        Exact6 = new RuleTable<IPv6Bytes>(RuleTableKind.Exact6, maps.Exact6, (a, _, _, _) => V6(a),
            (k, v) => Rule(new IPAddress(k), 128, v, 0, 0));
        Prefix4 = new RuleTable<LpmKey<uint>>(RuleTableKind.Prefix4, maps.Rules4, (a, p, _, _) => new LpmKey<uint>((uint)p, V4(a)),
            (k, v) => Rule(V4(k.Data), (int)k.PrefixLength, v, 0, 0));
        Prefix6 = new RuleTable<LpmKey<IPv6Bytes>>(RuleTableKind.Prefix6, maps.Rules6, (a, p, _, _) => new LpmKey<IPv6Bytes>((uint)p, V6(a)),
            (k, v) => Rule(new IPAddress(k.Data), (int)k.PrefixLength, v, 0, 0));
        Port4 = new RuleTable<LpmKey<GuardPortDataV4>>(RuleTableKind.Port4, maps.Ports4,
            (a, p, proto, port) => new LpmKey<GuardPortDataV4>(PortPrefixBits + (uint)p,
                new GuardPortDataV4 { Protocol = proto, PortHigh = (byte)(port >> 8), PortLow = (byte)port, Address = V4(a) }),
            (k, v) => Rule(V4(k.Data.Address), (int)k.PrefixLength - (int)PortPrefixBits, v, k.Data.Protocol, (ushort)(k.Data.PortHigh << 8 | k.Data.PortLow)));
        Port6 = new RuleTable<LpmKey<GuardPortDataV6>>(RuleTableKind.Port6, maps.Ports6,
            (a, p, proto, port) => new LpmKey<GuardPortDataV6>(PortPrefixBits + (uint)p,
                new GuardPortDataV6 { Protocol = proto, PortHigh = (byte)(port >> 8), PortLow = (byte)port, Address = V6(a) }),
            (k, v) => Rule(new IPAddress(k.Data.Address), (int)k.PrefixLength - (int)PortPrefixBits, v, k.Data.Protocol, (ushort)(k.Data.PortHigh << 8 | k.Data.PortLow)));
        All = [Exact4, Exact6, Prefix4, Prefix6, Port4, Port6];
    }

    /// <summary>Protocol (8 bits) and port (16 bits) come before the address in a port trie key.</summary>
    internal const uint PortPrefixBits = 24;

    internal RuleTable Exact4 { get; }
    internal RuleTable Exact6 { get; }
    internal RuleTable Prefix4 { get; }
    internal RuleTable Prefix6 { get; }
    internal RuleTable Port4 { get; }
    internal RuleTable Port6 { get; }

    /// <summary>Every table, in <see cref="RuleTableKind"/> order.</summary>
    internal IReadOnlyList<RuleTable> All { get; }

    internal RuleTable For(GuardRule rule) => All[(int)RuleTable.KindOf(rule)];

    internal RuleTable this[RuleTableKind kind] => All[(int)kind];

    /// <summary>Every installed rule that matches TCP (or <paramref name="protocol"/>) from <paramref name="client"/> to <paramref name="port"/>.</summary>
    internal List<GuardRule> Matching(IPAddress client, byte protocol, ushort port)
    {
        client = GuardAddress.Identity(client);
        bool v4 = client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var result = new List<GuardRule>();
        result.AddRange((v4 ? Exact4 : Exact6).Matching(client, 0, 0).Select(m => m.Rule));
        result.AddRange((v4 ? Prefix4 : Prefix6).Matching(client, 0, 0).Select(m => m.Rule));
        var ports = v4 ? Port4 : Port6;
        result.AddRange(ports.Matching(client, protocol, 0).Select(m => m.Rule));
        if (port != 0) result.AddRange(ports.Matching(client, protocol, port).Select(m => m.Rule));
        return result;
    }

    private static GuardRule Rule(IPAddress address, int prefix, GuardRuleValue value, byte protocol, ushort port) =>
        new(new IPNetwork(address, prefix), RuleTable.ActionOf(value), protocol, port);

    private static uint V4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return MemoryMarshal.Read<uint>(bytes);
    }

    private static IPAddress V4(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in address);
        return new IPAddress(bytes);
    }

    private static IPv6Bytes V6(IPAddress address)
    {
        var bytes = default(IPv6Bytes);
        address.TryWriteBytes(bytes, out _);
        return bytes;
    }
}

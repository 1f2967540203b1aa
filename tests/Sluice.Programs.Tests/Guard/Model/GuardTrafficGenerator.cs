using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sluice.Programs.Guard;
using Sluice.Lab.Packets;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>A random rule set with its configuration (verdicts, suspicious marks, metadata), for the differential test.</summary>
/// <remarks>TrackSources turns on the per-source path of the program (step 5) with every limit still off: verdicts must not change.</remarks>
internal sealed record GuardScenario(IReadOnlyList<GuardRule> Rules, GuardVerdict Default, GuardVerdict Malformed, GuardMarks Suspicious, bool Metadata,
    bool TrackSources)
{
    public GuardConfigValue ConfigValue()
    {
        var config = GuardConfigValue.Default;
        config.DefaultVerdict = Default;
        config.MalformedVerdict = Malformed;
        config.SuspiciousMarks = Suspicious;
        config.Flags = (Metadata ? GuardConfigFlags.Metadata : GuardConfigFlags.None) | (TrackSources ? GuardConfigFlags.TrackSources : GuardConfigFlags.None);
        return config;
    }

    public override string ToString() =>
        $"default {Default}, malformed {Malformed}, suspicious [{Suspicious}], metadata {Metadata}, track sources {TrackSources}, {Rules.Count} rules:"
        + string.Concat(Rules.Select(r => $"{Environment.NewLine}    {r}"));
}

/// <summary>
/// Seeded generator of random rule sets and of random and mutated frames biased to hit them: sources drawn from
/// the rules' prefixes, protocols and ports from their scopes; VLAN/QinQ, IPv4 options and fragments, IPv6
/// extension headers and fragments; then truncation at header boundaries, byte flips, wrong lengths and garbage.
/// </summary>
internal sealed class GuardTrafficGenerator(int seed)
{
    private static readonly byte[] Protocols = [6, 17, 1, 58, 47, 50, 59, 132, 0, 43, 60, 255];
    private static readonly ushort[] Ports = [22, 53, 80, 443, 4789, 11211, 0, 65535];
    private static readonly byte[] ExtensionTypes = [0, 43, 60, 51, 44];
    private static readonly IPAddress[] Anchors4 = [.. new[] { "198.18.0.0", "198.18.1.0", "198.18.1.128", "198.19.255.0", "198.18.77.12" }.Select(IPAddress.Parse)];
    private static readonly IPAddress[] Anchors6 = [.. new[] { "fd00::", "fd00:1::", "fd00:1:0:1::", "fd12:3456::", "fdff:ffff::ff00" }.Select(IPAddress.Parse)];

    private readonly Random _random = new(seed);
    private GuardScenario? _scenario;

    public int Seed { get; } = seed;

    public GuardScenario NextScenario()
    {
        int count = _random.Next(0, 6) == 0 ? _random.Next(0, 4) : _random.Next(4, 48);
        var rules = new List<GuardRule>();
        while (rules.Count < count)
        {
            if (rules.Count > 0 && _random.Next(8) == 0)
            {
                // The same prefix and scope with the other action (allow wins), or a neighbour scope of a rule.
                var existing = rules[_random.Next(rules.Count)];
                rules.Add(_random.Next(2) == 0
                    ? existing with { Action = existing.Action == GuardRuleAction.Allow ? GuardRuleAction.Deny : GuardRuleAction.Allow }
                    : existing with { Protocol = existing.Protocol == 0 ? RandomProtocol() : (byte)0, Port = 0 });
                continue;
            }
            bool v6 = _random.Next(10) < 4;
            int bits = v6 ? 128 : 32;
            int length = _random.Next(12) switch
            {
                0 => 0,
                1 => bits,
                2 => bits - 1,
                3 or 4 => _random.Next(0, bits + 1),
                _ => v6 ? new[] { 8, 16, 32, 48, 56, 64, 80, 96, 112, 120, 124 }[_random.Next(11)] : new[] { 8, 15, 16, 17, 20, 23, 24, 25, 28, 30 }[_random.Next(10)],
            };
            var anchor = _random.Next(6) == 0 ? RandomAddress(v6) : (v6 ? Anchors6 : Anchors4)[_random.Next(5)];
            if (_random.Next(3) == 0) anchor = RandomWithin(anchor, Math.Min(length + 8, bits), bits);
            var network = new IPNetwork(Mask(anchor, length), length);
            var action = _random.Next(2) == 0 ? GuardRuleAction.Allow : GuardRuleAction.Deny;
            rules.Add(_random.Next(4) switch
            {
                0 or 1 => new GuardRule(network, action),
                2 => new GuardRule(network, action, RandomProtocol()),
                _ => new GuardRule(network, action, _random.Next(2) == 0 ? PacketBuilder.Tcp : PacketBuilder.Udp, RandomPort()),
            });
        }
        GuardMarks suspicious = GuardMarks.None;
        foreach (var mark in new[] { GuardMarks.Allowed, GuardMarks.Fragment, GuardMarks.Malformed, GuardMarks.Unmatched })
            if (_random.Next(4) == 0) suspicious |= mark;
        _scenario = new GuardScenario(rules, _random.Next(3) == 0 ? GuardVerdict.Drop : GuardVerdict.Pass,
            _random.Next(3) == 0 ? GuardVerdict.Pass : GuardVerdict.Drop, suspicious, _random.Next(4) != 0, _random.Next(4) == 0);
        return _scenario;
    }

    /// <summary>The next frames: one well-formed frame, or several mutations of one, or garbage.</summary>
    public IEnumerable<byte[]> NextFrames()
    {
        int kind = _random.Next(1000);
        if (kind < 30)
        {
            yield return Garbage();
            yield break;
        }
        var (frame, boundaries) = WellFormed();
        if (kind < 600)
        {
            yield return frame;
            yield break;
        }
        if (kind < 615)
        {
            // Every header boundary and one byte either side.
            foreach (int boundary in boundaries.Distinct())
                for (int delta = -1; delta <= 1; delta++)
                    if (boundary + delta >= 14 && boundary + delta < frame.Length)
                        yield return frame[..(boundary + delta)];
            yield break;
        }
        yield return Mutate(frame, boundaries);
    }

    private byte[] Garbage()
    {
        var frame = new byte[_random.Next(14, 160)];
        _random.NextBytes(frame);
        int offset = 12;
        while (offset + 6 <= frame.Length && _random.Next(3) == 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), _random.Next(2) == 0 ? GuardFrames.Vlan : GuardFrames.QinQ);
            offset += 4;
        }
        if (_random.Next(4) != 0)
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), _random.Next(2) == 0 ? (ushort)0x0800 : (ushort)0x86dd);
        return frame;
    }

    private byte[] Mutate(byte[] frame, List<int> boundaries)
    {
        var copy = (byte[])frame.Clone();
        int headerEnd = Math.Min(copy.Length, boundaries.Max() + 4);
        switch (_random.Next(6))
        {
            case 0:
                return copy[..Math.Max(14, _random.Next(14, copy.Length + 1))];
            case 1:
            case 2:
                for (int flips = _random.Next(1, 4); flips > 0; flips--)
                    copy[_random.Next(12, headerEnd)] ^= (byte)(1 << _random.Next(8));
                return copy;
            case 3:
                copy[_random.Next(12, headerEnd)] = (byte)_random.Next(256);
                return copy;
            case 4:
                // A length or type field at a boundary: IHL/version nibble, total length, next header, data offset.
                int at = boundaries[_random.Next(boundaries.Count)];
                if (at < copy.Length) copy[at] = (byte)_random.Next(256);
                if (at + 1 < copy.Length && _random.Next(2) == 0) copy[at + 1] = (byte)_random.Next(256);
                return copy;
            default:
                int end = _random.Next(14, copy.Length + 1);
                var longer = new byte[end + _random.Next(0, 24)];
                copy.AsSpan(0, end).CopyTo(longer);
                _random.NextBytes(longer.AsSpan(end));
                return longer;
        }
    }

    /// <summary>A well-formed frame aimed at the current rules, and its header boundaries (offsets).</summary>
    private (byte[] Frame, List<int> Boundaries) WellFormed()
    {
        var scenario = _scenario ?? throw new InvalidOperationException("NextScenario first");
        var tags = new ushort[_random.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 }];
        for (int i = 0; i < tags.Length; i++) tags[i] = _random.Next(2) == 0 ? GuardFrames.Vlan : GuardFrames.QinQ;
        var boundaries = new List<int> { 12, 14 };
        for (int i = 1; i <= tags.Length; i++) boundaries.Add(14 + 4 * i);
        int l3 = 14 + 4 * tags.Length;
        if (_random.Next(25) == 0)
            return (GuardFrames.Ethernet(tags, _random.Next(2) == 0 ? PacketBuilder.EtherTypeArp : (ushort)_random.Next(0x600, 0x10000), RandomBytes(_random.Next(0, 46))), boundaries);

        GuardRule? target = scenario.Rules.Count > 0 && _random.Next(10) < 8 ? scenario.Rules[_random.Next(scenario.Rules.Count)] : null;
        bool v6 = target is not null ? target.Source.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 : _random.Next(10) < 4;
        var source = target is not null
            ? _random.Next(6) == 0 ? target.Source.BaseAddress : RandomWithin(target.Source.BaseAddress, target.Source.PrefixLength, v6 ? 128 : 32)
            : _random.Next(3) == 0 ? RandomAddress(v6) : RandomWithin((v6 ? Anchors6 : Anchors4)[_random.Next(5)], v6 ? 64 : 20, v6 ? 128 : 32);
        byte protocol = target is { Protocol: not 0 } && _random.Next(4) != 0 ? target.Protocol
            : _random.Next(12) == 0 ? Protocols[_random.Next(Protocols.Length)] : RandomProtocol();
        if (!v6 && protocol == 58 && _random.Next(2) == 0) protocol = 1;
        if (v6 && protocol == 1 && _random.Next(2) == 0) protocol = 58;
        ushort port = target is { Port: not 0 } && _random.Next(4) != 0 ? target.Port : RandomPort(packet: true);

        bool nonFirst = _random.Next(8) == 0;
        bool fragment = nonFirst || _random.Next(8) == 0;
        var l4 = nonFirst && _random.Next(2) == 0 ? RandomBytes(_random.Next(0, 24)) : L4(protocol, port, out _);
        int l4Start;
        byte[] packet;
        if (!v6)
        {
            int options = _random.Next(4) == 0 ? 4 * _random.Next(1, 11) : 0;
            ushort fragmentField = (ushort)((_random.Next(3) == 0 ? 0x4000 : 0)
                | (fragment && (!nonFirst || _random.Next(2) == 0) ? 0x2000 : 0) | (nonFirst ? _random.Next(1, 0x2000) : 0));
            packet = GuardFrames.IPv4Packet(source, GuardFrames.Destination4, protocol, l4, options, fragmentField);
            boundaries.AddRange([l3, l3 + 2, l3 + 6, l3 + 9, l3 + 20]);
            l4Start = l3 + 20 + options;
        }
        else
        {
            var extensions = new List<ExtensionHeader>();
            int count = _random.Next(10) switch { < 4 => 0, < 8 => _random.Next(1, 4), 8 => _random.Next(4, 9), _ => _random.Next(8, 11) };
            for (int i = 0; i < count; i++)
            {
                byte type = ExtensionTypes[_random.Next(ExtensionTypes.Length)];
                extensions.Add(type switch
                {
                    44 => ExtensionHeader.Fragment(0, true),
                    51 => ExtensionHeader.Authentication(_random.Next(0, 6)),
                    _ => ExtensionHeader.Options(type, _random.Next(0, 3)),
                });
            }
            if (fragment)
                extensions.Insert(_random.Next(extensions.Count + 1), ExtensionHeader.Fragment(nonFirst ? _random.Next(1, 8192) : 0, _random.Next(2) == 0));
            packet = GuardFrames.IPv6Packet(source, GuardFrames.Destination6, protocol, l4, extensions);
            boundaries.AddRange([l3, l3 + 6, l3 + 40]);
            int offset = l3 + 40;
            foreach (var extension in extensions)
            {
                boundaries.AddRange([offset + 1, offset + 2, offset + extension.Length]);
                offset += extension.Length;
            }
            l4Start = offset;
        }
        boundaries.Add(l4Start);
        if (protocol == 6) boundaries.AddRange([l4Start + 12, l4Start + 20, l4Start + (l4.Length >= 13 ? (l4[12] >> 4) * 4 : 20)]);
        else if (protocol == 17) boundaries.Add(l4Start + 8);
        else if (protocol is 1 or 58) boundaries.Add(l4Start + 4);
        return (GuardFrames.Ethernet(tags, v6 ? PacketBuilder.EtherTypeIpv6 : PacketBuilder.EtherTypeIpv4, packet), boundaries);
    }

    private byte[] L4(byte protocol, ushort port, out int headerLength)
    {
        switch (protocol)
        {
            case 6:
                int dataOffset = _random.Next(3) == 0 ? _random.Next(5, 16) : 5;
                headerLength = dataOffset * 4;
                var tcp = GuardFrames.Tcp((ushort)_random.Next(1024, 65536), port, (byte)_random.Next(256), dataOffset, _random.Next(0, 16));
                return tcp;
            case 17:
                headerLength = 8;
                return GuardFrames.Udp((ushort)_random.Next(1024, 65536), port, _random.Next(0, 24));
            case 1 or 58:
                headerLength = 4;
                return GuardFrames.Icmp((byte)_random.Next(256), _random.Next(0, 16));
            default:
                headerLength = 0;
                return RandomBytes(_random.Next(0, 24));
        }
    }

    /// <summary>A protocol for a rule (never 0, which means every protocol).</summary>
    private byte RandomProtocol()
    {
        if (_random.Next(4) == 0) return (byte)_random.Next(1, 256);
        byte protocol = Protocols[_random.Next(Protocols.Length)];
        return protocol == 0 ? PacketBuilder.Udp : protocol;
    }

    /// <summary>A port for a rule (1..65535), or for a packet (0 and 65535 included).</summary>
    private ushort RandomPort(bool packet = false) =>
        _random.Next(3) == 0 ? (ushort)_random.Next(packet ? 0 : 1, 65536) : Ports[_random.Next(packet ? Ports.Length : Ports.Length - 2)];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private IPAddress RandomAddress(bool v6) => new(RandomBytes(v6 ? 16 : 4));

    /// <summary>An address with the first <paramref name="length"/> bits of <paramref name="network"/> and random others.</summary>
    private IPAddress RandomWithin(IPAddress network, int length, int bits)
    {
        var bytes = network.GetAddressBytes();
        var noise = RandomBytes(bytes.Length);
        for (int bit = length; bit < bits; bit++)
        {
            byte mask = (byte)(0x80 >> (bit % 8));
            bytes[bit / 8] = (byte)((bytes[bit / 8] & ~mask) | (noise[bit / 8] & mask));
        }
        return new IPAddress(bytes);
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (int bit = length; bit < bytes.Length * 8; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPAddress(bytes);
    }
}

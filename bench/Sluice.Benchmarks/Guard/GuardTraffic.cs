using System.Net;
using Sluice.Lab.Packets;

namespace Sluice.Benchmarks.Guard;

/// <summary>One test-run input and the verdict the guard must give it (1 = XDP_DROP, 2 = XDP_PASS).</summary>
public sealed record GuardFrame(string Kind, byte[] Bytes, uint ExpectedVerdict);

/// <summary>The traffic mixes guard-cost runs the programs on.</summary>
public static class GuardTraffic
{
    private const uint Drop = 1, Pass = 2;
    private static readonly IPAddress Destination4 = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Destination6 = IPAddress.Parse("fd00::2");

    /// <summary>
    /// 30 frames of mixed traffic an edge box under attack sees: IPv4 and IPv6, TCP SYNs, TCP data and UDP,
    /// some behind one or two VLAN tags; sources in deny prefixes (LPM), exact deny addresses (hash) and sources
    /// no rule matches (which pass through every lookup: the guard's most expensive path).
    /// </summary>
    public static List<GuardFrame> Mixed(GuardRuleSet rules)
    {
        var frames = new List<GuardFrame>();
        for (int i = 0; i < 3; i++)
        {
            frames.Add(new("v4 tcp syn, deny prefix", Tcp4(rules.PrefixSource4(i * 7919), PacketBuilder.TcpSyn), Drop));
            frames.Add(new("v4 udp, deny prefix", Udp4(rules.PrefixSource4(i * 7919 + 1)), Drop));
            frames.Add(new("v4 tcp syn, exact", Tcp4(rules.ExactSource4(i * 7919), PacketBuilder.TcpSyn), Drop));
            frames.Add(new("v4 udp, exact", Udp4(rules.ExactSource4(i * 7919 + 1)), Drop));
            frames.Add(new("v4 tcp ack, no rule", Tcp4(rules.MissSource4(), PacketBuilder.TcpAck), Pass));
            frames.Add(new("v4 udp, no rule", Udp4(rules.MissSource4()), Pass));
        }
        frames.Add(new("v4 vlan udp, deny prefix", Vlan(Udp4(rules.PrefixSource4(17)), 0x8100), Drop));
        frames.Add(new("v4 vlan tcp, no rule", Vlan(Tcp4(rules.MissSource4(), PacketBuilder.TcpAck), 0x8100), Pass));
        frames.Add(new("v4 qinq udp, exact", Vlan(Vlan(Udp4(rules.ExactSource4(17)), 0x8100), 0x88a8), Drop));
        frames.Add(new("v4 qinq tcp syn, no rule", Vlan(Vlan(Tcp4(rules.MissSource4(), PacketBuilder.TcpSyn), 0x8100), 0x88a8), Pass));
        for (int i = 0; i < 2; i++)
        {
            frames.Add(new("v6 tcp syn, deny prefix", Tcp6(rules.PrefixSource6(i * 331), PacketBuilder.TcpSyn), Drop));
            frames.Add(new("v6 udp, exact", Udp6(rules.ExactSource6(i * 331)), Drop));
            frames.Add(new("v6 tcp ack, no rule", Tcp6(rules.MissSource6(), PacketBuilder.TcpAck), Pass));
            frames.Add(new("v6 udp, no rule", Udp6(rules.MissSource6()), Pass));
        }
        return frames;
    }

    /// <summary>
    /// The subset xdp-filter can express: IPv4 TCP and UDP without VLAN tags, sources that are exact deny
    /// addresses among the first <paramref name="exactLimit"/> of the set, and sources no rule matches.
    /// </summary>
    public static List<GuardFrame> ExactIPv4(GuardRuleSet rules, int exactLimit)
    {
        var frames = new List<GuardFrame>();
        for (int i = 0; i < 4; i++)
        {
            frames.Add(new("v4 tcp syn, exact", Tcp4(rules.ExactSource4(i * 997 % exactLimit), PacketBuilder.TcpSyn), Drop));
            frames.Add(new("v4 udp, exact", Udp4(rules.ExactSource4((i * 997 + 1) % exactLimit)), Drop));
            frames.Add(new("v4 tcp ack, no rule", Tcp4(rules.MissSource4(), PacketBuilder.TcpAck), Pass));
            frames.Add(new("v4 udp, no rule", Udp4(rules.MissSource4()), Pass));
        }
        return frames;
    }

    private static byte[] Tcp4(IPAddress source, byte flags) => PacketBuilder.Tcp4(source, Destination4, 40000, 443, flags);

    private static byte[] Udp4(IPAddress source) => PacketBuilder.Udp4(source, Destination4, 40000, 53, payloadLength: 32);

    private static byte[] Tcp6(IPAddress source, byte flags) =>
        PacketBuilder.Ipv6(source, Destination6, PacketBuilder.Tcp, PacketBuilder.TcpHeader(40000, 443, flags));

    private static byte[] Udp6(IPAddress source) =>
        PacketBuilder.Ipv6(source, Destination6, PacketBuilder.Udp, PacketBuilder.UdpHeader(40000, 53, 32));

    /// <summary>Inserts a VLAN tag (TPID <paramref name="tpid"/>, VLAN 100) after the MAC addresses.</summary>
    private static byte[] Vlan(byte[] frame, ushort tpid)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        tagged[12] = (byte)(tpid >> 8);
        tagged[13] = (byte)tpid;
        tagged[14] = 0;
        tagged[15] = 100;
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }
}

namespace XdpProtocolCounter;

/// <summary>Hand-built Ethernet frames to test-run the program with: IPv4 TCP/UDP/ICMP and IPv6 TCP.</summary>
internal static class Packets
{
    internal const byte Icmp = 1;
    internal const byte Tcp = 6;
    internal const byte Udp = 17;

    internal static readonly (string Name, uint Number)[] Protocols = [("ICMP", Icmp), ("TCP", Tcp), ("UDP", Udp)];

    internal static IEnumerable<(string Name, byte[] Packet)> Samples =>
    [
        ("IPv4 TCP", IPv4(Tcp, 40)),
        ("IPv4 TCP", IPv4(Tcp, 1400)),
        ("IPv4 UDP", IPv4(Udp, 100)),
        ("IPv4 ICMP", IPv4(Icmp, 64)),
        ("IPv6 TCP", IPv6(Tcp, 60)),
    ];

    private static byte[] IPv4(byte protocol, int payload)
    {
        var packet = Ethernet(0x0800, 20 + payload);
        packet[14] = 0x45;                // version 4, 5-word header
        packet[14 + 9] = protocol;
        return packet;
    }

    private static byte[] IPv6(byte nextHeader, int payload)
    {
        var packet = Ethernet(0x86dd, 40 + payload);
        packet[14] = 0x60;                // version 6
        packet[14 + 6] = nextHeader;
        return packet;
    }

    private static byte[] Ethernet(ushort etherType, int length)
    {
        var packet = new byte[14 + length];
        packet[12] = (byte)(etherType >> 8);
        packet[13] = (byte)etherType;
        return packet;
    }
}

using System.Net;
using Sluice.Programs.Guard.Model;
using Xunit;
using static Sluice.Programs.Tests.Guard.Model.GuardFrames;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>The model's parser against every parsing rule of Guard/README.md (policy steps 1 and 2).</summary>
public sealed class GuardPacketParserTests
{
    private static readonly IPAddress Source4 = IPAddress.Parse("198.18.1.2");
    private static readonly IPAddress Source6 = IPAddress.Parse("fd00:1::2");

    private static GuardParsedPacket Parse(byte[] frame) => GuardPacketParser.Parse(frame);

    private static void AssertMalformed(byte[] frame, string problemPart)
    {
        var packet = Parse(frame);
        Assert.Equal(GuardPacketKind.Malformed, packet.Kind);
        Assert.Contains(problemPart, packet.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_tcp_over_ipv4_gives_source_protocol_ports_and_flags()
    {
        var packet = Parse(V4(Source4, 6, Tcp(40000, 443)));
        Assert.Equal(GuardPacketKind.IPv4, packet.Kind);
        Assert.Equal(Source4, packet.Source);
        Assert.Equal((byte)6, packet.Protocol);
        Assert.True(packet.HasPorts);
        Assert.Equal((ushort)40000, packet.SourcePort);
        Assert.Equal((ushort)443, packet.DestinationPort);
        Assert.True(packet.IsSyn);
        Assert.False(packet.Fragment);
    }

    [Fact]
    public void Short_ethernet_is_malformed_and_other_ethertypes_are_not_ip()
    {
        AssertMalformed(new byte[13], "Ethernet header truncated");
        var arp = Parse(Ethernet([], 0x0806, new byte[28]));
        Assert.Equal(GuardPacketKind.NotIp, arp.Kind);
        Assert.Equal((ushort)0x0806, arp.EtherType);
        Assert.Equal(GuardPacketKind.NotIp, Parse(Ethernet([Vlan, QinQ], 0x88cc, new byte[4])).Kind);
        Assert.Equal(GuardPacketKind.NotIp, Parse(Ethernet([], 0x0806, [])).Kind);
    }

    [Theory]
    [InlineData(new ushort[] { Vlan })]
    [InlineData(new ushort[] { QinQ })]
    [InlineData(new ushort[] { QinQ, Vlan })]
    [InlineData(new ushort[] { Vlan, QinQ })]
    [InlineData(new ushort[] { Vlan, Vlan })]
    public void Up_to_two_vlan_tags_in_any_order_are_walked(ushort[] tags)
    {
        var packet = Parse(V4(Source4, 17, Udp(5000, 53), tags: tags));
        Assert.Equal(GuardPacketKind.IPv4, packet.Kind);
        Assert.Equal(tags.Length, packet.VlanTags);
        Assert.Equal((ushort)53, packet.DestinationPort);
        Assert.Equal(GuardPacketKind.IPv6, Parse(V6(Source6, 17, Udp(5000, 53), tags: tags)).Kind);
    }

    [Fact]
    public void A_third_vlan_tag_or_a_truncated_tag_is_malformed()
    {
        AssertMalformed(V4(Source4, 17, Udp(1, 2), tags: [Vlan, QinQ, Vlan]), "third VLAN tag");
        AssertMalformed(V4(Source4, 17, Udp(1, 2), tags: [QinQ, QinQ, QinQ]), "third VLAN tag");
        AssertMalformed(Ethernet([], Vlan, [0x00, 0x64, 0x08]), "VLAN tag 1 truncated");
        AssertMalformed(Ethernet([QinQ], Vlan, [0x00]), "VLAN tag 2 truncated");
    }

    [Fact]
    public void Ipv4_options_are_skipped_up_to_ihl_15()
    {
        for (int options = 4; options <= 40; options += 4)
        {
            var packet = Parse(V4(Source4, 6, Tcp(1000, 22), optionBytes: options));
            Assert.Equal(GuardPacketKind.IPv4, packet.Kind);
            Assert.Equal((ushort)22, packet.DestinationPort);
            Assert.Equal(14 + 20 + options, packet.L4Offset);
        }
    }

    [Fact]
    public void Bad_ipv4_headers_are_malformed()
    {
        var frame = V4(Source4, 17, Udp(1, 2));
        AssertMalformed(frame[..33], "IPv4 header truncated");
        var version = (byte[])frame.Clone();
        version[14] = 0x65;
        AssertMalformed(version, "IPv4 version 6");
        var ihl = (byte[])frame.Clone();
        ihl[14] = 0x44;
        AssertMalformed(ihl, "IHL 4 < 5");
        AssertMalformed(V4(Source4, 17, Udp(1, 2), optionBytes: 8)[..(14 + 24)], "IPv4 options truncated");
        AssertMalformed(Ethernet([], 0x0800, IPv4Packet(Source4, Destination4, 17, Udp(1, 2), optionBytes: 4, totalLength: 23)),
            "total length 23 < header length 24");
    }

    [Fact]
    public void Ipv4_total_length_beyond_the_frame_is_not_checked()
    {
        var packet = Parse(Ethernet([], 0x0800, IPv4Packet(Source4, Destination4, 17, Udp(1, 2), totalLength: 9000)));
        Assert.Equal(GuardPacketKind.IPv4, packet.Kind);
    }

    [Fact]
    public void Ipv4_fragments_first_is_parsed_non_first_has_no_l4()
    {
        var first = Parse(V4(Source4, 6, Tcp(1, 443), fragmentField: 0x2000));
        Assert.True(first.Fragment);
        Assert.False(first.NonFirstFragment);
        Assert.True(first.HasPorts);
        // A non-first fragment needs no L4 bytes at all, and DF/reserved bits do not make a fragment.
        var later = Parse(V4(Source4, 6, [], fragmentField: 0x0001));
        Assert.Equal(GuardPacketKind.IPv4, later.Kind);
        Assert.True(later.Fragment);
        Assert.True(later.NonFirstFragment);
        Assert.False(later.HasPorts);
        Assert.False(later.IsSyn);
        Assert.False(Parse(V4(Source4, 6, Tcp(1, 443), fragmentField: 0x4000)).Fragment);
        AssertMalformed(V4(Source4, 6, new byte[10], fragmentField: 0x2000), "TCP header truncated");
    }

    [Fact]
    public void Ipv6_extension_headers_are_walked_up_to_eight()
    {
        ExtensionHeader[] eight =
        [
            ExtensionHeader.Options(0), ExtensionHeader.Options(43, 1), ExtensionHeader.Options(60), ExtensionHeader.Authentication(1),
            ExtensionHeader.Fragment(0, true), ExtensionHeader.Options(60, 2), ExtensionHeader.Authentication(4), ExtensionHeader.Options(43),
        ];
        var packet = Parse(V6(Source6, 17, Udp(1, 4789), eight));
        Assert.Equal(GuardPacketKind.IPv6, packet.Kind);
        Assert.Equal(8, packet.ExtensionHeaders);
        Assert.Equal((byte)17, packet.Protocol);
        Assert.Equal((ushort)4789, packet.DestinationPort);
        Assert.True(packet.Fragment);
        Assert.False(packet.NonFirstFragment);
        AssertMalformed(V6(Source6, 17, Udp(1, 4789), [.. eight, ExtensionHeader.Options(60)]), "more than 8 IPv6 extension headers");
        // Eight headers and then a protocol that is no extension header is fine even without ports.
        Assert.Equal((byte)59, Parse(V6(Source6, 59, [], eight)).Protocol);
    }

    [Fact]
    public void Ipv6_authentication_header_length_is_in_4_byte_units_plus_2()
    {
        var packet = Parse(V6(Source6, 6, Tcp(1, 80), [ExtensionHeader.Authentication(3)]));
        Assert.Equal(14 + 40 + 20, packet.L4Offset);
        Assert.Equal((ushort)80, packet.DestinationPort);
    }

    [Fact]
    public void Esp_and_no_next_header_end_the_walk_without_ports()
    {
        var esp = Parse(V6(Source6, 50, [1, 2], [ExtensionHeader.Options(0)]));
        Assert.Equal(GuardPacketKind.IPv6, esp.Kind);
        Assert.Equal((byte)50, esp.Protocol);
        Assert.False(esp.HasPorts);
        Assert.Equal((byte)59, Parse(V6(Source6, 59, [])).Protocol);
    }

    [Fact]
    public void Ipv6_non_first_fragment_ends_the_walk_with_the_fragment_next_header()
    {
        var packet = Parse(V6(Source6, 6, [], [ExtensionHeader.Options(0), ExtensionHeader.Fragment(185, false)]));
        Assert.Equal(GuardPacketKind.IPv6, packet.Kind);
        Assert.True(packet.NonFirstFragment);
        Assert.Equal((byte)6, packet.Protocol);
        Assert.False(packet.HasPorts);
        // Even an extension header number after a non-first fragment is payload, not a header to walk.
        Assert.Equal((byte)60, Parse(V6(Source6, 60, [], [ExtensionHeader.Fragment(1, true)])).Protocol);
    }

    [Fact]
    public void Truncated_ipv6_headers_are_malformed()
    {
        var frame = V6(Source6, 17, Udp(1, 2), [ExtensionHeader.Options(60, 1)]);
        AssertMalformed(frame[..53], "IPv6 header truncated");
        AssertMalformed(frame[..55], "extension header 60 truncated");
        AssertMalformed(frame[..(54 + 15)], "extension header 60 (16 bytes) truncated");
        AssertMalformed(V6(Source6, 17, [], [ExtensionHeader.Fragment(0, true)])[..(54 + 7)], "extension header 44 (8 bytes) truncated");
        var version = V6(Source6, 17, Udp(1, 2));
        version[14] = 0x40;
        AssertMalformed(version, "IPv6 version 4");
    }

    [Fact]
    public void L4_minimum_headers_must_be_present()
    {
        AssertMalformed(V4(Source4, 6, new byte[19]), "TCP header truncated");
        AssertMalformed(V4(Source4, 6, Tcp(1, 2, dataOffset: 4)), "TCP data offset 4 < 5");
        AssertMalformed(V4(Source4, 6, Tcp(1, 2, dataOffset: 8)[..28]), "TCP options truncated");
        Assert.Equal((ushort)2, Parse(V4(Source4, 6, Tcp(1, 2, dataOffset: 15))).DestinationPort);
        AssertMalformed(V4(Source4, 17, new byte[7]), "UDP header truncated");
        Assert.True(Parse(V4(Source4, 17, Udp(1, 2, payload: 0))).HasPorts);
        AssertMalformed(V4(Source4, 1, new byte[3]), "ICMP header truncated");
        AssertMalformed(V6(Source6, 58, new byte[3]), "ICMP header truncated");
        Assert.Equal(GuardPacketKind.IPv6, Parse(V6(Source6, 58, new byte[4])).Kind);
        // By protocol number alone, whatever the IP version.
        AssertMalformed(V6(Source6, 1, new byte[3]), "ICMP header truncated");
        AssertMalformed(V4(Source4, 58, new byte[3]), "ICMP header truncated");
        var gre = Parse(V4(Source4, 47, []));
        Assert.Equal(GuardPacketKind.IPv4, gre.Kind);
        Assert.False(gre.HasPorts);
    }
}

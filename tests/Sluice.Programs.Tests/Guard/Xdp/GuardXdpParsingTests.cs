using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Packets;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>
/// Parsing and bypass attempts (Guard/README.md policy step 1 and 2): every frame comes from a denied source, so a
/// parser that loses track of the headers shows up as "passed" instead of "denied"; broken headers must be
/// "malformed" (dropped by default), never passed as if they were fine.
/// </summary>
public sealed class GuardXdpParsingTests(GuardXdpParsingTests.SharedBed shared) : IClassFixture<GuardXdpParsingTests.SharedBed>
{
    /// <summary>
    /// One loaded guard with the deny rules for every theory case (loading is the slow part); made on first use,
    /// after <see cref="Requires.Root"/>. Cases leave no state behind: no limits, and Run reads counter deltas.
    /// </summary>
    public sealed class SharedBed : IDisposable
    {
        private GuardTestBed? _bed;

        /// <summary>The bed, loaded on first use.</summary>
        public GuardTestBed Bed => _bed ??= Create();

        /// <inheritdoc />
        public void Dispose() => _bed?.Dispose();

        private static GuardTestBed Create()
        {
            var bed = new GuardTestBed();
            bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
            bed.AddRule("fd00:bad::/32", GuardRuleActions.Deny);
            return bed;
        }
    }

    private static readonly IPAddress Denied4 = IPAddress.Parse("198.19.7.7"), Server4 = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress Denied6 = IPAddress.Parse("fd00:bad::7"), Server6 = IPAddress.Parse("fd00::2");
    private static readonly IPAddress Clean4 = IPAddress.Parse("198.18.9.9"), Clean6 = IPAddress.Parse("fd00:1::9");

    private static readonly VlanTag Q = new(100), Ad = new(200, VlanTag.Ieee8021AD);

    private static byte[] DeniedUdp4(Ipv4Options? options = null, int payload = 16) =>
        Ipv4(Denied4, Server4, Udp, UdpHeader(40000, 53, payload), options ?? new Ipv4Options());

    private static byte[] Ext6(IPAddress source, int count, Func<int, Ipv6Extension>? make = null) =>
        Udp6(source, Server6, 40000, 53, extensions: Enumerable.Range(0, count).Select(make ?? (i => (i % 4) switch
        {
            0 => Ipv6Extension.HopByHop(),
            1 => Ipv6Extension.Routing(1),
            2 => Ipv6Extension.Authentication(),
            _ => Ipv6Extension.DestinationOptions(2),
        })).ToList());

    /// <summary>Case name -> (frame, expected action, expected reason).</summary>
    private static readonly Dictionary<string, (Func<byte[]> Frame, XdpAction Action, GuardReason Reason)> Cases = new()
    {
        ["udp4 from a denied source"] = (() => DeniedUdp4(), XdpAction.Drop, GuardReason.Denied),
        ["udp4 clean source"] = (() => Udp4(Clean4, Server4, 1, 53), XdpAction.Pass, GuardReason.Passed),
        ["arp is not ip"] = (() => Ethernet(EtherTypeArp, new byte[28]), XdpAction.Pass, GuardReason.NotIp),
        ["vlan-tagged arp is not ip"] = (() => WithVlanTags(Ethernet(EtherTypeArp, new byte[28]), Q), XdpAction.Pass, GuardReason.NotIp),
        ["one 802.1Q tag"] = (() => WithVlanTags(DeniedUdp4(), Q), XdpAction.Drop, GuardReason.Denied),
        ["one 802.1ad tag"] = (() => WithVlanTags(DeniedUdp4(), Ad), XdpAction.Drop, GuardReason.Denied),
        ["802.1ad + 802.1Q"] = (() => WithVlanTags(DeniedUdp4(), Ad, Q), XdpAction.Drop, GuardReason.Denied),
        ["802.1Q + 802.1Q"] = (() => WithVlanTags(DeniedUdp4(), Q, Q), XdpAction.Drop, GuardReason.Denied),
        ["802.1Q + 802.1ad (any order)"] = (() => WithVlanTags(DeniedUdp4(), Q, Ad), XdpAction.Drop, GuardReason.Denied),
        ["double-tagged ipv6"] = (() => WithVlanTags(Udp6(Denied6, Server6, 1, 53), Ad, Q), XdpAction.Drop, GuardReason.Denied),
        ["three tags are malformed"] = (() => WithVlanTags(DeniedUdp4(), Ad, Q, Q), XdpAction.Drop, GuardReason.Malformed),
        ["three tags from a clean source are malformed"] = (() => WithVlanTags(Udp4(Clean4, Server4, 1, 53), Q, Q, Q), XdpAction.Drop, GuardReason.Malformed),
        ["truncated vlan tag"] = (() => Truncate(WithVlanTags(DeniedUdp4(), Q), 16), XdpAction.Drop, GuardReason.Malformed),
        ["ipv4 options (ihl 6)"] = (() => DeniedUdp4(new Ipv4Options { Options = [1, 1, 1, 0] }), XdpAction.Drop, GuardReason.Denied),
        ["ipv4 options (ihl 15)"] = (() => DeniedUdp4(new Ipv4Options { Options = Enumerable.Repeat((byte)1, 40).ToArray() }), XdpAction.Drop, GuardReason.Denied),
        ["vlan + ipv4 options"] = (() => WithVlanTags(DeniedUdp4(new Ipv4Options { Options = [7, 7, 4, 0, 0, 0, 0, 0] }), Q), XdpAction.Drop, GuardReason.Denied),
        ["ihl 4 is malformed"] = (() => DeniedUdp4(new Ipv4Options { HeaderLengthOverride = 4 }), XdpAction.Drop, GuardReason.Malformed),
        ["ihl 0 is malformed"] = (() => Patch(Udp4(Clean4, Server4, 1, 53), 14, 0x40), XdpAction.Drop, GuardReason.Malformed),
        ["ihl past the frame is malformed"] = (() => Truncate(DeniedUdp4(new Ipv4Options { HeaderLengthOverride = 15 }, payload: 0), 14 + 28), XdpAction.Drop, GuardReason.Malformed),
        ["ipv4 version 5 is malformed"] = (() => DeniedUdp4(new Ipv4Options { Version = 5 }), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 header under the ipv4 ethertype is malformed"] = (() => Ethernet(EtherTypeIpv4, Udp6(Clean6, Server6, 1, 53).AsSpan(14)), XdpAction.Drop, GuardReason.Malformed),
        ["total length under ihl is malformed"] = (() => DeniedUdp4(new Ipv4Options { TotalLengthOverride = 19 }), XdpAction.Drop, GuardReason.Malformed),
        ["total length over the frame is accepted"] = (() => DeniedUdp4(new Ipv4Options { TotalLengthOverride = 1500 }), XdpAction.Drop, GuardReason.Denied),
        ["truncated ipv4 header"] = (() => Truncate(Udp4(Clean4, Server4, 1, 53), 14 + 19), XdpAction.Drop, GuardReason.Malformed),
        ["ethernet only, ipv4 ethertype"] = (() => Truncate(Udp4(Clean4, Server4, 1, 53), 14), XdpAction.Drop, GuardReason.Malformed),
        ["truncated udp"] = (() => Truncate(Udp4(Clean4, Server4, 1, 53), 14 + 20 + 7), XdpAction.Drop, GuardReason.Malformed),
        ["exact udp header"] = (() => Udp4(Clean4, Server4, 1, 53, payloadLength: 0), XdpAction.Pass, GuardReason.Passed),
        ["truncated tcp"] = (() => Truncate(Tcp4(Clean4, Server4, 1, 80), 14 + 20 + 19), XdpAction.Drop, GuardReason.Malformed),
        ["tcp data offset 4"] = (() => Patch(Tcp4(Clean4, Server4, 1, 80), 14 + 20 + 12, 0x40), XdpAction.Drop, GuardReason.Malformed),
        ["tcp options past the frame"] = (() => Patch(Tcp4(Clean4, Server4, 1, 80), 14 + 20 + 12, 0xf0), XdpAction.Drop, GuardReason.Malformed),
        ["tcp with options"] = (() => Ipv4(Clean4, Server4, Tcp, TcpHeader(1, 80, TcpSyn, 7, MssOption(1460))), XdpAction.Pass, GuardReason.Passed),
        ["truncated icmp"] = (() => Truncate(Icmp4Echo(Clean4, Server4), 14 + 20 + 3), XdpAction.Drop, GuardReason.Malformed),
        ["icmp header only"] = (() => Truncate(Icmp4Echo(Clean4, Server4), 14 + 20 + 4), XdpAction.Pass, GuardReason.Passed),
        ["unknown protocol has no l4 checks"] = (() => Ipv4(Clean4, Server4, 47, []), XdpAction.Pass, GuardReason.Passed),
        ["ipv4 first fragment"] = (() => DeniedUdp4(new Ipv4Options { MoreFragments = true }), XdpAction.Drop, GuardReason.Denied),
        ["ipv4 non-first fragment"] = (() => Ipv4(Denied4, Server4, Udp, new byte[3], new Ipv4Options { FragmentOffset = 185 }), XdpAction.Drop, GuardReason.Denied),
        ["ipv4 non-first fragment without l4 bytes is fine"] = (() => Ipv4(Clean4, Server4, Tcp, new byte[2], new Ipv4Options { FragmentOffset = 1, MoreFragments = true }), XdpAction.Pass, GuardReason.Passed),
        ["ipv4 first fragment with a truncated l4 header"] = (() => Ipv4(Clean4, Server4, Tcp, new byte[8], new Ipv4Options { MoreFragments = true }), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 udp"] = (() => Udp6(Denied6, Server6, 1, 53), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 clean"] = (() => Udp6(Clean6, Server6, 1, 53), XdpAction.Pass, GuardReason.Passed),
        ["ipv6 hop-by-hop"] = (() => Ext6(Denied6, 1), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 four kinds of extension headers"] = (() => Ext6(Denied6, 4), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 eight extension headers"] = (() => Ext6(Denied6, 8), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 eight extension headers, clean"] = (() => Ext6(Clean6, 8), XdpAction.Pass, GuardReason.Passed),
        ["ipv6 nine extension headers are malformed"] = (() => Ext6(Clean6, 9), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 large destination options"] = (() => Ext6(Denied6, 2, _ => Ipv6Extension.DestinationOptions(40)), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 truncated extension header"] = (() => Truncate(Ext6(Clean6, 1, _ => Ipv6Extension.DestinationOptions(3)), 14 + 40 + 20), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 extension header shorter than 8 bytes in the frame"] = (() => Truncate(Ext6(Clean6, 1), 14 + 40 + 6), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 no next header"] = (() => Ipv6(Clean6, Server6, 59, []), XdpAction.Pass, GuardReason.Passed),
        ["ipv6 esp from a denied source"] = (() => Ipv6(Denied6, Server6, 50, new byte[8]), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 version 4 is malformed"] = (() => Patch(Udp6(Clean6, Server6, 1, 53), 14, 0x40), XdpAction.Drop, GuardReason.Malformed),
        ["truncated ipv6 header"] = (() => Truncate(Udp6(Clean6, Server6, 1, 53), 14 + 39), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 truncated udp"] = (() => Truncate(Udp6(Clean6, Server6, 1, 53), 14 + 40 + 4), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 truncated tcp after an extension header"] = (() => Truncate(Tcp6(Clean6, Server6, 1, 80, extensions: [Ipv6Extension.HopByHop()]), 14 + 48 + 12), XdpAction.Drop, GuardReason.Malformed),
        ["icmpv6"] = (() => Icmp6Echo(Clean6, Server6), XdpAction.Pass, GuardReason.Passed),
        ["truncated icmpv6"] = (() => Truncate(Icmp6Echo(Clean6, Server6), 14 + 40 + 3), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 first fragment"] = (() => Ext6(Denied6, 1, _ => Ipv6Extension.Fragment(0, true)), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 non-first fragment"] = (() => Ipv6(Denied6, Server6, [Ipv6Extension.Fragment(100, false)], Udp, new byte[2]), XdpAction.Drop, GuardReason.Denied),
        ["ipv6 non-first fragment without l4 bytes is fine"] = (() => Ipv6(Clean6, Server6, [Ipv6Extension.Fragment(100, true)], Tcp, []), XdpAction.Pass, GuardReason.Passed),
        ["ipv6 first fragment with a truncated l4 header"] = (() => Ipv6(Clean6, Server6, [Ipv6Extension.Fragment(0, true)], Tcp, new byte[8]), XdpAction.Drop, GuardReason.Malformed),
        ["ipv6 fragment after other extension headers"] = (() => Ipv6(Denied6, Server6, [Ipv6Extension.HopByHop(), Ipv6Extension.Routing(), Ipv6Extension.Fragment(3, true)], Udp, []), XdpAction.Drop, GuardReason.Denied),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Frame_gets_its_verdict_and_reason(string name)
    {
        Requires.Root();
        var (frame, action, reason) = Cases[name];

        var run = shared.Bed.Run(frame());

        Assert.Equal((action, reason), (run.XdpAction, run.Reason));
    }

    [Fact]
    public void Malformed_verdict_pass_passes_malformed_frames_under_their_own_reason()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => c with { MalformedVerdict = GuardVerdict.Pass });

        var run = bed.Run(WithVlanTags(Udp4(Clean4, Server4, 1, 53), Q, Q, Q));

        Assert.Equal((XdpAction.Pass, GuardReason.Malformed), (run.XdpAction, run.Reason));
    }

    [Fact]
    public void Port_rules_match_first_fragments_but_never_non_first_ones()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("0.0.0.0/0", GuardRuleActions.Deny, Udp, 11211);
        bed.AddRule("::/0", GuardRuleActions.Deny, Udp, 11211);

        Assert.Equal(GuardReason.Denied, bed.Run(Ipv4(Clean4, Server4, Udp, UdpHeader(1, 11211), new Ipv4Options { MoreFragments = true })).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(Ipv4(Clean4, Server4, Udp, UdpHeader(1, 11211), new Ipv4Options { FragmentOffset = 2 })).Reason);
        Assert.Equal(GuardReason.Denied, bed.Run(Udp6(Clean6, Server6, 1, 11211, extensions: [Ipv6Extension.Fragment(0, true)])).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(Ipv6(Clean6, Server6, [Ipv6Extension.Fragment(9, false)], Udp, UdpHeader(1, 11211))).Reason);
    }

    [Fact]
    public void Protocol_rules_match_non_first_fragments()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.18.0.0/15", GuardRuleActions.Deny, Udp);
        bed.AddRule("fd00::/8", GuardRuleActions.Deny, Udp);

        Assert.Equal(GuardReason.Denied, bed.Run(Ipv4(Clean4, Server4, Udp, new byte[4], new Ipv4Options { FragmentOffset = 2 })).Reason);
        Assert.Equal(GuardReason.Denied, bed.Run(Ipv6(Clean6, Server6, [Ipv6Extension.Fragment(9, false)], Udp, new byte[4])).Reason);
        Assert.Equal(GuardReason.Passed, bed.Run(Ipv4(Clean4, Server4, Tcp, new byte[4], new Ipv4Options { FragmentOffset = 2 })).Reason);
    }

    private static byte[] Patch(byte[] frame, int offset, byte value)
    {
        frame[offset] = value;
        return frame;
    }
}

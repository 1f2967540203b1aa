using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>Rule matching (Guard/README.md policy step 4): every rule kind, the winner order and the hit counters.</summary>
public sealed class GuardXdpRuleTests
{
    private static readonly IPAddress Server4 = IPAddress.Parse("198.18.0.2"), Server6 = IPAddress.Parse("fd00::2");

    private static IPAddress A(string address) => IPAddress.Parse(address);

    private static GuardRun SendUdp(GuardTestBed bed, string source, ushort port = 53) =>
        bed.Run(A(source).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? Udp4(A(source), Server4, 40000, port) : Udp6(A(source), Server6, 40000, port));

    private static GuardRun SendSyn(GuardTestBed bed, string source, ushort port) =>
        bed.Run(A(source).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? Tcp4(A(source), Server4, 40000, port) : Tcp6(A(source), Server6, 40000, port));

    private static void AssertVerdict(XdpAction action, GuardReason reason, GuardRun run) =>
        Assert.Equal((action, reason), (run.XdpAction, run.Reason));

    [Fact]
    public void Exact_address_is_denied_and_its_neighbour_passes()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.18.5.5", GuardRuleActions.Deny);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.18.5.5"));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "198.18.5.6"));
    }

    [Fact]
    public void Prefix_denies_its_whole_range_only()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.19.0.0"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.19.255.255"));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "198.18.255.255"));
    }

    [Fact]
    public void Most_specific_prefix_wins_in_both_directions()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.18.0.0/15", GuardRuleActions.Allow);
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        bed.AddRule("198.19.1.0/24", GuardRuleActions.Allow);
        bed.AddRule("198.19.1.128/25", GuardRuleActions.Deny);

        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.18.3.3"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.19.3.3"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.19.1.3"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.19.1.200"));
    }

    [Fact]
    public void Allow_beats_deny_at_equal_length()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Allow);
        bed.AddRule("198.18.1.1", GuardRuleActions.Deny | GuardRuleActions.Allow);

        Assert.Equal(GuardRuleActions.Allow | GuardRuleActions.Deny, bed.ReadRule("198.19.0.0/16")!.Value.Actions);
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.19.4.4"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.18.1.1"));
    }

    [Fact]
    public void Block_a_16_except_some_hosts()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        bed.AddRule("198.19.1.1", GuardRuleActions.Allow);
        bed.AddRule("198.19.2.2/32", GuardRuleActions.Allow);

        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.19.1.1"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.19.2.2"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.19.1.2"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.19.2.1"));
    }

    [Fact]
    public void Protocol_rule_matches_one_protocol()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.18.0.0/15", GuardRuleActions.Deny, Icmp);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, bed.Run(Icmp4Echo(A("198.18.7.7"), Server4)));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "198.18.7.7"));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, bed.Run(Icmp4Echo(A("203.0.113.1"), Server4)));
    }

    [Fact]
    public void Port_rule_matches_protocol_and_destination_port()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("0.0.0.0/0", GuardRuleActions.Deny, Udp, 11211);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.18.7.7", 11211));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "198.18.7.7", 11212));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendSyn(bed, "198.18.7.7", 11211));
    }

    [Fact]
    public void Port_rule_beats_an_any_rule_of_the_same_prefix_but_not_a_longer_one()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        // "allow only TCP/443 to this range"
        bed.AddRule("198.18.0.0/16", GuardRuleActions.Deny);
        bed.AddRule("198.18.0.0/16", GuardRuleActions.Allow, Tcp, 443);
        bed.AddRule("198.18.0.0/16", GuardRuleActions.Allow, Udp);
        bed.AddRule("198.18.0.0/16", GuardRuleActions.Deny, Udp, 53);
        bed.AddRule("198.18.6.6", GuardRuleActions.Deny);

        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendSyn(bed, "198.18.1.1", 443));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendSyn(bed, "198.18.1.1", 80));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.18.1.1", 123));  // proto scope beats any
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "198.18.1.1", 53));    // port scope beats proto
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendSyn(bed, "198.18.6.6", 443));   // /32 beats /16 tcp/443
    }

    [Fact]
    public void Longer_port_rule_beats_a_shorter_any_rule()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.18.0.0/15", GuardRuleActions.Allow);
        bed.AddRule("198.18.1.0/24", GuardRuleActions.Deny, Tcp, 22);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendSyn(bed, "198.18.1.9", 22));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendSyn(bed, "198.18.1.9", 23));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendSyn(bed, "198.18.2.9", 22));
    }

    [Fact]
    public void Ipv6_exact_prefix_most_specific_and_equal_length()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("fd00:bad::1", GuardRuleActions.Deny);
        bed.AddRule("fd00:1::/32", GuardRuleActions.Deny);
        bed.AddRule("fd00:1:2::/48", GuardRuleActions.Allow);
        bed.AddRule("fd00:1:2:3::/64", GuardRuleActions.Deny);
        bed.AddRule("fd00:1:2:3::/64", GuardRuleActions.Allow);
        bed.AddRule("fd00:1:9::/48", GuardRuleActions.Allow);
        bed.AddRule("fd00:1:9::5", GuardRuleActions.Deny);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "fd00:bad::1"));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "fd00:bad::2"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "fd00:1:7::1"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "fd00:1:2:4::1"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "fd00:1:2:3::1"));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "fd00:1:9::5"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "fd00:1:9::6"));
    }

    [Fact]
    public void Ipv6_protocol_and_port_rules()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("::/0", GuardRuleActions.Deny, IcmpV6);
        bed.AddRule("fd00::/8", GuardRuleActions.Deny, Udp, 11211);
        bed.AddRule("fd00:5::/32", GuardRuleActions.Allow, Udp, 11211);

        AssertVerdict(XdpAction.Drop, GuardReason.Denied, bed.Run(Icmp6Echo(A("fd00:7::1"), Server6)));
        AssertVerdict(XdpAction.Drop, GuardReason.Denied, SendUdp(bed, "fd00:7::1", 11211));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "fd00:7::1", 11210));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "fd00:5::1", 11211));
        AssertVerdict(XdpAction.Pass, GuardReason.Passed, SendUdp(bed, "198.18.0.1", 11211)); // IPv6 rules only
    }

    [Fact]
    public void Default_drop_drops_unmatched_packets_and_still_passes_allowed_ones()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.Configure(c => c with { DefaultVerdict = GuardVerdict.Drop });
        bed.AddRule("198.18.1.0/24", GuardRuleActions.Allow);
        bed.AddRule("fd00:1::/32", GuardRuleActions.Allow);

        AssertVerdict(XdpAction.Drop, GuardReason.DefaultDrop, SendUdp(bed, "198.18.2.1"));
        AssertVerdict(XdpAction.Drop, GuardReason.DefaultDrop, SendUdp(bed, "fd00:2::1"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "198.18.1.1"));
        AssertVerdict(XdpAction.Pass, GuardReason.Allowed, SendUdp(bed, "fd00:1::1"));
        AssertVerdict(XdpAction.Pass, GuardReason.NotIp, bed.Run(Ethernet(EtherTypeArp, new byte[28])));
    }

    [Fact]
    public void Winning_rule_counts_packets_and_bytes_and_the_losers_do_not()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Deny);
        bed.AddRule("198.19.1.0/24", GuardRuleActions.Allow);
        bed.AddRule("198.19.9.9", GuardRuleActions.Deny);
        bed.AddRule("198.19.0.0/16", GuardRuleActions.Allow, Tcp, 443);
        bed.AddRule("fd00:1::/32", GuardRuleActions.Deny);

        var udp = Udp4(A("198.19.5.5"), Server4, 1, 53);
        for (int i = 0; i < 3; i++) bed.Run(udp);
        bed.Run(Udp4(A("198.19.1.5"), Server4, 1, 53, payloadLength: 100));
        bed.Run(Udp4(A("198.19.9.9"), Server4, 1, 53));
        bed.Run(Udp4(A("198.19.9.9"), Server4, 1, 53));
        bed.Run(Tcp4(A("198.19.5.5"), Server4, 1, 443));
        var v6 = Udp6(A("fd00:1::1"), Server6, 1, 53);
        bed.Run(v6);

        Assert.Equal((3UL, 3UL * (ulong)udp.Length), Hits(bed.ReadRule("198.19.0.0/16")));
        Assert.Equal((1UL, (ulong)(14 + 20 + 8 + 100)), Hits(bed.ReadRule("198.19.1.0/24")));
        Assert.Equal((2UL, 2UL * (ulong)udp.Length), Hits(bed.ReadRule("198.19.9.9")));
        Assert.Equal((1UL, 54UL), Hits(bed.ReadRule("198.19.0.0/16", Tcp, 443)));
        Assert.Equal((1UL, (ulong)v6.Length), Hits(bed.ReadRule("fd00:1::/32")));
    }

    private static (ulong, ulong) Hits(GuardRuleValue? rule) =>
        rule is { } value ? (value.Packets, value.Bytes) : throw new InvalidOperationException("rule not found");
}

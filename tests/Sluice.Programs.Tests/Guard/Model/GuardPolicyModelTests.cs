using System.Net;
using Sluice.Programs.Guard;
using Sluice.Programs.Guard.Model;
using Xunit;
using static Sluice.Programs.Tests.Guard.Model.GuardFrames;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>The model's policy against every rule of Guard/README.md (steps 1, 2, 3 and 6).</summary>
public sealed class GuardPolicyModelTests
{
    private static readonly IPAddress Host = IPAddress.Parse("198.18.1.2");
    private static readonly IPAddress Host6 = IPAddress.Parse("fd00:1::2");

    private static GuardRule Deny(string cidr, byte protocol = 0, ushort port = 0) => new(IPNetwork.Parse(cidr), GuardRuleAction.Deny, protocol, port);

    private static GuardRule Allow(string cidr, byte protocol = 0, ushort port = 0) => new(IPNetwork.Parse(cidr), GuardRuleAction.Allow, protocol, port);

    private static void AssertDecision(GuardDecision decision, uint action, GuardReason reason, GuardRule? winner)
    {
        Assert.True(action == decision.XdpAction && reason == decision.Reason && Equals(winner, decision.Winner),
            $"expected {action} {reason} {winner}, got {decision}");
    }

    [Fact]
    public void No_rules_pass_unmatched_and_non_ip_passes_as_not_ip()
    {
        var model = GuardPolicyModel.Create([]);
        var decision = model.Evaluate(V4(Host, 6, Tcp(1, 80)));
        AssertDecision(decision, GuardDecision.Pass, GuardReason.Passed, null);
        Assert.Equal(GuardMarks.Unmatched, decision.Marks);
        Assert.True(decision.CarriesMetadata(model.Config.Flags));
        var arp = model.Evaluate(Ethernet([], 0x0806, new byte[28]));
        AssertDecision(arp, GuardDecision.Pass, GuardReason.NotIp, null);
        Assert.False(arp.CarriesMetadata(model.Config.Flags));
    }

    [Fact]
    public void Longest_prefix_wins_whatever_the_action()
    {
        var deny16 = Deny("198.18.0.0/16");
        var allow24 = Allow("198.18.1.0/24");
        var deny32 = Deny("198.18.1.2/32");
        var model = GuardPolicyModel.Create([deny16, allow24, deny32]);
        AssertDecision(model.Evaluate(V4(Host, 17, Udp(1, 53))), GuardDecision.Drop, GuardReason.Denied, deny32);
        AssertDecision(model.Evaluate(V4(IPAddress.Parse("198.18.1.3"), 17, Udp(1, 53))), GuardDecision.Pass, GuardReason.Allowed, allow24);
        AssertDecision(model.Evaluate(V4(IPAddress.Parse("198.18.2.3"), 17, Udp(1, 53))), GuardDecision.Drop, GuardReason.Denied, deny16);
        AssertDecision(model.Evaluate(V4(IPAddress.Parse("198.19.2.3"), 17, Udp(1, 53))), GuardDecision.Pass, GuardReason.Passed, null);
        Assert.Equal(GuardMarks.Allowed, model.Evaluate(V4(IPAddress.Parse("198.18.1.3"), 17, Udp(1, 53))).Marks);
    }

    [Fact]
    public void At_equal_length_the_more_specific_scope_wins()
    {
        var denyAny = Deny("198.18.1.0/24");
        var allowTcp = Allow("198.18.1.0/24", 6);
        var denyTcp443 = Deny("198.18.1.0/24", 6, 443);
        var model = GuardPolicyModel.Create([denyAny, allowTcp, denyTcp443]);
        AssertDecision(model.Evaluate(V4(Host, 6, Tcp(1, 443))), GuardDecision.Drop, GuardReason.Denied, denyTcp443);
        AssertDecision(model.Evaluate(V4(Host, 6, Tcp(1, 22))), GuardDecision.Pass, GuardReason.Allowed, allowTcp);
        AssertDecision(model.Evaluate(V4(Host, 17, Udp(1, 443))), GuardDecision.Drop, GuardReason.Denied, denyAny);
    }

    [Fact]
    public void A_longer_any_scope_prefix_beats_a_shorter_port_rule()
    {
        var allowPort = Allow("198.18.0.0/15", 6, 443);
        var denyHost = Deny("198.18.1.2/32");
        var model = GuardPolicyModel.Create([allowPort, denyHost]);
        AssertDecision(model.Evaluate(V4(Host, 6, Tcp(1, 443))), GuardDecision.Drop, GuardReason.Denied, denyHost);
        AssertDecision(model.Evaluate(V4(IPAddress.Parse("198.19.0.9"), 6, Tcp(1, 443))), GuardDecision.Pass, GuardReason.Allowed, allowPort);
    }

    [Fact]
    public void Same_prefix_and_scope_allowed_and_denied_is_allowed()
    {
        var deny = Deny("fd00:1::/64", 17, 53);
        var allow = Allow("fd00:1::/64", 17, 53);
        foreach (var rules in new[] { new[] { deny, allow }, [allow, deny] })
            AssertDecision(GuardPolicyModel.Create(rules).Evaluate(V6(Host6, 17, Udp(1, 53))), GuardDecision.Pass, GuardReason.Allowed, allow);
    }

    [Fact]
    public void Non_first_fragments_match_address_and_protocol_rules_but_never_port_rules()
    {
        var denyPort = Deny("198.18.0.0/16", 17, 53);
        var model = GuardPolicyModel.Create([denyPort]);
        AssertDecision(model.Evaluate(V4(Host, 17, Udp(1, 53), fragmentField: 0x2000)), GuardDecision.Drop, GuardReason.Denied, denyPort);
        var later = model.Evaluate(V4(Host, 17, Udp(1, 53), fragmentField: 0x0010));
        AssertDecision(later, GuardDecision.Pass, GuardReason.Passed, null);
        Assert.Equal(GuardMarks.Fragment | GuardMarks.Unmatched, later.Marks);
        var denyUdp = Deny("198.18.0.0/16", 17);
        AssertDecision(GuardPolicyModel.Create([denyPort, denyUdp]).Evaluate(V4(Host, 17, [], fragmentField: 0x0010)),
            GuardDecision.Drop, GuardReason.Denied, denyUdp);
        var denyAddress = Deny("fd00::/8");
        AssertDecision(GuardPolicyModel.Create([denyAddress]).Evaluate(V6(Host6, 17, [], [ExtensionHeader.Fragment(3, false)])),
            GuardDecision.Drop, GuardReason.Denied, denyAddress);
    }

    [Fact]
    public void Scoped_rules_are_ignored_without_the_port_rule_flag_of_their_family()
    {
        var denyPort = Deny("198.18.0.0/16", 6, 80);
        var denyPort6 = Deny("fd00::/16", 6, 80);
        var config = GuardConfigValue.Default;
        config.Flags = GuardConfigFlags.PortRulesV6;
        var model = new GuardPolicyModel([denyPort, denyPort6], config);
        AssertDecision(model.Evaluate(V4(Host, 6, Tcp(1, 80))), GuardDecision.Pass, GuardReason.Passed, null);
        AssertDecision(model.Evaluate(V6(Host6, 6, Tcp(1, 80))), GuardDecision.Drop, GuardReason.Denied, denyPort6);
        Assert.Equal(GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6, GuardPolicyModel.PortRuleFlags([denyPort, denyPort6]));
        Assert.Equal(GuardConfigFlags.None, GuardPolicyModel.PortRuleFlags([Deny("fd00::/16")]));
    }

    [Fact]
    public void Families_do_not_mix()
    {
        var model = GuardPolicyModel.Create([Deny("::/0"), Deny("0.0.0.0/0", 17)]);
        AssertDecision(model.Evaluate(V4(Host, 6, Tcp(1, 80))), GuardDecision.Pass, GuardReason.Passed, null);
        Assert.Equal(GuardReason.Denied, model.Evaluate(V4(Host, 17, Udp(1, 80))).Reason);
        Assert.Equal(GuardReason.Denied, model.Evaluate(V6(Host6, 6, Tcp(1, 80))).Reason);
    }

    [Fact]
    public void Default_drop_and_malformed_verdicts_are_configurable()
    {
        var dropping = GuardPolicyModel.Create([], malformed: GuardVerdict.Pass, defaultVerdict: GuardVerdict.Drop);
        var unmatched = dropping.Evaluate(V4(Host, 6, Tcp(1, 80)));
        AssertDecision(unmatched, GuardDecision.Drop, GuardReason.DefaultDrop, null);
        Assert.Equal(GuardMarks.Unmatched, unmatched.Marks);
        var malformed = dropping.Evaluate(V4(Host, 6, new byte[3]));
        AssertDecision(malformed, GuardDecision.Pass, GuardReason.Malformed, null);
        Assert.Equal(GuardMarks.None, malformed.Marks);
        Assert.True(malformed.CarriesMetadata(dropping.Config.Flags));
        AssertDecision(GuardPolicyModel.Create([]).Evaluate(V4(Host, 6, new byte[3])), GuardDecision.Drop, GuardReason.Malformed, null);
        // Rules do not apply to malformed packets, and a dropped malformed packet carries no mark.
        var allowAll = GuardPolicyModel.Create([Allow("0.0.0.0/0")], suspicious: GuardMarks.Malformed);
        Assert.Equal(GuardMarks.None, allowAll.Evaluate(V4(Host, 17, new byte[2])).Marks);
        var passing = GuardPolicyModel.Create([], malformed: GuardVerdict.Pass, suspicious: GuardMarks.Malformed);
        var marked = passing.Evaluate(V4(Host, 17, new byte[2]));
        Assert.Equal(GuardReason.Malformed, marked.Reason);
        Assert.Equal(GuardMarks.Malformed, marked.Marks);
    }

    [Fact]
    public void Passed_packets_with_suspicious_marks_count_as_suspicious()
    {
        var allow = Allow("198.18.0.0/16");
        var model = GuardPolicyModel.Create([allow, Deny("198.19.0.0/16")], suspicious: GuardMarks.Fragment);
        AssertDecision(model.Evaluate(V4(Host, 17, Udp(1, 2), fragmentField: 0x2000)), GuardDecision.Pass, GuardReason.Suspicious, allow);
        AssertDecision(model.Evaluate(V4(Host, 17, Udp(1, 2))), GuardDecision.Pass, GuardReason.Allowed, allow);
        AssertDecision(model.Evaluate(V4(IPAddress.Parse("198.19.0.1"), 17, Udp(1, 2), fragmentField: 0x2000)), GuardDecision.Drop, GuardReason.Denied,
            model.Rules[1]);
        AssertDecision(model.Evaluate(V4(IPAddress.Parse("198.20.0.1"), 17, Udp(1, 2), fragmentField: 0x2000)), GuardDecision.Pass, GuardReason.Suspicious, null);
        var unmatched = GuardPolicyModel.Create([allow], suspicious: GuardMarks.Unmatched);
        Assert.Equal(GuardReason.Suspicious, unmatched.Evaluate(V4(IPAddress.Parse("198.20.0.1"), 17, Udp(1, 2))).Reason);
        Assert.Equal(GuardReason.Allowed, unmatched.Evaluate(V4(Host, 17, Udp(1, 2))).Reason);
        var allowedMark = GuardPolicyModel.Create([allow], suspicious: GuardMarks.Allowed);
        Assert.Equal(GuardReason.Suspicious, allowedMark.Evaluate(V4(Host, 17, Udp(1, 2))).Reason);
    }

    [Fact]
    public void Exact_host_rules_of_both_families()
    {
        var host4 = Deny("198.18.1.2/32");
        var host6 = Allow("fd00:1::2/128");
        var model = GuardPolicyModel.Create([host4, host6, Deny("fd00::/8")]);
        AssertDecision(model.Evaluate(V4(Host, 1, Icmp())), GuardDecision.Drop, GuardReason.Denied, host4);
        AssertDecision(model.Evaluate(V6(Host6, 58, Icmp(128))), GuardDecision.Pass, GuardReason.Allowed, host6);
        Assert.Equal(GuardReason.Denied, model.Evaluate(V6(IPAddress.Parse("fd00:1::3"), 58, Icmp(128))).Reason);
    }

    [Fact]
    public void Rules_apply_through_vlan_tags_ipv4_options_and_ipv6_extension_headers()
    {
        var deny = Deny("198.18.0.0/15", 6, 22);
        var deny6 = Deny("fd00::/8", 6, 22);
        var model = GuardPolicyModel.Create([deny, deny6]);
        Assert.Equal(GuardReason.Denied, model.Evaluate(V4(Host, 6, Tcp(1, 22), optionBytes: 40, tags: [QinQ, Vlan])).Reason);
        Assert.Equal(GuardReason.Denied, model.Evaluate(V6(Host6, 6, Tcp(1, 22),
            [ExtensionHeader.Options(0), ExtensionHeader.Fragment(0, true), ExtensionHeader.Authentication(2)], Vlan)).Reason);
    }

    [Fact]
    public void Address_evaluation_for_the_lockout_check()
    {
        var denySsh = Deny("198.18.0.0/16", 6, 22);
        var model = GuardPolicyModel.Create([denySsh, Allow("198.18.1.0/24", 17)]);
        var ssh = model.Evaluate(Host, 6, 22, nonFirstFragment: false);
        AssertDecision(ssh, GuardDecision.Drop, GuardReason.Denied, denySsh);
        Assert.Null(ssh.Packet);
        AssertDecision(model.Evaluate(IPAddress.Parse("::ffff:198.18.1.2"), 6, 22, false), GuardDecision.Drop, GuardReason.Denied, denySsh);
        AssertDecision(model.Evaluate(Host, 6, 22, nonFirstFragment: true), GuardDecision.Pass, GuardReason.Passed, null);
        Assert.Equal(GuardMarks.Fragment | GuardMarks.Unmatched, model.Evaluate(Host, 6, 22, true).Marks);
        Assert.Equal(GuardReason.Allowed, model.Evaluate(Host, 17, 22, false).Reason);
        Assert.Equal(GuardReason.Passed, model.Evaluate(Host, 6, 2222, false).Reason);
    }

    [Fact]
    public void Host_bits_of_a_rule_are_masked_like_the_lpm_trie_does()
    {
        var rule = Deny("198.18.1.0/24");
        var model = GuardPolicyModel.Create([rule]);
        Assert.Equal(rule, model.FindWinner(IPAddress.Parse("198.18.1.255"), 6, hasPorts: true, 80));
        Assert.Null(model.FindWinner(IPAddress.Parse("198.18.2.0"), 6, hasPorts: true, 80));
        var everything = Deny("::/0", 17, 53);
        Assert.Equal(everything, GuardPolicyModel.Create([everything]).FindWinner(Host6, 17, hasPorts: true, 53));
        Assert.Null(GuardPolicyModel.Create([everything]).FindWinner(Host6, 17, hasPorts: false, 53));
    }
    [Fact]
    public void Settings_give_the_verdicts_and_the_rules_give_the_port_rule_flags()
    {
        var rule = GuardRule.Parse("deny 198.18.0.0/16 udp/11211");
        var settings = new GuardSettings { Default = GuardVerdict.Drop, Malformed = GuardVerdict.Pass, Suspicious = GuardMarks.Allowed };
        var model = new GuardPolicyModel([rule, GuardRule.Parse("allow 198.18.1.0/24 tcp")], settings);
        Assert.Equal(GuardConfigFlags.PortRulesV4 | GuardConfigFlags.Metadata, model.Config.Flags);
        AssertDecision(model.Evaluate(V4(Host, 17, Udp(1, 11211))), GuardDecision.Drop, GuardReason.Denied, rule);
        Assert.Equal(GuardReason.Suspicious, model.Evaluate(V4(Host, 6, Tcp(1, 80))).Reason);
        Assert.Equal(GuardReason.DefaultDrop, model.Evaluate(V4(Host, 17, Udp(1, 80))).Reason);
        Assert.Equal(GuardDecision.Pass, model.Evaluate(V4(Host, 17, new byte[1])).XdpAction);
    }
}

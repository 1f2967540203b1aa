using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Rules and settings written through the controller, checked in the pinned maps (kernel tests).</summary>
public sealed class GuardControllerWriteTests
{
    private static List<GuardRule> Parse(params string[] texts) => [.. texts.Select(t => GuardRule.Parse(t))];

    [Fact]
    public void Rules_land_in_the_right_maps_and_a_second_controller_sees_them()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var change = guard.AddRules(Parse("deny 198.19.0.7", "deny 198.19.0.0/16", "allow 198.18.1.0/24 tcp/443", "deny 0.0.0.0/0 udp/11211",
            "deny fd00::9", "deny fd00:1::/32", "deny ::/0 icmpv6", "deny 198.19.0.0/16"));
        Assert.Equal(new GuardChange(7, 0, 0), change);

        using (var exact4 = new BpfHashMap<uint, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Exact4)), ownsMap: true))
        {
            var value = exact4.Lookup(LpmKey.IPv4("198.19.0.7/32").Data);
            Assert.Equal((GuardRuleActions.Deny, (byte)32, GuardScope.Any), (value.Actions, value.PrefixLength, value.Scope));
            Assert.NotEqual(0u, value.Id);
        }
        using (var rules4 = new BpfLpmTrie<uint, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Rules4)), ownsMap: true))
            Assert.Equal((byte)16, rules4.Lookup(LpmKey.IPv4("198.19.0.0/16")).PrefixLength);
        using (var ports4 = new BpfLpmTrie<GuardPortDataV4, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Ports4)), ownsMap: true))
        {
            var key = new LpmKey<GuardPortDataV4>(24 + 24, new GuardPortDataV4
            {
                Protocol = 6, PortHigh = 443 >> 8, PortLow = 443 & 0xFF, Address = LpmKey.IPv4("198.18.1.0/24").Data,
            });
            var value = ports4.Lookup(key);
            Assert.Equal((GuardRuleActions.Allow, (byte)24, GuardScope.Port), (value.Actions, value.PrefixLength, value.Scope));
            Assert.Equal(2, ports4.Keys.Count());
        }
        Assert.Equal(new GuardRuleCounts(1, 1, 1, 1, 2, 1), guard.CountRules());
        var flags = guard.ActiveConfig.Flags;
        Assert.Equal(GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6, flags & (GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6));

        using var second = GuardController.Open(bed.Target);
        Assert.Equal(
            ["deny 0.0.0.0/0 udp/11211", "allow 198.18.1.0/24 tcp/443", "deny 198.19.0.0/16", "deny 198.19.0.7/32", "deny ::/0 icmpv6",
             "deny fd00::9/128", "deny fd00:1::/32"],
            second.Rules().Select(r => r.Rule.ToString()));

        var removed = second.RemoveRules(Parse("allow 198.18.1.0/24 tcp/443", "deny 0.0.0.0/0 udp/11211", "deny 198.20.0.0/16"));
        Assert.Equal(new GuardChange(0, 2, 1), removed);
        Assert.Equal(GuardConfigFlags.PortRulesV6, guard.ActiveConfig.Flags & (GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6));
        second.RemoveRules(Parse("deny ::/0 icmpv6"));
        Assert.Equal(GuardConfigFlags.None, guard.ActiveConfig.Flags & (GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6));
        Assert.Equal(4, guard.Rules().Count);
    }

    [Fact]
    public void Re_adding_keeps_counters_and_conflicts_are_refused()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        guard.AddRules(Parse("deny 198.19.0.0/16"));
        using (var rules4 = new BpfLpmTrie<uint, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Rules4)), ownsMap: true))
        {
            var value = rules4.Lookup(LpmKey.IPv4("198.19.0.0/16"));
            value.Packets = 3;
            rules4.Update(LpmKey.IPv4("198.19.0.0/16"), value);
        }
        uint generation = guard.ActiveConfig.Generation;
        Assert.Equal(new GuardChange(0, 0, 1), guard.AddRules(Parse("deny 198.19.0.0/16")));
        Assert.Equal(generation, guard.ActiveConfig.Generation);
        Assert.Equal(3ul, Assert.Single(guard.Rules()).Packets);

        var installed = Assert.Throws<GuardConflictException>(() => guard.AddRules(Parse("allow 198.19.0.0/16", "deny 198.20.0.0/16")));
        Assert.Equal("allow 198.19.0.0/16 conflicts with the installed rule deny 198.19.0.0/16: remove that rule first", installed.Message);
        var request = Assert.Throws<GuardConflictException>(() => guard.AddRules(Parse("allow 198.21.0.0/16 tcp", "deny 198.21.0.0/16 tcp")));
        Assert.Equal("198.21.0.0/16 tcp is both allowed and denied in the same request", request.Message);
        Assert.Single(guard.Rules());

        guard.RemoveRules(Parse("deny 198.19.0.0/16"));
        guard.AddRules(Parse("allow 198.19.0.0/16"));
        Assert.Equal("allow 198.19.0.0/16", Assert.Single(guard.Rules()).Rule.ToString());
    }

    [Fact]
    public void Settings_go_to_the_inactive_slot_and_flip_the_selector()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var before = guard.Status();
        var settings = new GuardSettings
        {
            Limits = new GuardLimits { PacketsPerSecond = 1000, Burst = 100, SynPerSecond = 50, SynBurst = 20, BlockTime = TimeSpan.FromSeconds(30),
                ConnectionsPerSecond = 20, ConnectionBurst = 10, MaxConcurrentConnections = 64 },
            Default = GuardVerdict.Drop,
            SynCookies = true,
            Suspicious = GuardMarks.Fragment | GuardMarks.NearLimit,
            TcDrop = GuardMarks.Fragment,
            SampleRate = 16,
        };
        guard.UpdateSettings(settings, force: true);
        var after = guard.Status();
        Assert.Equal(before.ActiveSlot ^ 1, after.ActiveSlot);
        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.Equal(settings, after.Settings);
        var config = guard.ActiveConfig;
        Assert.Equal(1_000_000ul, config.PpsIntervalNs);
        Assert.Equal(99_000_000ul, config.PpsToleranceNs);
        Assert.Equal(20_000_000ul, config.SynIntervalNs);
        Assert.Equal(19 * 20_000_000ul, config.SynToleranceNs);
        Assert.Equal(30_000_000_000ul, config.BlockNs);
        Assert.Equal(50_000_000ul, config.ConnIntervalNs);
        Assert.Equal(64u, config.MaxConcurrent);
        Assert.Equal(GuardVerdict.Drop, config.DefaultVerdict);
        Assert.Equal(GuardConfigFlags.SynCookies | GuardConfigFlags.Metadata, config.Flags);

        var invalid = Assert.Throws<GuardException>(() => guard.UpdateSettings(new GuardSettings { Limits = new GuardLimits { PacketsPerSecond = 2_000_000_000 } }));
        Assert.Contains("pps 2000000000 is out of range", invalid.Message, StringComparison.Ordinal);
        Assert.Equal(after.Generation, guard.ActiveConfig.Generation);
    }
}

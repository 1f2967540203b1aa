using Sluice.Bpf;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Plan and apply against a live guard, including the rollback of a failed apply (kernel tests).</summary>
public sealed class GuardApplyTests
{
    private static GuardConfig Config(string json) => GuardConfig.Parse(json, "test.json");

    [Fact]
    public void Plan_shows_the_diff_and_apply_makes_the_state_the_files()
    {
        Requires();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        guard.AddRules([GuardRule.Parse("deny 198.19.0.0/16"), GuardRule.Parse("allow 198.18.5.0/24"), GuardRule.Parse("deny 198.20.0.0/16")]);
        var desired = Config("""
            { "limits": { "pps": 1000, "burst": 10 }, "default": "drop",
              "allow": ["198.18.0.0/16 tcp/443", "198.18.0.0/24"], "deny": ["198.19.0.0/16", "198.18.5.0/24"] }
            """);
        var plan = guard.Plan(desired);
        Assert.Equal(["allow 198.18.0.0/16 tcp/443", "allow 198.18.0.0/24", "deny 198.18.5.0/24"], plan.RulesToAdd.Select(r => r.ToString()));
        Assert.Equal(["allow 198.18.5.0/24", "deny 198.20.0.0/16"], plan.RulesToRemove.Select(r => r.ToString()));
        Assert.Equal(["pps: 0 -> 1000", "burst: 0 -> 10", "default: pass -> drop"], plan.SettingsChanges);

        guard.Apply(plan);
        Assert.Equal(["allow 198.18.0.0/16 tcp/443", "allow 198.18.0.0/24", "deny 198.18.5.0/24", "deny 198.19.0.0/16"],
            guard.Rules().Select(r => r.Rule.ToString()));
        Assert.Equal(desired.Settings, guard.Settings);
        Assert.Equal(GuardConfigFlags.PortRulesV4, guard.ActiveConfig.Flags & GuardConfigFlags.PortRulesV4);
        Assert.True(guard.Plan(desired).IsEmpty);

        var stale = Assert.Throws<GuardException>(() => guard.Apply(plan));
        Assert.StartsWith("the guard changed since the plan was made", stale.Message, StringComparison.Ordinal);
        Assert.Equal(GuardFailure.StalePlan, stale.Reason);

        guard.Apply(guard.Plan(GuardConfig.Empty));
        Assert.Empty(guard.Rules());
        Assert.Equal(GuardSettings.Defaults, guard.Settings);
        Assert.Equal(GuardConfigFlags.None, guard.ActiveConfig.Flags & (GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6));
    }

    [Theory]
    [InlineData("flags")]
    [InlineData("add")]
    [InlineData("remove")]
    [InlineData("settings")]
    public void A_failed_apply_is_rolled_back_to_the_old_state(string failingStep)
    {
        Requires();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        guard.AddRules([GuardRule.Parse("deny 198.19.0.0/16"), GuardRule.Parse("allow 198.18.5.0/24"), GuardRule.Parse("deny fd00:9::/32")]);
        guard.UpdateSettings(new GuardSettings { SampleRate = 8 });
        using (var rules4 = new BpfLpmTrie<uint, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Rules4)), ownsMap: true))
        {
            var value = rules4.Lookup(LpmKey.IPv4("198.18.5.0/24"));
            value.Packets = 9;
            rules4.Update(LpmKey.IPv4("198.18.5.0/24"), value);
        }
        var rulesBefore = guard.Rules();
        var settingsBefore = guard.Settings;
        var flagsBefore = guard.ActiveConfig.Flags;
        var plan = guard.Plan(Config("""
            { "limits": { "pps": 10 }, "allow": ["198.18.0.0/16 udp/53"], "deny": ["198.18.5.0/24", "198.21.0.0/16"] }
            """));
        guard.ApplyStepHook = step =>
        {
            if (step == failingStep) throw new IOException($"injected failure at {step}");
        };
        var error = Assert.Throws<GuardException>(() => guard.Apply(plan));
        Assert.Equal("apply failed; nothing was changed", error.Message);
        Assert.Equal(GuardFailure.KernelError, error.Reason);
        Assert.Equal($"injected failure at {failingStep}", error.InnerException?.Message);
        Assert.Equal(rulesBefore, guard.Rules());
        Assert.Equal(settingsBefore, guard.Settings);
        Assert.Equal(flagsBefore, guard.ActiveConfig.Flags);
        Assert.Equal(9ul, guard.Rules().Single(r => r.Rule.ToString() == "allow 198.18.5.0/24").Packets);
    }

    private static void Requires() => Sluice.Tests.Requires.Root();
}

using Sluice.Programs.Guard;
using Sluice.Programs.Guard.Model;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>The differential test's generator: reproducible from its seed, and aimed at the rules.</summary>
public sealed class GuardTrafficGeneratorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_rule_sets_and_frames()
    {
        var first = Sample(12345);
        var second = Sample(12345);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++) Assert.Equal(first[i], second[i]);
        Assert.NotEqual(first, Sample(54321));
    }

    [Fact]
    public void Most_well_formed_frames_hit_a_rule()
    {
        var generator = new GuardTrafficGenerator(7);
        int ip = 0, matched = 0, scenarios = 0;
        while (scenarios++ < 50)
        {
            var scenario = generator.NextScenario();
            if (scenario.Rules.Count < 4) continue;
            var model = new GuardPolicyModel(scenario.Rules, scenario.ConfigValue() with { Flags = GuardPolicyModel.PortRuleFlags(scenario.Rules) });
            for (int i = 0; i < 200; i++)
            {
                foreach (var frame in generator.NextFrames())
                {
                    var decision = model.Evaluate(frame);
                    if (decision.Packet?.Kind is not (GuardPacketKind.IPv4 or GuardPacketKind.IPv6)) continue;
                    ip++;
                    if (decision.Winner is not null) matched++;
                }
            }
        }
        Assert.True(matched > ip / 2, $"only {matched} of {ip} well-formed IP frames matched a rule");
    }

    [Fact]
    public void Address_evaluation_for_the_lockout_check_agrees_with_frame_evaluation()
    {
        var generator = new GuardTrafficGenerator(99);
        int compared = 0;
        for (int scenarios = 0; scenarios < 100; scenarios++)
        {
            var scenario = generator.NextScenario();
            var model = new GuardPolicyModel(scenario.Rules, new GuardSettings { Default = scenario.Default, Suspicious = scenario.Suspicious });
            for (int i = 0; i < 200; i++)
            {
                foreach (var frame in generator.NextFrames())
                {
                    var byFrame = model.Evaluate(frame);
                    // A first fragment's mark is known only from the frame.
                    if (byFrame.Packet is not { Kind: GuardPacketKind.IPv4 or GuardPacketKind.IPv6 } packet || packet.Fragment && !packet.NonFirstFragment) continue;
                    var byAddress = model.Evaluate(packet.Source!, packet.Protocol, packet.DestinationPort, packet.NonFirstFragment);
                    Assert.True(byFrame with { Packet = null } == byAddress, $"frame {GuardFrames.Hex(frame)}: {byFrame} by frame, {byAddress} by address");
                    compared++;
                }
            }
        }
        Assert.True(compared > 8_000, $"only {compared} frames compared");
    }

    private static List<string> Sample(int seed)
    {
        var generator = new GuardTrafficGenerator(seed);
        var lines = new List<string>();
        for (int s = 0; s < 5; s++)
        {
            lines.Add(generator.NextScenario().ToString());
            for (int i = 0; i < 100; i++) lines.AddRange(generator.NextFrames().Select(f => GuardFrames.Hex(f)));
        }
        return lines;
    }
}

using Xunit;
using Sluice.Tests;

namespace Sluice.Cli.Tests.Guard;

public class GuardAttachCommandTests
{
    [Fact]
    public void Attach_status_detach_round_trip_in_a_namespace_leaves_no_pins()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach("--mode", "generic");
        Assert.True(Directory.Exists(guard.PinDirectory), $"{guard.PinDirectory} missing after attach");

        var status = guard.Json("status");
        Assert.Equal("va", status.GetProperty("interface").GetString());
        Assert.Equal(guard.Namespace, status.GetProperty("netns").GetString());
        Assert.Equal("generic", status.GetProperty("xdp_mode").GetString());
        Assert.True(status.GetProperty("xdp_prog_id").GetUInt32() > 0);
        Assert.True(status.GetProperty("tc").GetBoolean());
        Assert.Equal(0, status.GetProperty("rules").GetProperty("total").GetInt32());

        // Without --dev, the only guard in the namespace is the one meant.
        var resolved = CliAssert.Succeeds("guard", "status", "--json", "--netns", guard.Namespace).Json();
        Assert.Equal(status.GetProperty("xdp_prog_id").GetUInt32(), resolved.GetProperty("xdp_prog_id").GetUInt32());

        // The XDP program is really on the interface.
        var net = CliAssert.Succeeds("net", "list", "--netns", guard.Namespace, "--json").Json();
        Assert.Contains(net.EnumerateArray(), a => a.GetProperty("hook").GetString() == "xdp" && a.GetProperty("target").GetString() == "va");

        // Attaching again keeps the rules.
        guard.Succeeds("deny", "198.19.0.0/16");
        guard.Attach("--mode", "generic");
        Assert.Equal(["deny 198.19.0.0/16"], guard.RuleTexts());

        // Upgrade swaps the programs and keeps the rules.
        guard.Succeeds("upgrade");
        var upgraded = guard.Json("status");
        Assert.NotEqual(status.GetProperty("xdp_prog_id").GetUInt32(), upgraded.GetProperty("xdp_prog_id").GetUInt32());
        Assert.Equal(["deny 198.19.0.0/16"], guard.RuleTexts());

        // Two guards in the namespace: without --dev the verb names both and changes nothing.
        CliAssert.Succeeds("guard", "attach", "vb", "--netns", guard.Namespace, "--no-tc");
        string ambiguous = CliAssert.FailsWithOneLine("guard", "deny", "198.20.0.0/16", "--netns", guard.Namespace);
        Assert.Contains("va (netns", ambiguous, StringComparison.Ordinal);
        Assert.Contains("vb (netns", ambiguous, StringComparison.Ordinal);
        CliAssert.Succeeds("guard", "detach", "--dev", "vb", "--netns", guard.Namespace);
        Assert.Equal(["deny 198.19.0.0/16"], guard.RuleTexts());

        CliAssert.Succeeds("guard", "detach", "va", "--netns", guard.Namespace);
        Assert.False(Directory.Exists(guard.PinDirectory), $"{guard.PinDirectory} still exists after detach");
        net = CliAssert.Succeeds("net", "list", "--netns", guard.Namespace, "--json").Json();
        Assert.DoesNotContain(net.EnumerateArray(), a => a.GetProperty("target").GetString() == "va");
        string line = CliAssert.FailsWithOneLine("guard", "status", "--dev", "va", "--netns", guard.Namespace);
        Assert.Contains("no guard", line, StringComparison.Ordinal);
        // The library reports the kind (NotAttached); the CLI words the way out, with the target's own options.
        Assert.EndsWith($"run `sluice guard attach va --netns {guard.Namespace}` first", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Attach_without_tc_has_no_tc_stage()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach("--no-tc");
        var status = guard.Json("status");
        Assert.False(status.GetProperty("tc").GetBoolean());
    }
}

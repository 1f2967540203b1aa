using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.XdpApps;

/// <summary><c>sluice forward</c> through the real CLI, in a namespace with two veth pairs (va/vb, wa/wb).</summary>
public sealed class ForwardCommandTests
{
    public ForwardCommandTests() => Requires.Root();

    [Fact]
    public void Attach_ports_steer_route_stats_and_detach()
    {
        using var ns = new TestNamespace();
        LabNamespace.Nsenter(ns.Name, "ip", "link", "add", "wa", "type", "veth", "peer", "name", "wb");
        LabNamespace.Nsenter(ns.Name, "ip", "link", "set", "wa", "up");
        LabNamespace.Nsenter(ns.Name, "ip", "link", "set", "wb", "up");
        try
        {
            var attached = CliAssert.Succeeds("forward", "attach", "va", "wa", "--netns", ns.Name, "--xdp-mode", "native", "--json").Json();
            Assert.Equal("l2", attached.GetProperty("mode").GetString());
            var ports = attached.GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("interface").GetString()!, p => p.GetProperty("egress").GetString());
            Assert.Equal("wa", ports["va"]);
            Assert.Equal("va", ports["wa"]);

            var route = CliAssert.Succeeds("forward", "route", "198.18.5.5", "--from", "va", "--netns", ns.Name, "--json").Json();
            Assert.Equal("redirected", route.GetProperty("reason").GetString());
            Assert.Equal("wa", route.GetProperty("egress").GetString());

            CliAssert.Succeeds("forward", "port", "add", "vb", "--netns", ns.Name, "--no-flood");
            CliAssert.Succeeds("forward", "steer", "0", "--netns", ns.Name);
            var stats = CliAssert.Succeeds("forward", "stats", "--netns", ns.Name, "--json").Json();
            Assert.Equal([0], stats.GetProperty("steer_cpus").EnumerateArray().Select(c => c.GetInt32()));
            var vb = stats.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("interface").GetString() == "vb");
            Assert.False(vb.GetProperty("flood").GetBoolean());
            CliAssert.Succeeds("forward", "port", "remove", "vb", "--netns", ns.Name);
            CliAssert.Succeeds("forward", "steer", "off", "--netns", ns.Name);
            Assert.Contains("redirected", CliAssert.Succeeds("forward", "stats", "--netns", ns.Name).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            SluiceProcess.Run("forward", "detach", "--netns", ns.Name);
        }
        Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/forward/{ns.Name}"));
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_1()
    {
        using var ns = new TestNamespace();
        try
        {
            Assert.Contains("'nosuch' does not exist", CliAssert.FailsWithOneLine("forward", "attach", "va", "nosuch", "--netns", ns.Name), StringComparison.Ordinal);
            Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/forward/{ns.Name}"), "a failed attach left state behind");
            CliAssert.FailsWithOneLine("forward", "attach", "va", "--netns", ns.Name, "--mode", "bridge");
            CliAssert.FailsWithOneLine("forward", "attach", "va", "--netns", ns.Name, "--steer-cpus", "9999");
            CliAssert.Succeeds("forward", "attach", "va", "--netns", ns.Name);
            // A port that does not exist in the namespace (it does in the caller's: lo).
            Assert.Contains("does not exist", CliAssert.FailsWithOneLine("forward", "port", "add", "eth-none", "--netns", ns.Name), StringComparison.Ordinal);
            Assert.Contains("redirect loop", CliAssert.FailsWithOneLine("forward", "port", "add", "va", "--to", "va", "--netns", ns.Name), StringComparison.Ordinal);
            Assert.Contains("not a port", CliAssert.FailsWithOneLine("forward", "port", "add", "vb", "--to", "wx", "--netns", ns.Name), StringComparison.Ordinal);
            Assert.Contains("not a port", CliAssert.FailsWithOneLine("forward", "route", "198.18.0.1", "--from", "vb", "--netns", ns.Name), StringComparison.Ordinal);
            CliAssert.FailsWithOneLine("forward", "route", "nonsense", "--from", "va", "--netns", ns.Name);
            var json = SluiceProcess.Run("forward", "port", "add", "va", "--to", "va", "--netns", ns.Name, "--json");
            Assert.Equal(1, json.ExitCode);
            Assert.Contains("redirect loop", json.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            SluiceProcess.Run("forward", "detach", "--netns", ns.Name);
        }
    }
}

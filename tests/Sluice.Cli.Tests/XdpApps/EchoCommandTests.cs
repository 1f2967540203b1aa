using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.XdpApps;

/// <summary><c>sluice echo</c> end to end through the real CLI on a veth pair (va, vb) in a throwaway namespace.</summary>
public sealed class EchoCommandTests
{
    public EchoCommandTests() => Requires.Root();

    [Fact]
    public void Attach_port_stats_and_detach_round_trip_in_json()
    {
        using var ns = new TestNamespace();
        try
        {
            var attached = CliAssert.Succeeds("echo", "attach", "va", "--netns", ns.Name, "--udp-port", "7", "--mode", "native", "--json").Json();
            Assert.Equal("va", attached.GetProperty("interface").GetString());
            Assert.Equal("native", attached.GetProperty("xdp_mode").GetString());
            Assert.Equal([7], attached.GetProperty("udp_ports").EnumerateArray().Select(p => p.GetInt32()));
            var setup = attached.GetProperty("setup").EnumerateArray().Select(c => (c.GetProperty("setting").GetString(), c.GetProperty("interface").GetString())).ToList();
            Assert.Contains(("xdp", "vb"), setup);
            Assert.Contains(("tx-checksumming", "vb"), setup);

            CliAssert.Succeeds("echo", "port", "add", "9", "10", "--dev", "va", "--netns", ns.Name);
            CliAssert.Succeeds("echo", "port", "remove", "10", "--dev", "va", "--netns", ns.Name);
            var stats = CliAssert.Succeeds("echo", "stats", "--dev", "va", "--netns", ns.Name, "--json").Json();
            Assert.Equal([7, 9], stats.GetProperty("udp_ports").EnumerateArray().Select(p => p.GetInt32()));
            Assert.Equal(0, stats.GetProperty("counters").GetProperty("icmp_echo").GetProperty("packets").GetInt64());

            string text = CliAssert.Succeeds("echo", "stats", "--dev", "va", "--netns", ns.Name).Stdout;
            Assert.Contains("icmp_echo", text, StringComparison.Ordinal);
        }
        finally
        {
            SluiceProcess.Run("echo", "detach", "va", "--netns", ns.Name);
        }
        Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/echo/{ns.Name}"));
        string links = LabNamespace.Nsenter(ns.Name, "ip", "link", "show");
        Assert.DoesNotContain("prog/xdp", links, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_1()
    {
        using var ns = new TestNamespace();
        Assert.Contains("'nosuch' does not exist", CliAssert.FailsWithOneLine("echo", "attach", "nosuch", "--netns", ns.Name), StringComparison.Ordinal);
        CliAssert.FailsWithOneLine("echo", "attach", "va", "--netns", "sluice-no-such-netns");
        CliAssert.FailsWithOneLine("echo", "attach", "va", "--netns", ns.Name, "--udp-port", "70000");
        CliAssert.FailsWithOneLine("echo", "stats", "--dev", "va", "--netns", ns.Name);
        var json = SluiceProcess.Run("echo", "attach", "nosuch", "--netns", ns.Name, "--json");
        Assert.Equal(1, json.ExitCode);
        Assert.Contains("nosuch", json.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/echo/{ns.Name}"));
    }
}

using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

public class NetCommandTests
{
    [Fact]
    public void Net_list_shows_an_xdp_program_attached_inside_a_namespace()
    {
        Requires.Root();
        string ns = $"slcli{Environment.ProcessId % 10000}{Random.Shared.Next(1000)}";
        using var pins = new TestPinDirectory();
        try
        {
            ShellCommand.Run("ip", "netns", "add", ns);
            ShellCommand.Run("ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb");
            ShellCommand.Run("ip", "-n", ns, "link", "set", "va", "up");
            var load = SluiceProcess.Run("object", "load", Fixture.Path("xdp_counter"), "--pin", pins.Path);
            Assert.True(load.ExitCode == 0, load.Stderr);
            // nsenter keeps our mount namespace, so the bpffs pin stays visible (ip -n would remount /sys).
            ShellCommand.Run("nsenter", $"--net=/var/run/netns/{ns}", "ip", "link", "set", "dev", "va", "xdpgeneric", "pinned",
                Path.Combine(pins.Path, "xdp_counter"));

            var list = SluiceProcess.Run("net", "list", "--netns", ns, "--json");
            Assert.True(list.ExitCode == 0, list.Stderr);
            var row = Assert.Single(list.Json().EnumerateArray());
            Assert.Equal("xdp", row.GetProperty("hook").GetString());
            Assert.Equal("va", row.GetProperty("target").GetString());
            Assert.Equal("mode generic", row.GetProperty("detail").GetString());
            Assert.Equal("xdp_counter", row.GetProperty("prog_name").GetString());
        }
        finally
        {
            ShellCommand.TryRun("ip", ["netns", "del", ns], out _, out _);
        }
    }

    [Fact]
    public void Net_list_with_an_unknown_namespace_fails_with_one_line()
    {
        Requires.Root();
        var result = SluiceProcess.Run("net", "list", "--netns", "no-such-namespace-xyz");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: network namespace 'no-such-namespace-xyz' not found (no /var/run/netns/no-such-namespace-xyz)", result.Stderr.Trim());
    }
}

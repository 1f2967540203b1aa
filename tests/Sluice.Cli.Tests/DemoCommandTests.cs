using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public void Demo_drops_the_blocked_port_and_counts_every_packet_in_the_kernel()
    {
        Requires.Root();
        var result = SluiceProcess.Run("demo");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("UDP to 9 (blocked)", StringComparison.Ordinal) && l.Contains("Drop", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("TCP SYN to 443", StringComparison.Ordinal) && l.Contains("Pass", StringComparison.Ordinal));
        // 100 runs per packet kind, counted by the program itself in its per-CPU map.
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["Dropped", "100", "5800"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["Malformed", "100", "2000"]);
    }
}

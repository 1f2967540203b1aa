using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

public partial class DemoCommandTests(ITestOutputHelper output)
{
    [Fact]
    public void Demo_protects_the_client_accounts_for_every_flood_packet_and_leaves_nothing_behind()
    {
        Requires.Root();
        var clock = Stopwatch.StartNew();
        var result = SluiceProcess.Run("demo");
        var elapsed = clock.Elapsed;
        output.WriteLine(result.Stdout);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        string stdout = result.Stdout;

        var client = ClientLine().Match(stdout);
        Assert.True(client.Success, "no success-rate line");
        long ok = Number(client, 1), tried = Number(client, 2);
        Assert.True(tried >= 100, $"only {tried} connections tried");
        Assert.True(ok >= tried * 99 / 100, $"legitimate success rate {ok}/{tried} < 99%");

        var flood = FloodLine().Match(stdout);
        Assert.True(flood.Success, "no flood line with every packet accounted for");
        long floodSent = Number(flood, 1);
        Assert.True(floodSent >= 10_000, $"flood sent only {floodSent}");
        Assert.Equal(floodSent, Number(flood, 2) + Number(flood, 3));
        Assert.Equal(floodSent, Number(flood, 4));

        var noisy = NoisyLine().Match(stdout);
        Assert.True(noisy.Success, "no noisy-host line with every packet accounted for");
        Assert.Equal(Number(noisy, 1), Number(noisy, 2) + Number(noisy, 3));
        Assert.True(Number(noisy, 2) > 0 && Number(noisy, 3) > 0, "the noisy host should be partly delivered, partly limited");
        Assert.Equal(Number(noisy, 3), Number(noisy, 4) + Number(noisy, 5));

        // The counters table and the rule hit counters agree with the summary line.
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["denied", var packets, _] && long.Parse(packets, CultureInfo.InvariantCulture) == floodSent);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["deny", "198.19.0.0/16", var hits] && long.Parse(hits, CultureInfo.InvariantCulture) == floodSent);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["allowed", var packets, _] && long.Parse(packets, CultureInfo.InvariantCulture) >= ok * 3);
        // A live view: several rows while the traffic ran.
        Assert.True(lines.Count(l => LiveRow().IsMatch(l)) >= 4, "fewer than four live rows");

        Assert.Empty(Directory.Exists("/var/run/netns") ? Directory.GetFiles("/var/run/netns", "sluice-demo-*") : []);
        Assert.Empty(Directory.Exists("/sys/fs/bpf/sluice/guard") ? Directory.GetDirectories("/sys/fs/bpf/sluice/guard", "sluice-demo-*") : []);
        Assert.Contains("Removed the namespaces", stdout, StringComparison.Ordinal);
        // How long it took is reported, not asserted: the suite runs on a shared, loaded machine.
        output.WriteLine($"the demo took {elapsed.TotalSeconds:0.0} s");
    }

    private static long Number(Match match, int group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"legitimate client: (\d+)/(\d+) connections succeeded, success rate [\d.]+%")]
    private static partial Regex ClientLine();

    [GeneratedRegex(@"attacker flood: (\d+) packets sent \(SYN (\d+), UDP (\d+)\), (\d+) denied by rule 'deny 198\.19\.0\.0/16': all accounted for")]
    private static partial Regex FloodLine();

    [GeneratedRegex(@"noisy host: (\d+) packets sent, (\d+) delivered, (\d+) dropped \(rate_limited (\d+), blocked (\d+)\): all accounted for")]
    private static partial Regex NoisyLine();

    [GeneratedRegex(@"^\s*\d+\.\ds\s+\d+/\d+\s")]
    private static partial Regex LiveRow();
}

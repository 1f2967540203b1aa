using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

/// <summary>
/// The successful paths of `guard apply` (with and without --dry-run), `guard attach --config`, `guard events --follow`
/// and `guard attach --no-tc`, each checked in the kernel (what the guard's XDP program does with real datagrams,
/// what is attached to the interface), not only in what the CLI prints.
/// </summary>
public class GuardApplyCommandTests
{
    // 198.18.0.1 is the source of GuardTestTarget.SendUdp.
    private const string Config = """
        {
          "limits": { "pps": 500, "burst": 50 },
          "sampleRate": 1,
          "allow": ["198.18.1.0/24"],
          "deny": ["198.18.0.1/32", "198.19.0.0/16"]
        }
        """;

    [Fact]
    public void Dry_run_prints_the_diff_and_changes_nothing_then_apply_makes_it_so()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        using var config = new TempFile(Config);
        guard.Attach("--mode", "generic");
        guard.Succeeds("deny", "198.21.0.0/16");
        string before = guard.Snapshot();

        var dryRun = guard.Succeeds("apply", config.Path, "--dry-run").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("+ deny 198.18.0.1/32", dryRun);
        Assert.Contains("+ deny 198.19.0.0/16", dryRun);
        Assert.Contains("+ allow 198.18.1.0/24", dryRun);
        Assert.Contains("- deny 198.21.0.0/16", dryRun);
        Assert.Contains(dryRun, l => l.StartsWith("~ pps: ", StringComparison.Ordinal) && l.EndsWith("-> 500", StringComparison.Ordinal));
        Assert.Equal("dry run: nothing changed", dryRun[^1]);
        Assert.Equal(before, guard.Snapshot());
        guard.SendUdp(3);
        Assert.Equal(0UL, Denied(guard)); // the dry run installed no deny

        var applied = guard.Succeeds("apply", config.Path).Stdout;
        Assert.Contains($"applied {config.Path}", applied, StringComparison.Ordinal);
        Assert.Equal(["allow 198.18.1.0/24", "deny 198.18.0.1/32", "deny 198.19.0.0/16"], guard.RuleTexts());
        var settings = guard.Json("status").GetProperty("settings");
        Assert.Equal(500, settings.GetProperty("pps").GetInt32());
        Assert.Equal(50, settings.GetProperty("burst").GetInt32());
        Assert.Equal(1, settings.GetProperty("sample_rate").GetInt32());
        // In force in the kernel: the datagrams from 198.18.0.1 now hit the deny rule.
        guard.SendUdp(4);
        Assert.Equal(4UL, Denied(guard));

        // Applying the same file again changes nothing.
        var again = guard.Succeeds("apply", config.Path).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["no changes"], again);
        Assert.Equal(["allow 198.18.1.0/24", "deny 198.18.0.1/32", "deny 198.19.0.0/16"], guard.RuleTexts());
    }

    [Fact]
    public void Attach_with_a_config_applies_it_right_away()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        using var config = new TempFile(Config);
        var attached = CliAssert.Succeeds("guard", "attach", GuardTestTarget.Interface, "--netns", guard.Namespace, "--mode", "generic", "--config", config.Path);
        Assert.Contains($"applied {config.Path}", attached.Stdout, StringComparison.Ordinal);
        Assert.Equal(["allow 198.18.1.0/24", "deny 198.18.0.1/32", "deny 198.19.0.0/16"], guard.RuleTexts());
        Assert.Equal(500, guard.Json("status").GetProperty("settings").GetProperty("pps").GetInt32());
        guard.SendUdp(2);
        Assert.Equal(2UL, Denied(guard));
    }

    [Fact]
    public void Events_follow_waits_for_drops_that_happen_after_it_started()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach("--mode", "generic");
        guard.Succeeds("deny", "198.18.0.1");
        guard.Succeeds("limit", "--sample-rate", "1");
        Assert.Empty(guard.Json("events").EnumerateArray()); // nothing queued

        using var follower = guard.Start("events", "--follow", "--json", "--count", "3");
        try
        {
            // With nothing queued, a reader that does not follow would have exited by the time the guard answers this.
            guard.Succeeds("status");
            Assert.False(follower.HasExited, "events --follow exited with nothing to read");
            guard.SendUdp(3);
            Assert.True(follower.WaitForExit(Wait.Generous), "events --follow did not stop after 3 events");
            Assert.True(follower.ExitCode == 0, follower.StandardError.ReadToEnd());
            var lines = follower.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.All(lines, line =>
            {
                var e = System.Text.Json.JsonDocument.Parse(line).RootElement;
                Assert.Equal("denied", e.GetProperty("reason").GetString());
                Assert.Equal("198.18.0.1", e.GetProperty("source").GetString());
                Assert.Equal(9, e.GetProperty("destination_port").GetInt32());
            });
        }
        finally
        {
            if (!follower.HasExited) follower.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void No_tc_attaches_nothing_to_tc_in_the_kernel()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach("--mode", "generic", "--no-tc");
        Assert.False(guard.Json("status").GetProperty("tc").GetBoolean());
        Assert.Empty(TcHooks(guard, GuardTestTarget.Interface));
        Assert.Contains(Hooks(guard, GuardTestTarget.Interface), hook => hook == "xdp");

        // The control: the same attach with TC puts a program on the TC hook of that interface.
        CliAssert.Succeeds("guard", "attach", "vb", "--netns", guard.Namespace, "--mode", "generic");
        Assert.NotEmpty(TcHooks(guard, "vb"));
    }

    private static IEnumerable<string> TcHooks(GuardTestTarget guard, string device) =>
        Hooks(guard, device).Where(hook => hook.StartsWith("tc", StringComparison.Ordinal));

    /// <summary>The hooks `net list` (which asks the kernel: TCX query, clsact filters, XDP) shows on <paramref name="device"/>.</summary>
    private static List<string> Hooks(GuardTestTarget guard, string device) =>
        [.. CliAssert.Succeeds("net", "list", "--netns", guard.Namespace, "--json").Json().EnumerateArray()
            .Where(a => a.GetProperty("target").GetString() == device)
            .Select(a => a.GetProperty("hook").GetString()!)];

    private static ulong Denied(GuardTestTarget guard) =>
        guard.Json("stats").GetProperty("reasons").GetProperty("denied").GetProperty("packets").GetUInt64();

    private sealed class TempFile : IDisposable
    {
        public TempFile(string text)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"guard-config-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
            File.WriteAllText(Path, text);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}

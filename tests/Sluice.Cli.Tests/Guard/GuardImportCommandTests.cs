using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

public partial class GuardImportCommandTests
{
    [Fact]
    public void Import_adds_every_rule_of_a_file_and_prints_progress()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "# test list\n198.19.0.0/16\nallow 198.18.1.0/24\n\n198.18.2.3 # one host\nfd00:1::/32 udp/53\n");
            var result = guard.Succeeds("import", file);
            Assert.Contains("4 new rules", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("4/4 prefixes", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(["allow 198.18.1.0/24", "deny 198.18.2.3/32", "deny 198.19.0.0/16", "deny fd00:1::/32 udp/53"], guard.RuleTexts());
            result = guard.Succeeds("import", file);
            Assert.Contains("0 new rules, 4 already present", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// kill -9 in the middle of a 500,000-prefix import: what readers see meanwhile is consistent (every rule the guard
    /// lists is in its maps and the flags agree), the next writer undoes the dead import from its journal before its
    /// own change (all or nothing), and running the import again adds every prefix.
    /// </summary>
    [Fact]
    public void Import_killed_midway_is_undone_by_the_next_writer_and_a_rerun_completes()
    {
        Requires.Root();
        const int Total = 500_000;
        using var guard = new GuardTestTarget();
        guard.Attach();
        guard.Succeeds("deny", "198.19.0.0/16");
        string file = Path.GetTempFileName();
        try
        {
            var expected = new List<string>(Total);
            using (var writer = new StreamWriter(file))
            {
                // 100,000 exact IPv4 hosts in 198.18.0.0/15 and 400,000 IPv6 /48 prefixes in fd00::/8.
                for (int i = 0; i < 100_000; i++) expected.Add($"198.{18 + (i >> 16)}.{(i >> 8) & 0xff}.{i & 0xff}/32");
                for (int i = 0; i < 400_000; i++) expected.Add($"fd00:{i >> 16:x}:{i & 0xffff:x}::/48");
                foreach (string prefix in expected) writer.WriteLine(prefix);
            }

            long killedAt = KillMidway(guard, file, Total);
            Assert.InRange(killedAt, 1, Total - 1);
            var state = GuardState.Read(guard);
            Assert.True(state.Consistent, state.Problem);

            // The next writer (any verb) undoes the dead import first: no half of it survives.
            guard.Succeeds("deny", "198.19.5.0/24");
            Assert.Equal(["deny 198.19.0.0/16", "deny 198.19.5.0/24"], guard.RuleTexts());

            var rerun = guard.Succeeds("import", file);
            var summary = Summary().Match(rerun.Stdout);
            Assert.True(summary.Success, rerun.Stdout);
            long added = long.Parse(summary.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            Assert.Equal(Total, added);
            state = GuardState.Read(guard);
            Assert.True(state.Consistent, state.Problem);
            Assert.Equal(Total + 2, state.RuleCount);
            var present = state.Rules.ToHashSet(StringComparer.Ordinal);
            var missing = expected.Where(p => !present.Contains("deny " + System.Net.IPNetwork.Parse(p))).Take(5).ToList();
            Assert.True(missing.Count == 0, $"missing after the re-run: {string.Join(", ", missing)}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Starts the import, waits for a progress line between 5% and 80%, kills it with SIGKILL, returns the last count seen.</summary>
    private static long KillMidway(GuardTestTarget guard, string file, int total)
    {
        using var import = guard.Start("import", file, "--progress-interval", "0");
        var seen = new List<string>();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromMinutes(15) && import.StandardError.ReadLine() is { } line)
            {
                seen.Add(line);
                var match = Progress().Match(line);
                if (!match.Success) continue;
                long done = long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                if (done >= total / 20 && done <= total * 4 / 5)
                {
                    import.Kill();
                    import.WaitForExit();
                    return done;
                }
            }
            Assert.Fail($"no progress line between 5% and 80% (import exited: {import.HasExited}):\n{string.Join('\n', seen.TakeLast(10))}");
            return -1;
        }
        finally
        {
            if (!import.HasExited)
            {
                import.Kill();
                import.WaitForExit();
            }
        }
    }

    [GeneratedRegex(@"([\d,]+) new rules, ([\d,]+) already present")]
    private static partial Regex Summary();

    [GeneratedRegex(@"([\d,]+)/([\d,]+) prefixes")]
    private static partial Regex Progress();
}

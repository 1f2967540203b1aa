using System.Diagnostics;
using System.Globalization;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Bulk import: 1,000,000 prefixes, progress, idempotent re-runs and cancellation (kernel tests).</summary>
public sealed class GuardImportTests(ITestOutputHelper output)
{
    /// <summary>Distinct /24 prefixes (map data only: no packet is ever sent to them).</summary>
    private static IEnumerable<string> Prefixes(int count, int first = 0x010000)
    {
        for (int i = 0; i < count; i++)
        {
            int n = first + i;
            yield return string.Create(CultureInfo.InvariantCulture, $"{(n >> 16) & 0xFF}.{(n >> 8) & 0xFF}.{n & 0xFF}.0/24");
        }
    }

    [Fact]
    public void Import_over_a_maps_capacity_is_refused_before_anything_is_written()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        guard.AddRules([.. Prefixes(10, 0x020000).Select(p => GuardRule.Parse($"deny {p} tcp/80"))]);
        var before = (guard.CountRules(), guard.ActiveConfig);
        // guard_ports4 holds 65,536 entries: 10 installed + 65,530 new port rules do not fit, and the prefix and exact
        // rules of the same import must not be written either.
        var rules = Prefixes(65_530, 0x030000).Select(p => GuardRule.Parse($"deny {p} udp/53"))
            .Concat(Prefixes(100, 0x400000).Select(p => GuardRule.Parse(p)))
            .Append(GuardRule.Parse("deny 198.19.0.1")).ToList();
        var error = Assert.Throws<GuardException>(() => guard.Import(rules));
        output.WriteLine(error.Message);
        Assert.Contains("does not fit: 65530 new rules for guard_ports4, which holds 10 of at most 65536; nothing was written", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (guard.CountRules(), guard.ActiveConfig));
    }

    [Fact]
    public void Imports_a_million_prefixes_in_batches_and_a_rerun_changes_nothing()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        string file = Path.Combine(Path.GetTempPath(), $"guard-import-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllLines(file, ["# a million prefixes", .. Prefixes(1_000_000), "1.0.0.0/24", "allow 198.18.0.0/16 tcp/22"]);
            var reports = new List<GuardImportProgress>();
            var clock = Stopwatch.StartNew();
            var result = guard.Import(GuardRuleFile.Read(file), new SynchronousProgress(reports.Add));
            clock.Stop();
            output.WriteLine($"import of 1,000,001 rules from a file: {clock.Elapsed.TotalSeconds:0.00} s " +
                $"({clock.Elapsed.TotalMilliseconds * 1000 / 1_000_001:0.00} us/rule, parse included)");
            Assert.Equal(new GuardImportResult(1_000_002, 1, 1_000_001, 0, result.Elapsed), result);
            Assert.Equal(new GuardRuleCounts(0, 0, 1_000_000, 0, 1, 0), guard.CountRules());
            Assert.Equal(GuardConfigFlags.PortRulesV4, guard.ActiveConfig.Flags & GuardConfigFlags.PortRulesV4);
            var last = reports[^1];
            Assert.Equal((1_000_001L, 1_000_001L), (last.Written, last.Total));
            Assert.True(reports.Count > 10);
            Assert.True(last.RatePerSecond > 0);
            using (var rules4 = new BpfLpmTrie<uint, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Rules4)), ownsMap: true))
                Assert.True(rules4.TryMatch(LpmKey.IPv4("1.2.3.4/32").Data, out var hit) && hit.PrefixLength == 24);

            clock.Restart();
            var again = guard.Import(GuardRuleFile.Read(file));
            output.WriteLine($"re-run (everything installed): {clock.Elapsed.TotalSeconds:0.00} s");
            Assert.Equal((0L, 1_000_001L), (again.Added, again.Unchanged));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_cancelled_import_is_undone_and_a_rerun_completes()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var before = guard.ActiveConfig;
        var rules = Prefixes(200_000).Select(p => GuardRule.Parse(p)).Append(GuardRule.Parse("deny 198.19.0.0/16 udp/53")).ToList();
        using var cancel = new CancellationTokenSource();
        long writtenWhenCancelled = 0;
        var progress = new SynchronousProgress(report =>
        {
            if (report.Written <= 0) return;
            writtenWhenCancelled = report.Written;
            cancel.Cancel();
        });
        Assert.Throws<OperationCanceledException>(() => guard.Import(rules, progress, cancel.Token));
        // All or nothing: the chunk written before the cancel is undone, flags and settings are back.
        Assert.InRange(writtenWhenCancelled, 1, rules.Count - 1);
        Assert.Equal(0, guard.CountRules().Total);
        Assert.Equal(before.Flags, guard.ActiveConfig.Flags);
        Assert.True(guard.ActiveConfig.Generation > before.Generation);

        var rerun = guard.Import(rules);
        Assert.Equal((rules.Count, 0L), (rerun.Added, rerun.Unchanged));
        Assert.Equal(rules.Count, guard.CountRules().Total);
        Assert.Equal(GuardConfigFlags.PortRulesV4, guard.ActiveConfig.Flags & GuardConfigFlags.PortRulesV4);

        var conflict = Assert.Throws<GuardConflictException>(() => guard.Import([GuardRule.Parse("allow 1.0.0.0/24")]));
        Assert.Equal("allow 1.0.0.0/24 conflicts with the installed rule deny 1.0.0.0/24: remove that rule first", conflict.Message);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<GuardImportProgress> report) : IProgress<GuardImportProgress>
    {
        public void Report(GuardImportProgress value) => report(value);
    }
}

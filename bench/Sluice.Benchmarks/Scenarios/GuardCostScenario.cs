using Sluice.Benchmarks.Guard;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Kernel cost per packet of the guard's XDP program (BPF_PROG_TEST_RUN) with 100,000 deny prefixes and 100,000
/// exact deny addresses loaded (a tenth of each IPv6), on mixed traffic (<see cref="GuardTraffic.Mixed"/>):
/// against a bare <c>return XDP_DROP</c> (bench/c/bpf/xdp_drop.bpf.c); and against xdp-filter, loaded by its own
/// tool, on the subset it can express: exact IPv4 source addresses (as many as its map holds, the guard holding
/// the same list), on IPv4 frames from listed and unlisted sources.
/// Each frame is test-run <see cref="Repeat"/> times in one call: the figure is the kernel's own mean run time
/// (which excludes the syscall and the RCU grace period a repeated XDP test-run waits per call), averaged over
/// the frames, each frame weighing the same.
/// </summary>
public sealed class GuardCostScenario : IScenario
{
    private const int Rules = 100_000;
    private const int Repeat = 50_000;

    public string Name => "guard-cost";

    public string Description => $"guard XDP ns/packet by test-run, {Rules:N0} prefixes + {Rules:N0} exact, vs XDP_DROP and xdp-filter";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var rules = new GuardRuleSet(Rules, Rules);
        var mixed = GuardTraffic.Mixed(rules);
        using var guard = new GuardUnderTest();
        guard.Deny(rules);
        using var drop = BpfCollection.Load(BenchPaths.CArtifact("xdp_drop.bpf.o"));
        var bare = drop.Program("xdp_drop");
        string source = $"guard_xdp.bpf.c at {GuardUnderTest.SourceCommit()}";

        string? verdicts = CheckVerdicts(guard.Program, mixed);
        Measure(guard.Program, mixed, 1000); // warm-up
        var (sluice, baseline) = Interleaved.Run(rounds, () => Measure(guard.Program, mixed, Repeat), () => Measure(bare, mixed, Repeat));
        Detail("mixed", "guard", sluice, "xdp_drop", baseline);
        Breakdown(guard.Program, bare, mixed);
        yield return new Measurement("guard-cost-vs-drop", "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "XDP_DROP", 3.0,
            $"{mixed.Count} mixed frames x {Repeat:N0} runs, kernel-timed (integer ns per frame); {source}" + verdicts);

        foreach (var row in CompareWithXdpFilter(rounds, rules, guard, source)) yield return row;
    }

    /// <summary>
    /// The target row: the guard holding only the exact IPv4 addresses xdp-filter holds (the rule subset it can
    /// express), both on the same IPv4 frames. The info row: the guard with its full rule set on the same frames.
    /// </summary>
    private static IEnumerable<Measurement> CompareWithXdpFilter(int rounds, GuardRuleSet rules, GuardUnderTest full, string source)
    {
        using var filter = StartXdpFilter(rules, out string? unavailable);
        if (filter is null)
            return [Measurement.Unavailable("guard-cost-vs-xdp-filter", "ns/pkt", Better.Lower, "xdp-filter", 1.0, unavailable ?? "")];
        {
            using var exact = new GuardUnderTest();
            exact.DenyExact4(rules.Exact4.Take(filter.Listed));
            var subset = GuardTraffic.ExactIPv4(rules, filter.Listed);
            string? verdicts = CheckVerdicts(exact.Program, subset) ?? CheckVerdicts(full.Program, subset)
                ?? CheckVerdicts(filter.Program, subset)?.Replace("guard", "xdp-filter", StringComparison.Ordinal);
            Measure(filter.Program, subset, 1000);
            var withFullRules = new Samples();
            var (sluice, baseline) = Interleaved.Run(rounds,
                () =>
                {
                    withFullRules.Add(Measure(full.Program, subset, Repeat));
                    return Measure(exact.Program, subset, Repeat);
                },
                () => Measure(filter.Program, subset, Repeat));
            Detail("exact-v4", "guard (same list)", sluice, "xdp-filter", baseline);
            Breakdown(exact.Program, filter.Program, subset);
            Console.Error.WriteLine($"  exact-v4: guard with all {Rules:N0} + {Rules:N0} rules {withFullRules.Median:0.0} ns (spread {withFullRules.Spread:P0})");
            Breakdown(full.Program, filter.Program, subset);
            string what = $"{subset.Count} IPv4 frames (exact hits + misses); {XdpFilterUnderTest.Version()} --features ipv4 " +
                $"holds {filter.Listed:N0} addresses (its map's max_entries is {filter.Capacity:N0})";
            return
            [
                new Measurement("guard-cost-vs-xdp-filter", "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "xdp-filter", 1.0,
                    $"{what}, the guard the same {filter.Listed:N0} exact addresses; {source}" + verdicts),
                new Measurement("guard-cost-full-vs-xdp-filter", "ns/pkt", Better.Lower, withFullRules.Median, baseline.Median, "xdp-filter", null,
                    $"the same frames, the guard with all its rules (misses also walk the 90,000-prefix trie)"),
            ];
        }
    }

    /// <summary>xdp-filter loaded with the exact IPv4 list, or null with the reason it could not be (not installed, in use).</summary>
    private static XdpFilterUnderTest? StartXdpFilter(GuardRuleSet rules, out string? unavailable)
    {
        unavailable = null;
        try
        {
            return new XdpFilterUnderTest(rules.Exact4);
        }
        catch (Exception error)
        {
            unavailable = error.Message;
            return null;
        }
    }

    /// <summary>Mean kernel run time per packet over <paramref name="frames"/>, each test-run <paramref name="repeat"/> times.</summary>
    private static double Measure(BpfProgram program, List<GuardFrame> frames, int repeat)
    {
        double total = 0;
        foreach (var frame in frames) total += program.TestRun(frame.Bytes, repeat: repeat).DurationNanoseconds;
        return total / frames.Count;
    }

    /// <summary>Null when every frame gets its expected verdict; else a note (the placeholder program passes everything).</summary>
    private static string? CheckVerdicts(BpfProgram program, List<GuardFrame> frames)
    {
        var wrong = frames.Where(f => program.TestRun(f.Bytes).ReturnValue != f.ExpectedVerdict).ToList();
        return wrong.Count == 0 ? null
            : $"; WARNING: guard gave {wrong.Count} of {frames.Count} frames the wrong verdict (first: {wrong[0].Kind})";
    }

    /// <summary>Per kind of frame, one more run of both programs (where the guard spends its time), on stderr.</summary>
    private static void Breakdown(BpfProgram guard, BpfProgram baseline, List<GuardFrame> frames)
    {
        foreach (var kind in frames.GroupBy(f => f.Kind))
        {
            var list = kind.ToList();
            Console.Error.WriteLine($"    {kind.Key,-26} guard {Measure(guard, list, Repeat),6:0.0} ns   {baseline.Name} {Measure(baseline, list, Repeat),6:0.0} ns");
        }
    }

    private static void Detail(string traffic, string sluiceName, Samples sluice, string baselineName, Samples baseline) =>
        Console.Error.WriteLine($"  {traffic}: {sluiceName} {sluice.Median:0.0} ns (spread {sluice.Spread:P0}), " +
            $"{baselineName} {baseline.Median:0.0} ns (spread {baseline.Spread:P0})");
}

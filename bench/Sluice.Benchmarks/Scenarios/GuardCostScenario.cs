using Sluice.Benchmarks.Guard;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Kernel cost per packet of the guard's XDP program (BPF_PROG_TEST_RUN) with 100,000 deny prefixes and 100,000
/// exact deny addresses loaded (a tenth of each IPv6), on mixed traffic (<see cref="GuardTraffic.Mixed"/>):
/// against a bare <c>return XDP_DROP</c> (bench/c/bpf/xdp_drop.bpf.c), and on the IPv4 exact-address subset
/// against xdp-filter loaded by its own tool with the same addresses (as many as its map holds).
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
        yield return new Measurement("guard-cost-vs-drop", "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "XDP_DROP", 3.0,
            $"{mixed.Count} mixed frames x {Repeat:N0} runs, kernel-timed (integer ns per frame); {source}" + verdicts);

        yield return CompareWithXdpFilter(rounds, rules, guard, source);
    }

    private static Measurement CompareWithXdpFilter(int rounds, GuardRuleSet rules, GuardUnderTest guard, string source)
    {
        XdpFilterUnderTest filter;
        try
        {
            filter = new XdpFilterUnderTest(rules.Exact4);
        }
        catch (Exception error)
        {
            return Measurement.Unavailable("guard-cost-vs-xdp-filter", "ns/pkt", Better.Lower, "xdp-filter", 1.0, error.Message);
        }
        using (filter)
        {
            var subset = GuardTraffic.ExactIPv4(rules, filter.Listed);
            string? verdicts = CheckVerdicts(guard.Program, subset) ?? CheckVerdicts(filter.Program, subset)?.Replace("guard", "xdp-filter", StringComparison.Ordinal);
            Measure(filter.Program, subset, 1000);
            var (sluice, baseline) = Interleaved.Run(rounds, () => Measure(guard.Program, subset, Repeat), () => Measure(filter.Program, subset, Repeat));
            Detail("exact-v4", "guard", sluice, "xdp-filter", baseline);
            return new Measurement("guard-cost-vs-xdp-filter", "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "xdp-filter", 1.0,
                $"{subset.Count} IPv4 frames (exact hits + misses); {XdpFilterUnderTest.Version()} --features ipv4 holds {filter.Listed:N0} " +
                $"addresses (its map's max_entries is {filter.Capacity:N0}), the guard its full rule set; {source}" + verdicts);
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

    private static void Detail(string traffic, string sluiceName, Samples sluice, string baselineName, Samples baseline) =>
        Console.Error.WriteLine($"  {traffic}: {sluiceName} {sluice.Median:0.0} ns (spread {sluice.Spread:P0}), " +
            $"{baselineName} {baseline.Median:0.0} ns (spread {baseline.Spread:P0})");
}

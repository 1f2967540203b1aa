using System.Diagnostics;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;
using Sluice.Bpf.Object;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Reading the running kernel's BTF and finding struct task_struct by name, as a CO-RE load does first: Sluice's
/// <see cref="BtfSpec.Load(string, BtfSpec?)"/> + FindType (what <see cref="KernelBtf"/> does once per process) against
/// libbpf's btf__load_vmlinux_btf + btf__find_by_name_kind (bench/c/btf_parse.c, which libbpf repeats on every
/// bpf_object__load).
/// </summary>
public sealed class KernelBtfScenario : IScenario
{
    private const int ParsesPerRound = 10;

    public string Name => "kernel-btf";

    public string Description => "parse /sys/kernel/btf/vmlinux and find task_struct: Sluice vs libbpf (in-process)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var parser = BenchPaths.CArtifact("btf_parse");
        Measure(3); // warm-up: JIT
        var (sluice, baseline) = Interleaved.Run(rounds,
            () => Measure(ParsesPerRound),
            () => CBaseline.Run(parser, ParsesPerRound.ToString())["parse_ms_median"]);
        yield return new Measurement("kernel-btf-parse", "ms", Better.Lower, sluice.Median, baseline.Median, "libbpf", 1.0);
    }

    private static double Measure(int parses)
    {
        var samples = new Samples();
        for (int i = 0; i < parses; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var btf = BtfSpec.Load(KernelBtf.VmlinuxPath);
            if (btf.FindType("task_struct", BtfKind.Struct) is null) throw new InvalidOperationException("vmlinux BTF has no struct task_struct");
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return samples.Median;
    }
}

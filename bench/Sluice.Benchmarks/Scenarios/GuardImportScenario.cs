using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Sluice.Benchmarks.Guard;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Bulk import of 1,000,000 IPv4 deny prefixes (/12../31, half /24: all go to the guard's LPM trie, none to the
/// exact hash) against bench/c/lpm_import.c, which creates a trie shaped like guard_rules4 and writes the same
/// prefixes with one libbpf bpf_map_update_batch. Seconds for the writes only: both sides start from prefixes
/// already in memory (parsed rules / keys read from a file) and an empty map. The compared figure is CPU seconds
/// of the process (all threads, user + system; the writes run in the bpf() syscall): on a machine shared with
/// other work the wall time mostly measures the CPU share the scheduler gave, so it is reported next to it.
/// Row guard-import: <see cref="GuardController.Import"/> into a guard freshly attached (private pin root) to a veth
/// in throwaway namespaces, every round (attach and detach not timed); the controller parses nothing here, it gets
/// <see cref="GuardRule"/> records, and does its dedupe, conflict checks and batched writes.
/// Row guard-import-map: Sluice's typed <see cref="BpfLpmTrie{TData,TValue}.UpdateBatch"/> into a fresh trie of
/// the same shape (the library floor under the controller).
/// </summary>
public sealed class GuardImportScenario : IScenario
{
    private const int Prefixes = 1_000_000;
    private const uint MaxEntries = 2u << 20; // GUARD_MAX_PREFIXES

    public string Name => "guard-import";

    public string Description => $"import of {Prefixes:N0} IPv4 prefixes, seconds (libbpf: bench/c/lpm_import.c, one batch)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var binary = BenchPaths.CArtifact("lpm_import");
        var keys = new GuardRuleSet(Prefixes, 0, ipv4Only: true).Prefixes4.ToArray();
        string keyFile = Path.Combine(Path.GetTempPath(), $"sluice-bench-import-{Environment.ProcessId}.bin");
        File.WriteAllBytes(keyFile, MemoryMarshal.AsBytes(keys.AsSpan()).ToArray());
        try
        {
            foreach (var row in MeasureController(rounds, binary, keyFile, keys)) yield return row;
            var wall = (Sluice: new Samples(), Baseline: new Samples());
            var (sluice, baseline) = Interleaved.Run(rounds, () => MeasureMap(keys, wall.Sluice), () => MeasureLibbpf(binary, keyFile, wall.Baseline));
            yield return new Measurement("guard-import-map", "cpu-s", Better.Lower, sluice.Median, baseline.Median, "libbpf", 1.2,
                $"BpfLpmTrie.UpdateBatch of {Prefixes:N0} prefixes into a trie shaped like guard_rules4; " +
                $"libbpf {baseline.Median * 1e6 / Prefixes:0.00} us/prefix of CPU");
            yield return new Measurement("guard-import-map-wall", "s", Better.Lower, wall.Sluice.Median, wall.Baseline.Median, "libbpf", null);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    private static IEnumerable<Measurement> MeasureController(int rounds, string binary, string keyFile, LpmKey<uint>[] keys)
    {
        var rules = keys.Select(k => new GuardRule(new IPNetwork(new IPAddress(BitConverter.GetBytes(k.Data)), (int)k.PrefixLength), GuardRuleAction.Deny)).ToList();
        var wall = (Sluice: new Samples(), Baseline: new Samples());
        (Samples Sluice, Samples Baseline) cpu;
        try
        {
            cpu = Interleaved.Run(rounds, () => MeasureImport(rules, wall.Sluice), () => MeasureLibbpf(binary, keyFile, wall.Baseline));
        }
        catch (Exception error)
        {
            return [Measurement.Unavailable("guard-import", "cpu-s", Better.Lower, "libbpf", 1.2, $"GuardController.Import: {error.Message}")];
        }
        return
        [
            new Measurement("guard-import", "cpu-s", Better.Lower, cpu.Sluice.Median, cpu.Baseline.Median, "libbpf", 1.2,
                $"GuardController.Import of {Prefixes:N0} deny prefixes, {cpu.Sluice.Median * 1e6 / Prefixes:0.00} us/prefix of CPU; " +
                $"libbpf {cpu.Baseline.Median * 1e6 / Prefixes:0.00}; controller at {ControllerCommit()}"),
            new Measurement("guard-import-wall", "s", Better.Lower, wall.Sluice.Median, wall.Baseline.Median, "libbpf", null),
        ];
    }

    private static double MeasureImport(List<GuardRule> rules, Samples wall)
    {
        using var veth = new VethNamespaces();
        string root = $"/sys/fs/bpf/sluice-bench-import-{Environment.ProcessId}";
        var target = new GuardTarget(veth.ReceiverInterface, veth.ReceiverNamespace) { Root = root };
        try
        {
            using var controller = GuardController.Attach(target, new GuardAttachOptions());
            using var process = Process.GetCurrentProcess();
            var user = process.UserProcessorTime;
            long start = Stopwatch.GetTimestamp();
            double cpuStart = ThreadCpuClock.ProcessSeconds();
            var result = controller.Import(rules);
            double cpu = ThreadCpuClock.ProcessSeconds() - cpuStart;
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            if (result.Added != rules.Count) throw new InvalidOperationException($"Import added {result.Added} of {rules.Count} rules");
            Console.Error.WriteLine($"  controller   of which user (managed code) {(process.UserProcessorTime - user).TotalSeconds:0.00} s");
            return Report("controller", seconds, cpu, wall);
        }
        finally
        {
            try
            {
                GuardController.Detach(target);
            }
            finally
            {
                if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            }
        }
    }

    private static string ControllerCommit() => BenchPaths.LastCommit("src/Sluice.Programs/Guard");

    private static double MeasureLibbpf(string binary, string keyFile, Samples wall)
    {
        var figures = CBaseline.Run(binary, keyFile);
        if (figures["prefixes"] != Prefixes) throw new InvalidOperationException($"lpm_import wrote {figures["prefixes"]} prefixes");
        return Report("libbpf", figures["seconds"], figures["cpu_seconds"], wall);
    }

    /// <summary>Per-round detail on stderr; keeps the wall time, returns the CPU time.</summary>
    private static double Report(string side, double seconds, double cpu, Samples wall)
    {
        Console.Error.WriteLine($"  {side,-12} {seconds,7:0.000} s wall, {cpu,7:0.000} s CPU ({cpu * 1e6 / Prefixes:0.00} us/prefix)");
        wall.Add(seconds);
        return cpu;
    }

    private static double MeasureMap(LpmKey<uint>[] keys, Samples wall)
    {
        var values = new GuardRuleValue[keys.Length];
        for (int i = 0; i < keys.Length; i++)
            values[i] = new GuardRuleValue { Actions = GuardRuleActions.Deny, PrefixLength = (byte)keys[i].PrefixLength, Scope = GuardScope.Any, Id = (uint)i + 1 };
        using var trie = BpfLpmTrie<uint, GuardRuleValue>.Create(GuardMapNames.Rules4, MaxEntries);
        long start = Stopwatch.GetTimestamp();
        double cpuStart = ThreadCpuClock.ProcessSeconds();
        int written = trie.UpdateBatch(keys, values);
        double cpu = ThreadCpuClock.ProcessSeconds() - cpuStart;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (written != keys.Length) throw new InvalidOperationException($"UpdateBatch wrote {written} of {keys.Length}");
        return Report("sluice map", seconds, cpu, wall);
    }
}

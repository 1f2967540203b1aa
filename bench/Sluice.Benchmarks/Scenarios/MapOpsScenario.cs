using System.Diagnostics;
using Sluice.Benchmarks.Harness;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Per-operation lookup and update on a HASH map (key u32, value u64, 1024 keys): Sluice's typed view against
/// libbpf's bpf_map_lookup_elem / bpf_map_update_elem (bench/c/map_ops.c), same loop, same key sequence.
/// </summary>
public sealed class MapOpsScenario : IScenario
{
    private const int Operations = 200_000;
    private const int Keys = 1024;

    public string Name => "map-ops";

    public string Description => $"HASH u32->u64 lookup and update, ns/op over {Operations:N0} ops (libbpf: bench/c/map_ops.c)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var binary = BenchPaths.CArtifact("map_ops");
        var lookup = (Sluice: new Samples(), Baseline: new Samples());
        var update = (Sluice: new Samples(), Baseline: new Samples());
        MeasureSluice(Operations / 10); // warm-up: tiered JIT reaches its final code before the first sample
        for (int round = 0; round < rounds; round++)
        {
            void Baseline()
            {
                var figures = CBaseline.Run(binary, Operations.ToString(), Keys.ToString());
                lookup.Baseline.Add(figures["lookup_ns_per_op"]);
                update.Baseline.Add(figures["update_ns_per_op"]);
            }
            void Sluice()
            {
                var (lookupNs, updateNs) = MeasureSluice(Operations);
                lookup.Sluice.Add(lookupNs);
                update.Sluice.Add(updateNs);
            }
            if (round % 2 == 0) { Baseline(); Sluice(); } else { Sluice(); Baseline(); }
        }
        yield return new Measurement("map-lookup", "ns/op", Better.Lower, lookup.Sluice.Median, lookup.Baseline.Median, "libbpf", 1.2);
        yield return new Measurement("map-update", "ns/op", Better.Lower, update.Sluice.Median, update.Baseline.Median, "libbpf", 1.2);
    }

    /// <summary>The same two loops as map_ops.c, through <see cref="Bpf.BpfHashMap{TKey,TValue}"/>.</summary>
    internal static (double LookupNs, double UpdateNs) MeasureSluice(int operations)
    {
        using var map = Bpf.BpfHashMap<uint, ulong>.Create("bench_ops", Keys);
        for (uint key = 0; key < Keys; key++) map.Update(key, key);

        ulong sum = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < operations; i++)
        {
            if (!map.TryLookup((uint)(i % Keys), out ulong value)) throw new InvalidOperationException("key missing");
            sum += value;
        }
        double lookup = Stopwatch.GetElapsedTime(start).TotalNanoseconds / operations;

        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < operations; i++) map.Update((uint)(i % Keys), (ulong)i);
        double update = Stopwatch.GetElapsedTime(start).TotalNanoseconds / operations;
        GC.KeepAlive(sum);
        return (lookup, update);
    }
}

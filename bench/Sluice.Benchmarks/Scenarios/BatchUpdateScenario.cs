using System.Diagnostics;
using Sluice.Benchmarks.Harness;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// One BPF_MAP_UPDATE_BATCH writing 1,000,000 fresh keys into an empty HASH map (key u32, value u64):
/// Sluice's typed UpdateBatch against libbpf's bpf_map_update_batch (bench/c/batch_update.c). Only the batch call is timed.
/// </summary>
public sealed class BatchUpdateScenario : IScenario
{
    private const int Entries = 1_000_000;

    public string Name => "batch-update";

    public string Description => $"BPF_MAP_UPDATE_BATCH of {Entries:N0} HASH entries, entries/s (libbpf: bench/c/batch_update.c)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var binary = BenchPaths.CArtifact("batch_update");
        var keys = new uint[Entries];
        var values = new ulong[Entries];
        for (int i = 0; i < Entries; i++)
        {
            keys[i] = (uint)i;
            values[i] = (ulong)i * 3;
        }
        var (sluice, baseline) = Interleaved.Run(rounds,
            () => MeasureSluice(keys, values),
            () => CBaseline.Run(binary, Entries.ToString())["entries_per_second"]);
        yield return new Measurement("batch-update-1M", "entries/s", Better.Higher, sluice.Median, baseline.Median, "libbpf", 0.8);
    }

    private static double MeasureSluice(uint[] keys, ulong[] values)
    {
        using var map = Bpf.BpfHashMap<uint, ulong>.Create("bench_batch", (uint)keys.Length);
        long start = Stopwatch.GetTimestamp();
        int written = map.UpdateBatch(keys, values);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (written != keys.Length) throw new InvalidOperationException($"UpdateBatch wrote {written} of {keys.Length}");
        return keys.Length / seconds;
    }
}

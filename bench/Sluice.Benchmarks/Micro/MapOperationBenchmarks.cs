using BenchmarkDotNet.Attributes;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Micro;

/// <summary>Per-operation cost of lookup and update on a HASH map (key u32, value u64), typed and raw.</summary>
[MemoryDiagnoser]
public class MapOperationBenchmarks
{
    private const int Keys = 1024;
    private BpfHashMap<uint, ulong>? _map;
    private uint _next;
    private readonly byte[] _key = new byte[4];
    private readonly byte[] _value = new byte[8];

    [GlobalSetup]
    public void Setup()
    {
        _map = BpfHashMap<uint, ulong>.Create("bench_micro", Keys);
        for (uint key = 0; key < Keys; key++) _map.Update(key, key);
    }

    [GlobalCleanup]
    public void Cleanup() => _map?.Dispose();

    [Benchmark(Baseline = true)]
    public ulong TypedLookup()
    {
        _map!.TryLookup(_next++ % Keys, out ulong value);
        return value;
    }

    [Benchmark]
    public void TypedUpdate() => _map!.Update(_next++ % Keys, _next);

    [Benchmark]
    public bool RawLookup()
    {
        BitConverter.TryWriteBytes(_key, _next++ % Keys);
        return _map!.Map.TryLookup(_key, _value);
    }
}

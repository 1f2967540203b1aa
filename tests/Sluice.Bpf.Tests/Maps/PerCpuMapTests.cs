using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Maps;

public class PerCpuMapTests
{
    [Fact]
    public void Per_cpu_hash_returns_one_value_per_possible_cpu_and_sums_them()
    {
        Requires.Root();
        using var map = BpfPerCpuHashMap<uint, ulong>.Create("t_pcpu_hash", 16);
        int cpus = PossibleCpus.Count;
        Assert.Equal(cpus, map.CpuCount);
        var values = Enumerable.Range(1, cpus).Select(i => (ulong)i * 100).ToArray();

        Assert.Null(map.Lookup(7));
        Assert.Null(map.Sum(7u));
        map.Update(7, values);
        Span<ulong> read = stackalloc ulong[cpus];
        Assert.True(map.TryLookup(7, read));
        Assert.Equal(values, read.ToArray());
        Assert.Equal(values, map.Lookup(7));
        Assert.Equal(values.Aggregate(0UL, (a, b) => a + b), map.Sum(7u));

        map.UpdateAll(7, 5);
        Assert.Equal((ulong)(5 * cpus), map.Sum(7u));
        Assert.True(map.Delete(7));
        Assert.Null(map.Lookup(7));
    }

    [Fact]
    public void Per_cpu_values_smaller_than_8_bytes_are_repacked_per_slot()
    {
        Requires.Root();
        // 4-byte values travel in 8-byte kernel slots: a naive copy would put CPU 1's value in CPU 0's padding.
        using var array = BpfPerCpuArray<uint>.Create("t_pcpu_arr", 4);
        int cpus = array.CpuCount;
        var values = Enumerable.Range(0, cpus).Select(i => 0xA0u + (uint)i).ToArray();
        array.Update(2, values);
        Assert.Equal(values, array.Lookup(2));
        Assert.Equal(new uint[cpus], array.Lookup(1));
        Assert.Equal((uint)values.Sum(v => (long)v), array.Sum(2u));

        // The raw map sees the kernel layout: one 8-byte slot per CPU.
        var raw = new byte[array.Map.ValueBufferSize];
        Assert.True(array.Map.TryLookup(BitConverter.GetBytes(2u), raw));
        for (int cpu = 0; cpu < cpus; cpu++) Assert.Equal(values[cpu], BitConverter.ToUInt32(raw, cpu * 8));
    }

    [Fact]
    public void Per_cpu_buffer_shorter_than_cpu_count_is_rejected()
    {
        Requires.Root();
        using var array = BpfPerCpuArray<ulong>.Create("t_pcpu_short", 1);
        var error = Assert.Throws<ArgumentException>(() => array.TryLookup(0, new ulong[array.CpuCount - 1]));
        Assert.Contains($"needs {array.CpuCount}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lru_per_cpu_hash_round_trips_and_evicts()
    {
        Requires.Root();
        using var map = BpfPerCpuHashMap<uint, uint>.Create("t_lru_pcpu", 32, flags: 2, type: BpfMapType.LruPerCpuHash);
        var ones = Enumerable.Repeat(1u, map.CpuCount).ToArray();
        for (uint i = 0; i < 500; i++) map.Update(i, ones);
        Assert.InRange(map.Keys.Count(), 1, 32);
        Assert.Equal((uint)map.CpuCount, map.Sum(499u));
        Assert.Null(map.Sum(0u));
    }

    [Fact]
    public void Per_cpu_batch_update_and_lookup_with_repacking()
    {
        Requires.Root();
        using var map = BpfPerCpuHashMap<uint, uint>.Create("t_pcpu_batch", 1024);
        int cpus = map.CpuCount;
        var keys = Enumerable.Range(0, 1000).Select(i => (uint)i).ToArray();
        var values = new uint[keys.Length * cpus];
        for (int k = 0; k < keys.Length; k++)
            for (int c = 0; c < cpus; c++) values[k * cpus + c] = (uint)(k * 10 + c);
        Assert.Equal(1000, map.UpdateBatch(keys, values));

        var cursor = new MapBatchCursor();
        var readKeys = new uint[128];
        var readValues = new uint[128 * cpus];
        var seen = new Dictionary<uint, uint[]>();
        while (!cursor.IsDone)
        {
            int n = map.LookupBatch(cursor, readKeys, readValues);
            for (int i = 0; i < n; i++) seen[readKeys[i]] = readValues.AsSpan(i * cpus, cpus).ToArray();
        }
        Assert.Equal(1000, seen.Count);
        Assert.All(seen, e => Assert.Equal(Enumerable.Range(0, cpus).Select(c => e.Key * 10 + (uint)c), e.Value));

        Assert.Equal(500, map.DeleteBatch(keys.AsSpan(0, 500)));
        var drain = new MapBatchCursor();
        int drained = 0;
        while (!drain.IsDone)
        {
            int n = map.LookupAndDeleteBatch(drain, readKeys, readValues);
            for (int i = 0; i < n; i++) Assert.True(readKeys[i] >= 500);
            drained += n;
        }
        Assert.Equal(500, drained);
        Assert.Empty(map.Keys);
    }
}

using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests;

public class RawMapTests
{
    [Fact]
    public void Hash_map_round_trips_raw_bytes_and_reports_absence()
    {
        Requires.Root();
        using var map = BpfMap.Create(new MapSpec { Name = "raw_hash", Type = BpfMapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16 });
        byte[] key = [1, 2, 3, 4];
        byte[] value = BitConverter.GetBytes(0x1122334455667788UL);
        var read = new byte[8];

        Assert.False(map.TryLookup(key, read));
        map.Update(key, value);
        Assert.True(map.TryLookup(key, read));
        Assert.Equal(value, read);

        var next = new byte[4];
        Assert.True(map.TryGetNextKey(ReadOnlySpan<byte>.Empty, next));
        Assert.Equal(key, next);
        Assert.False(map.TryGetNextKey(next, next));

        var error = Assert.Throws<BpfException>(() => map.Update(key, value, MapUpdateFlags.NoExist));
        Assert.Equal("EEXIST", error.ErrnoName);
        Assert.True(map.Delete(key));
        Assert.False(map.Delete(key));
    }

    [Fact]
    public void Per_cpu_array_values_are_one_slot_per_possible_cpu()
    {
        Requires.Root();
        using var map = BpfMap.Create(new MapSpec { Name = "raw_pcpu", Type = BpfMapType.PerCpuArray, KeySize = 4, ValueSize = 4, MaxEntries = 1 });
        Assert.Equal(8 * PossibleCpus.Count, map.ValueBufferSize);
        var values = new byte[map.ValueBufferSize];
        for (int cpu = 0; cpu < PossibleCpus.Count; cpu++) values[cpu * 8] = (byte)(cpu + 1);
        map.Update(new byte[4], values);
        var read = new byte[map.ValueBufferSize];
        Assert.True(map.TryLookup(new byte[4], read));
        Assert.Equal(values, read);
    }
}

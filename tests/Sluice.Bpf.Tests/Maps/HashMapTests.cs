using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Maps;

public class HashMapTests
{
    public record struct FlowKey(uint Source, uint Destination, ushort SourcePort, ushort DestinationPort);

    [Fact]
    public void Typed_hash_round_trips_structs_and_reports_absence()
    {
        Requires.Root();
        using var map = BpfHashMap<FlowKey, ulong>.Create("t_hash", 64);
        var key = new FlowKey(0xC6120001, 0xC6120002, 1234, 80);

        Assert.False(map.TryLookup(key, out _));
        map.Update(key, 42);
        Assert.True(map.TryLookup(key, out ulong value));
        Assert.Equal(42UL, value);
        Assert.Equal(42UL, map.Lookup(key));
        Assert.False(map.TryAdd(key, 7));
        Assert.Equal(42UL, map.Lookup(key));
        map.Update(key, 43, MapUpdateFlags.Exist);
        Assert.Equal(43UL, map.Lookup(key));

        var missing = key with { SourcePort = 1 };
        var error = Assert.Throws<BpfException>(() => map.Update(missing, 1, MapUpdateFlags.Exist));
        Assert.Equal("ENOENT", error.ErrnoName);
        Assert.Throws<KeyNotFoundException>(() => map.Lookup(missing));

        Assert.True(map.Delete(key));
        Assert.False(map.Delete(key));
        Assert.False(map.TryLookup(key, out _));
    }

    [Fact]
    public void Full_hash_map_refuses_new_keys_with_E2BIG()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_full", 4);
        for (uint i = 0; i < 4; i++) map.Update(i, i);
        var error = Assert.Throws<BpfException>(() => map.Update(99, 1));
        Assert.Equal("E2BIG", error.ErrnoName);
    }

    [Fact]
    public void Key_and_value_size_mismatch_names_expected_and_actual()
    {
        Requires.Root();
        using var raw = BpfMap.Create(new MapSpec { Name = "t_sizes", Type = BpfMapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 4 });
        var keyError = Assert.Throws<ArgumentException>(() => new BpfHashMap<ulong, ulong>(raw));
        Assert.Contains("key size mismatch", keyError.Message, StringComparison.Ordinal);
        Assert.Contains("key is 4 bytes but UInt64 is 8 bytes", keyError.Message, StringComparison.Ordinal);
        var valueError = Assert.Throws<ArgumentException>(() => new BpfHashMap<uint, uint>(raw));
        Assert.Contains("value is 8 bytes but UInt32 is 4 bytes", valueError.Message, StringComparison.Ordinal);
        var typeError = Assert.Throws<ArgumentException>(() => new BpfArrayMap<ulong>(raw));
        Assert.Contains("is a Hash map", typeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Borrowing_view_leaves_the_map_open_and_owning_view_closes_it()
    {
        Requires.Root();
        using var raw = BpfMap.Create(new MapSpec { Name = "t_own", Type = BpfMapType.Hash, KeySize = 4, ValueSize = 4, MaxEntries = 4 });
        using (var borrowed = new BpfHashMap<uint, uint>(raw)) borrowed.Update(1, 2);
        Assert.False(raw.Fd.IsClosed);
        var owned = new BpfHashMap<uint, uint>(raw, ownsMap: true);
        Assert.Equal(2u, owned.Lookup(1));
        owned.Dispose();
        Assert.True(raw.Fd.IsClosed);
    }

    [Fact]
    public void Keys_and_entries_enumerate_everything_once()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_keys", 128);
        for (uint i = 0; i < 100; i++) map.Update(i, i * 10);
        var keys = map.Keys.ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (uint)i).ToHashSet(), keys.ToHashSet());
        Assert.Equal(100, keys.Count);
        Assert.All(map.Entries, e => Assert.Equal(e.Key * 10, e.Value));
        Assert.Equal(100, map.Entries.Count());
    }

    [Fact]
    public void Deleting_each_key_during_the_walk_visits_every_key_and_ends()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_walkdel", 256);
        for (uint i = 0; i < 200; i++) map.Update(i, i);
        var seen = new HashSet<uint>();
        foreach (var key in map.Keys)
        {
            Assert.True(seen.Add(key), $"key {key} repeated");
            Assert.True(map.Delete(key));
        }
        Assert.Equal(200, seen.Count);
        Assert.Empty(map.Keys);
    }

    [Fact]
    public void Lru_hash_evicts_when_full_instead_of_failing()
    {
        Requires.Root();
        // BPF_F_NO_COMMON_LRU (2): one LRU list, so eviction is deterministic enough to observe on any CPU count.
        using var map = BpfHashMap<uint, uint>.Create("t_lru", 64, flags: 2, type: BpfMapType.LruHash);
        for (uint i = 0; i < 1000; i++) map.Update(i, i);
        int present = map.Keys.Count();
        Assert.InRange(present, 1, 64);
        Assert.True(map.TryLookup(999, out uint last));
        Assert.Equal(999u, last);
        Assert.False(map.TryLookup(0, out _));
    }

    [Fact]
    public void Array_map_elements_exist_zeroed_and_cannot_be_deleted()
    {
        Requires.Root();
        using var array = BpfArrayMap<long>.Create("t_array", 8);
        Assert.Equal(0L, array[3]);
        array[3] = -5;
        Assert.Equal(-5L, array[3]);
        Assert.False(array.TryLookup(8, out _));
        Assert.Throws<BpfException>(() => array.Update(8, 1));
        Assert.Throws<BpfException>(() => array.Delete(3));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (uint)i), array.Keys.ToList());
    }
}

using System.Diagnostics;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Maps;

public class BatchTests
{
    private readonly ITestOutputHelper _output;

    public BatchTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Million_entry_batch_update_then_batched_read_back()
    {
        Requires.Root();
        const int count = 1_000_000;
        using var map = BpfHashMap<uint, ulong>.Create("t_batch_1m", count);
        var keys = new uint[count];
        var values = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = (uint)i;
            values[i] = (ulong)i * 3;
        }

        var watch = Stopwatch.StartNew();
        Assert.Equal(count, map.UpdateBatch(keys, values));
        _output.WriteLine($"UpdateBatch of {count}: {watch.Elapsed.TotalMilliseconds:F0} ms ({watch.Elapsed.TotalNanoseconds / count:F0} ns/entry)");

        watch.Restart();
        for (int i = 0; i < 100_000; i++) map.Update(keys[i], values[i]);
        _output.WriteLine($"Update one by one, 100000: {watch.Elapsed.TotalNanoseconds / 100_000:F0} ns/entry");

        watch.Restart();
        var all = map.ReadAll(chunk: 8192);
        _output.WriteLine($"ReadAll: {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(count, all.Count);
        long mismatches = all.Count(e => e.Value != (ulong)e.Key * 3);
        Assert.Equal(0, mismatches);
        Assert.Equal(count, all.Select(e => e.Key).Distinct().Count());
    }

    [Fact]
    public void Lookup_batch_on_hash_reports_the_end_with_the_last_partial_run()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_batch_end", 256);
        for (uint i = 0; i < 100; i++) map.Update(i, i + 1);
        var cursor = new MapBatchCursor();
        var keys = new uint[64];
        var values = new uint[64];
        var runs = new List<int>();
        var seen = new HashSet<uint>();
        while (!cursor.IsDone)
        {
            int n = map.LookupBatch(cursor, keys, values);
            runs.Add(n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(keys[i] + 1, values[i]);
                Assert.True(seen.Add(keys[i]));
            }
        }
        Assert.Equal(100, seen.Count);
        Assert.Equal(100, runs.Sum());
        Assert.True(runs.Count >= 2, "64-entry buffers cannot take 100 entries in one run");
        // Once done, the cursor returns nothing more.
        Assert.Equal(0, map.LookupBatch(cursor, keys, values));
    }

    [Fact]
    public void Lookup_batch_on_array_walks_every_index()
    {
        Requires.Root();
        using var array = BpfArrayMap<ulong>.Create("t_batch_arr", 10);
        for (uint i = 0; i < 10; i++) array[i] = i * i;
        var cursor = new MapBatchCursor();
        var keys = new uint[4];
        var values = new ulong[4];
        var read = new List<(uint, ulong)>();
        while (!cursor.IsDone)
        {
            int n = array.LookupBatch(cursor, keys, values);
            for (int i = 0; i < n; i++) read.Add((keys[i], values[i]));
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ((uint)i, (ulong)(i * i))), read);
    }

    [Fact]
    public void Lookup_and_delete_batch_drains_the_map()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_batch_drain", 128);
        for (uint i = 0; i < 90; i++) map.Update(i, i);
        var cursor = new MapBatchCursor();
        var keys = new uint[32];
        var values = new uint[32];
        int total = 0;
        while (!cursor.IsDone) total += map.LookupAndDeleteBatch(cursor, keys, values);
        Assert.Equal(90, total);
        Assert.Empty(map.Keys);
    }

    [Fact]
    public void Buffer_smaller_than_a_hash_bucket_fails_with_a_clear_ENOSPC()
    {
        Requires.Root();
        // Two entries in a two-bucket map: find a second key that shares key 1's bucket (each try has even odds),
        // then a one-entry buffer cannot take that bucket.
        using var map = BpfHashMap<uint, uint>.Create("t_batch_nospc", 2);
        map.Update(1, 1);
        BpfException? error = null;
        for (uint candidate = 2; candidate < 200 && error is null; candidate++)
        {
            map.Update(candidate, candidate);
            try
            {
                var cursor = new MapBatchCursor();
                while (!cursor.IsDone) map.LookupBatch(cursor, new uint[1], new uint[1]);
                map.Delete(candidate);
            }
            catch (BpfException e)
            {
                error = e;
            }
        }
        Assert.NotNull(error);
        Assert.Equal("ENOSPC", error.ErrnoName);
        Assert.Contains("pass larger buffers", error.Message, StringComparison.Ordinal);
        // ReadAll grows its buffers instead.
        Assert.Equal(2, map.ReadAll(chunk: 1).Count);
    }

    [Fact]
    public void Update_batch_stops_at_the_first_failure_and_reports_progress()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_batch_partial", 8);
        for (uint i = 100; i < 105; i++) map.Update(i, 0);
        uint[] keys = [1, 2, 3, 4, 5, 6];
        uint[] values = [1, 2, 3, 4, 5, 6];
        // Five entries plus three new ones fill the map; the fourth new key finds it full.
        var error = Assert.Throws<BpfBatchException>(() => map.UpdateBatch(keys, values));
        Assert.Equal("E2BIG", error.ErrnoName);
        Assert.Equal(3, error.Processed);
        Assert.Contains("after 3 of 6", error.Message, StringComparison.Ordinal);
        Assert.Equal(3u, map.Lookup(3));
        Assert.False(map.TryLookup(4, out _));
        var flagsError = Assert.Throws<ArgumentException>(() => map.UpdateBatch(keys, values, MapUpdateFlags.NoExist));
        Assert.Contains("only MapUpdateFlags.Lock", flagsError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_batch_reports_progress_at_a_missing_key()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_batch_del", 8);
        for (uint i = 0; i < 4; i++) map.Update(i, i);
        var error = Assert.Throws<BpfBatchException>(() => map.DeleteBatch(new uint[] { 0, 1, 9, 2 }));
        Assert.Equal("ENOENT", error.ErrnoName);
        Assert.Equal(2, error.Processed);
        Assert.Equal(new uint[] { 2, 3 }, map.Keys.Order().ToArray());
    }

    [Fact]
    public void Raw_batch_over_byte_spans()
    {
        Requires.Root();
        using var map = BpfMap.Create(new MapSpec { Name = "t_batch_raw", Type = BpfMapType.Hash, KeySize = 2, ValueSize = 3, MaxEntries = 16 });
        byte[] keys = [1, 0, 2, 0, 3, 0];
        byte[] values = [10, 11, 12, 20, 21, 22, 30, 31, 32];
        Assert.Equal(3, map.UpdateBatch(keys, values));
        var value = new byte[3];
        Assert.True(map.TryLookup([2, 0], value));
        Assert.Equal(new byte[] { 20, 21, 22 }, value);

        // 2-byte keys: the cursor token must still hold the kernel's 4-byte bucket index.
        var cursor = new MapBatchCursor();
        var outKeys = new byte[2 * 2];
        var outValues = new byte[2 * 3];
        int total = 0;
        while (!cursor.IsDone) total += map.LookupBatch(cursor, outKeys, outValues);
        Assert.Equal(3, total);
        Assert.Throws<ArgumentException>(() => map.UpdateBatch(keys, values.AsSpan(1)));
    }

    [Fact]
    public void Map_types_without_batch_ops_say_so()
    {
        Requires.Root();
        using var queue = BpfMap.Create(new MapSpec { Name = "t_batch_q", Type = BpfMapType.Queue, KeySize = 0, ValueSize = 4, MaxEntries = 4 });
        Assert.Throws<NotSupportedException>(() => queue.UpdateBatch(ReadOnlySpan<byte>.Empty, new byte[4]));
        using var devmap = BpfMap.Create(new MapSpec { Name = "t_batch_dev", Type = BpfMapType.DevMap, KeySize = 4, ValueSize = 4, MaxEntries = 4 });
        var error = Assert.Throws<BpfBatchException>(() => devmap.UpdateBatch(new byte[4], BitConverter.GetBytes(1u)));
        Assert.Equal(0, error.Processed);
        Assert.Contains("DevMap maps have no batch operations", error.Message, StringComparison.Ordinal);
    }
}

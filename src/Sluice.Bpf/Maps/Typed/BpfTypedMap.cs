using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Shared implementation of the typed key/value views (hash, array, LPM trie): one value per key, keys and values
/// are unmanaged structs whose sizes equal the map's. Lookups and updates allocate nothing.
/// </summary>
/// <typeparam name="TKey">Key struct, laid out as the BPF program's key.</typeparam>
/// <typeparam name="TValue">Value struct, laid out as the BPF program's value.</typeparam>
public abstract class BpfTypedMap<TKey, TValue> : BpfMapView
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Checks type and sizes.</summary>
    private protected BpfTypedMap(BpfMap map, bool ownsMap, params ReadOnlySpan<BpfMapType> acceptedTypes)
        : base(map, ownsMap, acceptedTypes)
    {
        CheckSize<TKey>(map, "key", map.KeySize);
        CheckSize<TValue>(map, "value", map.ValueSize);
    }

    /// <summary>Looks <paramref name="key"/> up; false when absent (ENOENT).</summary>
    public unsafe bool TryLookup(TKey key, out TValue value)
    {
        fixed (TValue* v = &value)
        {
            return Map.LookupCore(&key, v);
        }
    }

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The key is absent.</exception>
    public TValue Lookup(TKey key) =>
        TryLookup(key, out var value) ? value : throw new KeyNotFoundException($"map '{Map.Name}': key {key} not found");

    /// <summary>Creates or replaces the value of <paramref name="key"/> (BPF_MAP_UPDATE_ELEM).</summary>
    /// <exception cref="BpfException">E2BIG when full; EEXIST with <see cref="MapUpdateFlags.NoExist"/>; ENOENT with <see cref="MapUpdateFlags.Exist"/>.</exception>
    public unsafe void Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        int errno = Map.UpdateCore(&key, &value, (ulong)flags);
        if (errno != 0) throw UpdateFailed(errno);
    }

    /// <summary>Adds <paramref name="key"/> only if absent (BPF_NOEXIST); false when it already exists.</summary>
    public unsafe bool TryAdd(TKey key, TValue value)
    {
        int errno = Map.UpdateCore(&key, &value, (ulong)MapUpdateFlags.NoExist);
        if (errno == 0) return true;
        if (errno == Libc.EEXIST) return false;
        throw UpdateFailed(errno);
    }

    /// <summary>Deletes <paramref name="key"/>; false when it was absent.</summary>
    /// <remarks>Array maps cannot delete (their elements always exist): the kernel answers EINVAL, thrown as <see cref="BpfException"/>.</remarks>
    public unsafe bool Delete(TKey key) => Map.DeleteCore(&key);

    /// <summary>The keys, walked with BPF_MAP_GET_NEXT_KEY; see <see cref="MapKeys{TKey}"/> for deletion during a walk.</summary>
    public MapKeys<TKey> Keys => new(Map);

    /// <summary>Key/value pairs: the key walk plus one lookup per key; keys deleted between the two are skipped.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries
    {
        get
        {
            foreach (var key in Keys)
            {
                if (TryLookup(key, out var value)) yield return new KeyValuePair<TKey, TValue>(key, value);
            }
        }
    }

    /// <summary>
    /// Writes many elements in as few bpf() calls as possible (BPF_MAP_UPDATE_BATCH, Linux 5.6). Returns the number
    /// written (= keys.Length). Only <see cref="MapUpdateFlags.Any"/> and <see cref="MapUpdateFlags.Lock"/> apply:
    /// the kernel refuses NoExist/Exist in batches.
    /// </summary>
    /// <exception cref="BpfBatchException">Stopped early; <see cref="BpfBatchException.Processed"/> says how far it got.</exception>
    public unsafe int UpdateBatch(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (keys.Length != values.Length)
            throw new ArgumentException($"{keys.Length} keys but {values.Length} values", nameof(values));
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
        {
            return Map.WriteBatchCore(BpfCommand.MapUpdateBatch, (byte*)k, (byte*)v, keys.Length, (ulong)flags);
        }
    }

    /// <summary>Deletes many keys (BPF_MAP_DELETE_BATCH, Linux 5.6); returns the number deleted.</summary>
    /// <exception cref="BpfBatchException">A key was absent (ENOENT) or another error; the keys before it were deleted.</exception>
    public unsafe int DeleteBatch(ReadOnlySpan<TKey> keys)
    {
        fixed (TKey* k = keys)
        {
            return Map.WriteBatchCore(BpfCommand.MapDeleteBatch, (byte*)k, null, keys.Length, 0);
        }
    }

    /// <summary>
    /// Reads the next run of entries into the spans (BPF_MAP_LOOKUP_BATCH, Linux 5.6), resuming at
    /// <paramref name="cursor"/>; returns how many. At the end it returns what remained and sets
    /// <see cref="MapBatchCursor.IsDone"/>.
    /// </summary>
    public int LookupBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values) =>
        ReadBatch(BpfCommand.MapLookupBatch, cursor, keys, values);

    /// <summary>Like <see cref="LookupBatch"/> but deletes what it returns (BPF_MAP_LOOKUP_AND_DELETE_BATCH, Linux 5.6; hash maps).</summary>
    public int LookupAndDeleteBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values) =>
        ReadBatch(BpfCommand.MapLookupAndDeleteBatch, cursor, keys, values);

    /// <summary>
    /// Every entry, read with batched lookups of <paramref name="chunk"/> entries per call (growing the buffers if a
    /// hash bucket does not fit). Falls back to <see cref="Entries"/> when the map type has no lookup batch.
    /// </summary>
    public List<KeyValuePair<TKey, TValue>> ReadAll(int chunk = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var result = new List<KeyValuePair<TKey, TValue>>();
        var keys = new TKey[chunk];
        var values = new TValue[chunk];
        var cursor = new MapBatchCursor();
        while (!cursor.IsDone)
        {
            int read;
            try
            {
                read = LookupBatch(cursor, keys, values);
            }
            catch (BpfException e) when (e.Errno == Libc.ENOSPC)
            {
                Array.Resize(ref keys, keys.Length * 2);
                Array.Resize(ref values, values.Length * 2);
                continue;
            }
            catch (BpfException e) when (!cursor.Started && e.Errno is BpfMap.ErrnoNotSupported or Libc.EINVAL)
            {
                result.AddRange(Entries);
                return result;
            }
            for (int i = 0; i < read; i++) result.Add(new KeyValuePair<TKey, TValue>(keys[i], values[i]));
        }
        return result;
    }

    private unsafe int ReadBatch(BpfCommand command, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        int capacity = Math.Min(keys.Length, values.Length);
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
        {
            return Map.ReadBatchCore(command, cursor, (byte*)k, (byte*)v, capacity);
        }
    }
}

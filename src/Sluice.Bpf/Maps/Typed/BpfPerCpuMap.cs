using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Shared implementation of the per-CPU views (PERCPU_HASH, LRU_PERCPU_HASH, PERCPU_ARRAY): every key has one value
/// per possible CPU (<see cref="PossibleCpus.Count"/>, not the online count).
/// </summary>
/// <remarks>
/// The kernel moves per-CPU values as one 8-byte-aligned slot per CPU. When <typeparamref name="TValue"/> is a
/// multiple of 8 bytes the caller's span is handed to the kernel as is; otherwise values are repacked through a
/// stack (or pooled, for many CPUs) buffer, so no path allocates per call except the array-returning conveniences.
/// </remarks>
public abstract class BpfPerCpuMap<TKey, TValue> : BpfMapView
    where TKey : unmanaged
    where TValue : unmanaged
{
    private const int StackLimit = 1024;
    private readonly int _slot;
    private readonly bool _packed;

    /// <summary>Checks type and sizes.</summary>
    private protected unsafe BpfPerCpuMap(BpfMap map, bool ownsMap, params ReadOnlySpan<BpfMapType> acceptedTypes)
        : base(map, ownsMap, acceptedTypes)
    {
        CheckSize<TKey>(map, "key", map.KeySize);
        CheckSize<TValue>(map, "value", map.ValueSize);
        _slot = (sizeof(TValue) + 7) & ~7;
        _packed = _slot == sizeof(TValue);
        CpuCount = PossibleCpus.Count;
    }

    /// <summary>Values per key: the number of possible CPUs.</summary>
    public int CpuCount { get; }

    /// <summary>Copies the per-CPU values of <paramref name="key"/> into <paramref name="perCpu"/> (index = CPU); false when absent.</summary>
    /// <exception cref="ArgumentException"><paramref name="perCpu"/> is shorter than <see cref="CpuCount"/>.</exception>
    public unsafe bool TryLookup(TKey key, Span<TValue> perCpu)
    {
        CheckLength(perCpu.Length, nameof(perCpu));
        if (_packed)
        {
            fixed (TValue* v = perCpu)
            {
                return Map.LookupCore(&key, v);
            }
        }
        int size = Map.ValueBufferSize;
        byte[]? rented = null;
        Span<byte> scratch = size <= StackLimit ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            bool found;
            fixed (byte* s = scratch)
            {
                found = Map.LookupCore(&key, s);
            }
            if (found) Unpack(scratch, perCpu, 1);
            return found;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The per-CPU values of <paramref name="key"/> as a new array, or null when absent.</summary>
    public TValue[]? Lookup(TKey key)
    {
        var values = new TValue[CpuCount];
        return TryLookup(key, values) ? values : null;
    }

    /// <summary>Sets the value of each CPU (index = CPU) for <paramref name="key"/>.</summary>
    public unsafe void Update(TKey key, ReadOnlySpan<TValue> perCpu, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        CheckLength(perCpu.Length, nameof(perCpu));
        if (_packed)
        {
            fixed (TValue* v = perCpu)
            {
                Map.UpdateOrThrow(&key, v, (ulong)flags);
            }
            return;
        }
        int size = Map.ValueBufferSize;
        byte[]? rented = null;
        Span<byte> scratch = size <= StackLimit ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            Pack(perCpu, scratch, 1);
            fixed (byte* s = scratch)
            {
                Map.UpdateOrThrow(&key, s, (ulong)flags);
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Sets every CPU's value of <paramref name="key"/> to <paramref name="value"/> (e.g. to reset counters).</summary>
    public void UpdateAll(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        TValue[]? rented = null;
        Span<TValue> values = CpuCount <= 64 ? stackalloc TValue[CpuCount] : (rented = ArrayPool<TValue>.Shared.Rent(CpuCount));
        values.Fill(value);
        try
        {
            Update(key, values[..CpuCount], flags);
        }
        finally
        {
            if (rented is not null) ArrayPool<TValue>.Shared.Return(rented);
        }
    }

    /// <summary>Deletes <paramref name="key"/>; false when absent (arrays cannot delete: EINVAL is thrown).</summary>
    public unsafe bool Delete(TKey key) => Map.DeleteCore(&key);

    /// <summary>The keys; see <see cref="MapKeys{TKey}"/>.</summary>
    public MapKeys<TKey> Keys => new(Map);

    /// <summary>Each key with a new array of its per-CPU values; keys deleted mid-walk are skipped.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue[]>> Entries
    {
        get
        {
            foreach (var key in Keys)
            {
                if (Lookup(key) is { } values) yield return new KeyValuePair<TKey, TValue[]>(key, values);
            }
        }
    }

    /// <summary>
    /// Writes many keys at once (BPF_MAP_UPDATE_BATCH, Linux 5.6). <paramref name="perCpuValues"/> holds
    /// <see cref="CpuCount"/> values per key, key after key. Returns the number of keys written.
    /// </summary>
    /// <exception cref="BpfBatchException">Stopped early; <see cref="BpfBatchException.Processed"/> keys were written.</exception>
    public unsafe int UpdateBatch(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> perCpuValues, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (perCpuValues.Length != keys.Length * CpuCount)
            throw new ArgumentException($"{keys.Length} keys need {keys.Length * CpuCount} per-CPU values, got {perCpuValues.Length}", nameof(perCpuValues));
        if (_packed)
        {
            fixed (TKey* k = keys)
            fixed (TValue* v = perCpuValues)
            {
                return Map.WriteBatchCore(BpfCommand.MapUpdateBatch, (byte*)k, (byte*)v, keys.Length, (ulong)flags);
            }
        }
        // Repack a bounded run of keys at a time so the scratch buffer stays small.
        int perCall = Math.Max(1, (1 << 20) / Map.ValueBufferSize);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(perCall * Map.ValueBufferSize);
        int done = 0;
        try
        {
            while (done < keys.Length)
            {
                int run = Math.Min(perCall, keys.Length - done);
                Pack(perCpuValues.Slice(done * CpuCount, run * CpuCount), scratch, run);
                fixed (TKey* k = keys[done..])
                fixed (byte* s = scratch)
                {
                    try
                    {
                        Map.WriteBatchCore(BpfCommand.MapUpdateBatch, (byte*)k, s, run, (ulong)flags);
                    }
                    catch (BpfBatchException e)
                    {
                        throw new BpfBatchException(e.Command, e.Errno, e.Message, done + e.Processed);
                    }
                }
                done += run;
            }
            return done;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Deletes many keys (BPF_MAP_DELETE_BATCH, Linux 5.6; hash maps); returns the number deleted.</summary>
    /// <exception cref="BpfBatchException">A key was absent (ENOENT) or another error; the keys before it were deleted.</exception>
    public unsafe int DeleteBatch(ReadOnlySpan<TKey> keys)
    {
        fixed (TKey* k = keys)
        {
            return Map.WriteBatchCore(BpfCommand.MapDeleteBatch, (byte*)k, null, keys.Length, 0);
        }
    }

    /// <summary>
    /// Reads the next run of keys and their per-CPU values (BPF_MAP_LOOKUP_BATCH, Linux 5.6): up to
    /// <c>min(keys.Length, perCpuValues.Length / CpuCount)</c> keys. Returns how many; sets
    /// <see cref="MapBatchCursor.IsDone"/> at the end.
    /// </summary>
    public int LookupBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> perCpuValues) =>
        ReadBatch(BpfCommand.MapLookupBatch, cursor, keys, perCpuValues);

    /// <summary>Like <see cref="LookupBatch"/> but deletes what it returns (BPF_MAP_LOOKUP_AND_DELETE_BATCH, Linux 5.6; hash maps).</summary>
    public int LookupAndDeleteBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> perCpuValues) =>
        ReadBatch(BpfCommand.MapLookupAndDeleteBatch, cursor, keys, perCpuValues);

    private unsafe int ReadBatch(BpfCommand command, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> perCpuValues)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        int capacity = Math.Min(keys.Length, perCpuValues.Length / CpuCount);
        if (_packed)
        {
            fixed (TKey* k = keys)
            fixed (TValue* v = perCpuValues)
            {
                return Map.ReadBatchCore(command, cursor, (byte*)k, (byte*)v, capacity);
            }
        }
        byte[] scratch = ArrayPool<byte>.Shared.Rent(Math.Max(1, capacity) * Map.ValueBufferSize);
        try
        {
            int read;
            fixed (TKey* k = keys)
            fixed (byte* s = scratch)
            {
                read = Map.ReadBatchCore(command, cursor, (byte*)k, s, capacity);
            }
            Unpack(scratch, perCpuValues, read);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckLength(int length, string parameter)
    {
        if (length < CpuCount)
            throw new ArgumentException($"map '{Map.Name}': per-CPU buffer has {length} elements, needs {CpuCount} (possible CPUs)", parameter);
    }

    private void Pack(ReadOnlySpan<TValue> source, Span<byte> destination, int keys)
    {
        for (int i = 0; i < keys * CpuCount; i++)
            MemoryMarshal.Write(destination.Slice(i * _slot), in source[i]);
    }

    private void Unpack(ReadOnlySpan<byte> source, Span<TValue> destination, int keys)
    {
        for (int i = 0; i < keys * CpuCount; i++)
            destination[i] = MemoryMarshal.Read<TValue>(source.Slice(i * _slot));
    }
}

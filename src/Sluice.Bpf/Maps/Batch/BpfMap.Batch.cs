using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

// Batch operations (Linux 5.6): one bpf() call moves many elements. Hash, LRU hash, their per-CPU forms and
// arrays have all four; LPM tries have update/delete/lookup batch; other types return ENOTSUPP.
public partial class BpfMap
{
    /// <summary>Elements per BPF_MAP_UPDATE_BATCH / DELETE_BATCH call: large enough that the ~2 µs syscall cost vanishes,
    /// small enough that one call does not hold the CPU in the kernel for long.</summary>
    internal const int WriteBatchChunk = 1 << 16;

    /// <summary>
    /// Creates or replaces many elements (BPF_MAP_UPDATE_BATCH, Linux 5.6). <paramref name="keys"/> holds N keys of
    /// <see cref="KeySize"/> bytes, <paramref name="values"/> N values of <see cref="ValueBufferSize"/> bytes.
    /// Returns N. Only <see cref="MapUpdateFlags.Any"/> and <see cref="MapUpdateFlags.Lock"/> apply: the kernel
    /// refuses NoExist/Exist in batches.
    /// </summary>
    /// <exception cref="BpfBatchException">The kernel stopped early; <see cref="BpfBatchException.Processed"/> elements were written.</exception>
    public unsafe int UpdateBatch(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        int count = CountOf(keys.Length, (int)KeySize, nameof(keys));
        if (values.Length != count * ValueBufferSize)
            throw new ArgumentException($"map '{Name}': {count} keys need {count * ValueBufferSize} bytes of values, got {values.Length}", nameof(values));
        fixed (byte* k = keys)
        fixed (byte* v = values)
        {
            return WriteBatchCore(BpfCommand.MapUpdateBatch, k, v, count, (ulong)flags);
        }
    }

    /// <summary>Deletes many keys (BPF_MAP_DELETE_BATCH, Linux 5.6). Returns the number deleted.</summary>
    /// <exception cref="BpfBatchException">A key was absent (ENOENT) or another error stopped the batch; keys before it were deleted.</exception>
    public unsafe int DeleteBatch(ReadOnlySpan<byte> keys)
    {
        int count = CountOf(keys.Length, (int)KeySize, nameof(keys));
        fixed (byte* k = keys)
        {
            return WriteBatchCore(BpfCommand.MapDeleteBatch, k, null, count, 0);
        }
    }

    /// <summary>
    /// Reads the next run of elements (BPF_MAP_LOOKUP_BATCH, Linux 5.6) into <paramref name="keys"/> and
    /// <paramref name="values"/>, resuming at <paramref name="cursor"/>. Returns how many were read; 0 with
    /// <see cref="MapBatchCursor.IsDone"/> set at the end. A run can be shorter than the buffers even before the end.
    /// </summary>
    /// <exception cref="BpfException">ENOSPC: the buffers are smaller than one hash bucket; pass larger ones.</exception>
    public unsafe int LookupBatch(MapBatchCursor cursor, Span<byte> keys, Span<byte> values) =>
        ReadBatch(BpfCommand.MapLookupBatch, cursor, keys, values);

    /// <summary>Like <see cref="LookupBatch"/> but also deletes what it read (BPF_MAP_LOOKUP_AND_DELETE_BATCH, Linux 5.6; hash maps only).</summary>
    public unsafe int LookupAndDeleteBatch(MapBatchCursor cursor, Span<byte> keys, Span<byte> values) =>
        ReadBatch(BpfCommand.MapLookupAndDeleteBatch, cursor, keys, values);

    private unsafe int ReadBatch(BpfCommand command, MapBatchCursor cursor, Span<byte> keys, Span<byte> values)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        int capacity = CountOf(keys.Length, (int)KeySize, nameof(keys));
        if (values.Length < capacity * ValueBufferSize)
            throw new ArgumentException($"map '{Name}': {capacity} keys need {capacity * ValueBufferSize} bytes of values, got {values.Length}", nameof(values));
        fixed (byte* k = keys)
        fixed (byte* v = values)
        {
            return ReadBatchCore(command, cursor, k, v, capacity);
        }
    }

    /// <summary>Runs UPDATE_BATCH or DELETE_BATCH over <paramref name="count"/> elements in chunks; throws with the total processed.</summary>
    internal unsafe int WriteBatchCore(BpfCommand command, byte* keys, byte* values, int count, ulong elemFlags)
    {
        if ((elemFlags & (ulong)(MapUpdateFlags.NoExist | MapUpdateFlags.Exist)) != 0)
        {
            // generic_map_update_batch accepts only BPF_F_LOCK in elem_flags and answers EINVAL to the rest.
            throw new ArgumentException(
                $"map '{Name}': batch updates take only MapUpdateFlags.Lock; the kernel refuses NoExist/Exist for batches (use Update per key)",
                "flags");
        }
        int done = 0;
        while (done < count)
        {
            int chunk = Math.Min(WriteBatchChunk, count - done);
            var attr = new MapBatchAttr
            {
                Keys = (ulong)(keys + (long)done * KeySize),
                Values = values == null ? 0 : (ulong)(values + (long)done * ValueBufferSize),
                Count = (uint)chunk,
                MapFd = (uint)Fd.Value,
                ElemFlags = elemFlags,
            };
            if (BpfSyscall.TryInvoke(command, ref attr, out int errno) < 0)
            {
                // The kernel reports in count how many elements of this call it completed. A failure always comes
                // before the last element, so a count still equal to our input means it refused the call up front
                // (bad flags, no batch support) without touching count: nothing was processed.
                int processed = done + (attr.Count < (uint)chunk ? (int)attr.Count : 0);
                throw BatchFailed(command, errno, processed, count);
            }
            done += chunk;
        }
        return done;
    }

    /// <summary>One LOOKUP_BATCH / LOOKUP_AND_DELETE_BATCH call; handles the end-of-map ENOENT.</summary>
    internal unsafe int ReadBatchCore(BpfCommand command, MapBatchCursor cursor, byte* keys, byte* values, int capacity)
    {
        if (cursor.IsDone || capacity == 0) return 0;
        fixed (byte* token = cursor.Token(KeySize))
        {
            var attr = new MapBatchAttr
            {
                InBatch = cursor.Started ? (ulong)token : 0,
                OutBatch = (ulong)token,
                Keys = (ulong)keys,
                Values = (ulong)values,
                Count = (uint)capacity,
                MapFd = (uint)Fd.Value,
            };
            int result = BpfSyscall.TryInvoke(command, ref attr, out int errno);
            if (result >= 0)
            {
                cursor.Started = true;
                return (int)attr.Count;
            }
            if (errno == Libc.ENOENT)
            {
                // The end: the kernel may still have filled some elements in this last call.
                cursor.Started = true;
                cursor.IsDone = true;
                return (int)Math.Min(attr.Count, (uint)capacity);
            }
            if (errno == Libc.ENOSPC)
            {
                throw new BpfException(BpfException.CommandName(command), errno,
                    $"map '{Name}': {BpfException.CommandName(command)} failed: ENOSPC; a hash bucket holds more than the {capacity} entries the buffers have room for: pass larger buffers");
            }
            throw BpfException.FromErrno(command, errno, $"map '{Name}'");
        }
    }

    private BpfBatchException BatchFailed(BpfCommand command, int errno, int processed, int count)
    {
        var inner = BpfException.FromErrno(command, errno, $"map '{Name}'");
        string hint = errno == ErrnoNotSupported ? $"; {Type} maps have no batch operations" : string.Empty;
        return new BpfBatchException(inner.Command, errno, $"{inner.Message}{hint} (after {processed} of {count} elements)", processed);
    }

    /// <summary>ENOTSUPP (524), the kernel-internal errno bpf() returns for a map type without the operation.</summary>
    internal const int ErrnoNotSupported = 524;

    private int CountOf(int bytes, int elementSize, string parameter)
    {
        if (elementSize == 0)
            throw new NotSupportedException($"map '{Name}': {Type} maps have no keys and no batch operations");
        if (bytes % elementSize != 0)
            throw new ArgumentException($"map '{Name}': {bytes} bytes is not a whole number of {elementSize}-byte elements", parameter);
        return bytes / elementSize;
    }
}

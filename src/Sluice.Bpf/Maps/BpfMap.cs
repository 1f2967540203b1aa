using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A kernel BPF map over raw byte keys and values. Typed views (BpfHashMap, BpfArrayMap, ...) wrap one.
/// Disposing closes this process's reference; a pinned map outlives it.
/// </summary>
public partial class BpfMap : IDisposable
{
    /// <summary>Wraps an existing map fd whose properties are known.</summary>
    internal BpfMap(BpfFd fd, string name, BpfMapType type, uint keySize, uint valueSize, uint maxEntries, uint flags)
    {
        Fd = fd;
        Name = name;
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
        Flags = flags;
        IsPerCpu = type is BpfMapType.PerCpuHash or BpfMapType.PerCpuArray or BpfMapType.LruPerCpuHash
            or BpfMapType.PerCpuCgroupStorage;
        // Per-CPU values are copied out as one 8-byte-aligned slot per possible CPU.
        ValueBufferSize = IsPerCpu ? (int)((valueSize + 7) & ~7u) * PossibleCpus.Count : (int)valueSize;
    }

    /// <summary>The map's fd.</summary>
    public BpfFd Fd { get; }

    /// <summary>The name the map was created or found under.</summary>
    public string Name { get; }

    /// <summary>Map type.</summary>
    public BpfMapType Type { get; }

    /// <summary>Key size in bytes.</summary>
    public uint KeySize { get; }

    /// <summary>Value size in bytes (per CPU for per-CPU maps).</summary>
    public uint ValueSize { get; }

    /// <summary>Maximum number of entries.</summary>
    public uint MaxEntries { get; }

    /// <summary>map_flags.</summary>
    public uint Flags { get; }

    /// <summary>True for per-CPU maps, whose lookups return one value per possible CPU.</summary>
    public bool IsPerCpu { get; }

    /// <summary>Bytes a lookup writes: <see cref="ValueSize"/>, or for per-CPU maps round_up(value, 8) × possible CPUs.</summary>
    public int ValueBufferSize { get; }

    /// <summary>Creates a map from a spec (BPF_MAP_CREATE). Minimum kernel depends on the type.</summary>
    /// <exception cref="BpfException">The kernel refused; the message names the map and the errno.</exception>
    public static unsafe BpfMap Create(MapSpec spec, MapCreateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        MemoryLimit.EnsureUnlimited();
        var attr = new MapCreateAttr
        {
            MapType = (uint)spec.Type,
            KeySize = spec.KeySize,
            ValueSize = spec.ValueSize,
            MaxEntries = spec.MaxEntries,
            MapFlags = spec.Flags,
            NumaNode = spec.NumaNode,
            MapExtra = spec.MapExtra,
        };
        ObjectName.Write(options?.KernelName ?? spec.Name, attr.MapName);
        if (options?.InnerMap is { } inner) attr.InnerMapFd = (uint)inner.Fd.Value;
        bool withBtf = options?.Btf is not null && (spec.BtfValueTypeId != 0 || spec.BtfKeyTypeId != 0);
        if (withBtf)
        {
            attr.BtfFd = (uint)options!.Btf!.Value;
            attr.BtfKeyTypeId = spec.BtfKeyTypeId;
            attr.BtfValueTypeId = spec.BtfValueTypeId;
        }
        int fd = BpfSyscall.TryInvoke(BpfCommand.MapCreate, ref attr, out int errno);
        if (fd < 0 && withBtf)
        {
            // Some map types reject key/value BTF on some kernels; libbpf retries without it, so do we.
            attr.BtfFd = attr.BtfKeyTypeId = attr.BtfValueTypeId = 0;
            fd = BpfSyscall.TryInvoke(BpfCommand.MapCreate, ref attr, out errno);
        }
        if (fd < 0) throw BpfException.FromErrno(BpfCommand.MapCreate, errno, $"map '{spec.Name}' ({spec.Type})");
        return new BpfMap(new BpfFd(fd), spec.Name, spec.Type, spec.KeySize, spec.ValueSize, spec.MaxEntries, spec.Flags);
    }

    /// <summary>Looks a key up; false when it is absent (ENOENT).</summary>
    /// <exception cref="ArgumentException">Key or value buffer has the wrong size.</exception>
    public unsafe bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key);
        if (value.Length < ValueBufferSize)
            throw new ArgumentException($"map '{Name}': value buffer is {value.Length} bytes, needs {ValueBufferSize}", nameof(value));
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)k, Value = (ulong)v };
            if (BpfSyscall.TryInvoke(BpfCommand.MapLookupElem, ref attr, out int errno) >= 0) return true;
            if (errno == Libc.ENOENT) return false;
            throw BpfException.FromErrno(BpfCommand.MapLookupElem, errno, $"map '{Name}'");
        }
    }

    /// <summary>Creates or replaces the value of a key (BPF_MAP_UPDATE_ELEM).</summary>
    /// <exception cref="BpfException">E.g. E2BIG when the map is full, EEXIST/ENOENT with NoExist/Exist.</exception>
    public unsafe void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (!TryUpdate(key, value, flags, out int errno))
            throw BpfException.FromErrno(BpfCommand.MapUpdateElem, errno, $"map '{Name}'");
    }

    /// <summary>Like <see cref="Update"/> but returns false with the errno instead of throwing.</summary>
    public unsafe bool TryUpdate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, MapUpdateFlags flags, out int errno)
    {
        CheckKey(key);
        if (value.Length != ValueBufferSize)
            throw new ArgumentException($"map '{Name}': value is {value.Length} bytes, expected {ValueBufferSize}", nameof(value));
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)k, Value = (ulong)v, Flags = (ulong)flags };
            return BpfSyscall.TryInvoke(BpfCommand.MapUpdateElem, ref attr, out errno) >= 0;
        }
    }

    /// <summary>Deletes a key; false when it was absent.</summary>
    public unsafe bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        fixed (byte* k = key)
        {
            var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)k };
            if (BpfSyscall.TryInvoke(BpfCommand.MapDeleteElem, ref attr, out int errno) >= 0) return true;
            if (errno == Libc.ENOENT) return false;
            throw BpfException.FromErrno(BpfCommand.MapDeleteElem, errno, $"map '{Name}'");
        }
    }

    /// <summary>
    /// Writes the key after <paramref name="key"/> (or the first key when <paramref name="key"/> is empty) into
    /// <paramref name="nextKey"/>; false at the end.
    /// </summary>
    public unsafe bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        if (!key.IsEmpty) CheckKey(key);
        if (nextKey.Length != KeySize)
            throw new ArgumentException($"map '{Name}': key buffer is {nextKey.Length} bytes, expected {KeySize}", nameof(nextKey));
        fixed (byte* k = key)
        fixed (byte* n = nextKey)
        {
            var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = key.IsEmpty ? 0 : (ulong)k, Value = (ulong)n };
            if (BpfSyscall.TryInvoke(BpfCommand.MapGetNextKey, ref attr, out int errno) >= 0) return true;
            if (errno == Libc.ENOENT) return false;
            throw BpfException.FromErrno(BpfCommand.MapGetNextKey, errno, $"map '{Name}'");
        }
    }

    /// <summary>Freezes the map: no more writes from user space (BPF_MAP_FREEZE, Linux 5.2).</summary>
    public void Freeze()
    {
        var attr = new MapFdAttr { MapFd = (uint)Fd.Value };
        BpfSyscall.Invoke(BpfCommand.MapFreeze, ref attr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"map '{Name}': key is {key.Length} bytes, expected {KeySize}", nameof(key));
    }

    /// <summary>Closes this process's reference to the map.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the fd.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Fd.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Type}, key {KeySize}, value {ValueSize}, max {MaxEntries})";
}

using System.Runtime.CompilerServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

// Pointer-level element operations shared by the typed views. Callers have already checked sizes, so these do
// no validation and never allocate: they are the hot path (one bpf() call each).
public partial class BpfMap
{
    /// <summary>BPF_MAP_LOOKUP_ELEM; false on ENOENT, throws on anything else. A null key is valid (queue/stack peek, bloom filter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool LookupCore(void* key, void* value, ulong flags = 0)
    {
        var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)key, Value = (ulong)value, Flags = flags };
        if (BpfSyscall.TryInvoke(BpfCommand.MapLookupElem, ref attr, out int errno) >= 0) return true;
        if (errno == Libc.ENOENT) return false;
        throw BpfException.FromErrno(BpfCommand.MapLookupElem, errno, $"map '{Name}'");
    }

    /// <summary>BPF_MAP_UPDATE_ELEM; returns 0 or the errno.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe int UpdateCore(void* key, void* value, ulong flags)
    {
        var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)key, Value = (ulong)value, Flags = flags };
        return BpfSyscall.TryInvoke(BpfCommand.MapUpdateElem, ref attr, out int errno) >= 0 ? 0 : errno;
    }

    /// <summary>BPF_MAP_UPDATE_ELEM that throws a <see cref="BpfException"/> naming the map.</summary>
    internal unsafe void UpdateOrThrow(void* key, void* value, ulong flags)
    {
        int errno = UpdateCore(key, value, flags);
        if (errno != 0) throw BpfException.FromErrno(BpfCommand.MapUpdateElem, errno, $"map '{Name}'");
    }

    /// <summary>BPF_MAP_DELETE_ELEM; false on ENOENT.</summary>
    internal unsafe bool DeleteCore(void* key)
    {
        var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)key };
        if (BpfSyscall.TryInvoke(BpfCommand.MapDeleteElem, ref attr, out int errno) >= 0) return true;
        if (errno == Libc.ENOENT) return false;
        throw BpfException.FromErrno(BpfCommand.MapDeleteElem, errno, $"map '{Name}'");
    }

    /// <summary>BPF_MAP_LOOKUP_AND_DELETE_ELEM (queue/stack pop with a null key: Linux 4.20; hash maps: 5.14); false on ENOENT.</summary>
    internal unsafe bool LookupAndDeleteCore(void* key, void* value)
    {
        var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)key, Value = (ulong)value };
        if (BpfSyscall.TryInvoke(BpfCommand.MapLookupAndDeleteElem, ref attr, out int errno) >= 0) return true;
        if (errno == Libc.ENOENT) return false;
        throw BpfException.FromErrno(BpfCommand.MapLookupAndDeleteElem, errno, $"map '{Name}'");
    }

    /// <summary>BPF_MAP_GET_NEXT_KEY; a null <paramref name="key"/> asks for the first key. False at the end.</summary>
    internal unsafe bool GetNextKeyCore(void* key, void* nextKey)
    {
        var attr = new MapElemAttr { MapFd = (uint)Fd.Value, Key = (ulong)key, Value = (ulong)nextKey };
        if (BpfSyscall.TryInvoke(BpfCommand.MapGetNextKey, ref attr, out int errno) >= 0) return true;
        if (errno == Libc.ENOENT) return false;
        throw BpfException.FromErrno(BpfCommand.MapGetNextKey, errno, $"map '{Name}'");
    }

    /// <summary>Looks a key up and deletes it atomically (BPF_MAP_LOOKUP_AND_DELETE_ELEM); false when absent.</summary>
    /// <remarks>Hash maps support this from Linux 5.14; queues and stacks (use an empty key) from 4.20.</remarks>
    public unsafe bool TryLookupAndDelete(ReadOnlySpan<byte> key, Span<byte> value)
    {
        if (!key.IsEmpty) CheckKey(key);
        if (value.Length < ValueBufferSize)
            throw new ArgumentException($"map '{Name}': value buffer is {value.Length} bytes, needs {ValueBufferSize}", nameof(value));
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            return LookupAndDeleteCore(key.IsEmpty ? null : k, v);
        }
    }
}

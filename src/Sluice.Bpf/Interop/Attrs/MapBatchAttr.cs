using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr.batch for BPF_MAP_LOOKUP_BATCH / LOOKUP_AND_DELETE_BATCH / UPDATE_BATCH / DELETE_BATCH (Linux 5.6).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MapBatchAttr
{
    /// <summary>Opaque position to resume from; 0 (NULL) starts at the beginning.</summary>
    public ulong InBatch;
    /// <summary>Where the kernel writes the position to resume from next time.</summary>
    public ulong OutBatch;
    public ulong Keys;
    public ulong Values;
    /// <summary>In: number of elements the buffers hold. Out: number the kernel processed.</summary>
    public uint Count;
    public uint MapFd;
    public ulong ElemFlags;
    public ulong Flags;
}

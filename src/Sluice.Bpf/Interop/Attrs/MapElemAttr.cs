using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_MAP_LOOKUP_ELEM / UPDATE_ELEM / DELETE_ELEM / GET_NEXT_KEY / LOOKUP_AND_DELETE_ELEM.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MapElemAttr
{
    public uint MapFd;
    private readonly uint _padding;
    public ulong Key;
    /// <summary>value, or next_key for GET_NEXT_KEY.</summary>
    public ulong Value;
    public ulong Flags;
}

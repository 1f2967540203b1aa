using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_*_GET_NEXT_ID and BPF_*_GET_FD_BY_ID.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GetIdAttr
{
    /// <summary>start_id for GET_NEXT_ID; prog_id / map_id / link_id for GET_FD_BY_ID.</summary>
    public uint Id;
    public uint NextId;
    public uint OpenFlags;
}

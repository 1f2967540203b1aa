using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_PROG_GET_FD_BY_ID / BPF_MAP_GET_FD_BY_ID / BPF_BTF_GET_FD_BY_ID.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GetFdByIdAttr
{
    public uint Id;
    public uint NextId;
    public uint OpenFlags;
}

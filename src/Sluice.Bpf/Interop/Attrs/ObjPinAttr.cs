using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_OBJ_PIN and BPF_OBJ_GET.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ObjPinAttr
{
    /// <summary>Pointer to a NUL-terminated path.</summary>
    public ulong Pathname;
    public uint BpfFd;
    /// <summary>BPF_OBJ_GET: BPF_F_RDONLY / BPF_F_WRONLY.</summary>
    public uint FileFlags;
    public int PathFd;
}

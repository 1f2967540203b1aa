using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_OBJ_PIN and BPF_OBJ_GET.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ObjPinAttr
{
    public ulong Pathname;
    public uint BpfFd;
    public uint FileFlags;
    public int PathFd;
}

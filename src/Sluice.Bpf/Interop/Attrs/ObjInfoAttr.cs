using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr.info for BPF_OBJ_GET_INFO_BY_FD.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ObjInfoAttr
{
    public uint BpfFd;
    /// <summary>In: size of our info struct (the kernel accepts a shorter one than its own). Out: bytes written.</summary>
    public uint InfoLen;
    public ulong Info;
}

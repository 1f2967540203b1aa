using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_OBJ_GET_INFO_BY_FD.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ObjGetInfoByFdAttr
{
    public uint BpfFd;
    /// <summary>In: size of the info buffer; out: bytes the kernel filled.</summary>
    public uint InfoLen;
    public ulong Info;
}

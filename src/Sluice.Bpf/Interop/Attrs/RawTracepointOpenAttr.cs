using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_RAW_TRACEPOINT_OPEN: the tracepoint name (NULL for BTF-typed programs) and the program.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RawTracepointOpenAttr
{
    public ulong Name;
    public uint ProgFd;
    private readonly uint _padding;
    /// <summary>bpf_cookie (Linux 6.10); zero elsewhere.</summary>
    public ulong Cookie;
}

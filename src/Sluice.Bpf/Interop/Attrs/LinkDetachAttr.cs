using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_LINK_DETACH.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinkDetachAttr
{
    public uint LinkFd;
}

using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_LINK_UPDATE.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinkUpdateAttr
{
    public uint LinkFd;
    public uint NewProgFd;
    /// <summary>BPF_F_REPLACE makes the kernel check <see cref="OldProgFd"/> first.</summary>
    public uint Flags;
    public uint OldProgFd;
}

using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_LINK_CREATE with attach type BPF_TRACE_KPROBE_MULTI (the kprobe_multi member of the union).</summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct LinkCreateKprobeMultiAttr
{
    public uint ProgFd;
    public uint Target;
    public uint AttachType;
    public uint Flags;
    /// <summary>kprobe_multi.flags: BPF_F_KPROBE_MULTI_RETURN (1) for return probes.</summary>
    public uint MultiFlags;
    public uint Count;
    /// <summary>Pointer to an array of NUL-terminated function names.</summary>
    public ulong Symbols;
    public ulong Addresses;
    public ulong Cookies;
}

using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_PROG_QUERY (the mprog fields at 32..63 arrived with TCX in 6.6).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProgQueryAttr
{
    /// <summary>target_fd, or target_ifindex for TCX.</summary>
    public uint Target;
    public uint AttachType;
    public uint QueryFlags;
    public uint AttachFlags;
    public ulong ProgIds;
    /// <summary>In: capacity of the id arrays. Out: how many are attached.</summary>
    public uint Count;
    private readonly uint _padding;
    public ulong ProgAttachFlags;
    public ulong LinkIds;
    public ulong LinkAttachFlags;
    public ulong Revision;
}

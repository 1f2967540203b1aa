using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>
/// bpf_attr for BPF_LINK_CREATE. The tail is a union per link kind; only the TCX (and netkit) members are
/// named here: relative_fd/relative_id at offset 16 and expected_revision at offset 24.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct LinkCreateAttr
{
    public uint ProgFd;
    /// <summary>target_fd, or target_ifindex for XDP and TCX.</summary>
    public uint Target;
    public uint AttachType;
    public uint Flags;
    /// <summary>tcx.relative_fd or tcx.relative_id (with BPF_F_ID).</summary>
    public uint Relative;
    private readonly uint _padding;
    public ulong ExpectedRevision;
}

using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_PROG_ATTACH and BPF_PROG_DETACH.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProgAttachAttr
{
    /// <summary>Cgroup fd, map fd (sockmap), or ifindex (TCX).</summary>
    public uint TargetFd;
    public uint AttachBpfFd;
    public uint AttachType;
    public uint AttachFlags;
    /// <summary>With BPF_F_REPLACE: the program to replace.</summary>
    public uint ReplaceBpfFd;
    public uint Relative;
    public ulong ExpectedRevision;
}

namespace Sluice.Bpf;
// Members mirror the uapi enum one-to-one (enum bpf_link_type).
#pragma warning disable CS1591

/// <summary>The kernel's link types (enum bpf_link_type in uapi/linux/bpf.h).</summary>
public enum BpfLinkType : uint
{
    Unspecified = 0,
    RawTracepoint = 1,
    Tracing = 2,
    Cgroup = 3,
    Iter = 4,
    Netns = 5,
    Xdp = 6,
    PerfEvent = 7,
    KprobeMulti = 8,
    StructOps = 9,
    Netfilter = 10,
    Tcx = 11,
    UprobeMulti = 12,
    Netkit = 13,
    Sockmap = 14,
}

using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>The kernel's bpf_link types (enum bpf_link_type).</summary>
public enum BpfLinkType : uint
{
    /// <summary>Unknown.</summary>
    Unspecified = 0,
    /// <summary>Raw tracepoint.</summary>
    RawTracepoint = 1,
    /// <summary>fentry/fexit/LSM and friends.</summary>
    Tracing = 2,
    /// <summary>cgroup attachment.</summary>
    Cgroup = 3,
    /// <summary>BPF iterator.</summary>
    Iter = 4,
    /// <summary>Network namespace (flow dissector, sk_lookup).</summary>
    Netns = 5,
    /// <summary>XDP on an interface.</summary>
    Xdp = 6,
    /// <summary>perf event (kprobe, uprobe, tracepoint).</summary>
    PerfEvent = 7,
    /// <summary>kprobe.multi.</summary>
    KprobeMulti = 8,
    /// <summary>struct_ops.</summary>
    StructOps = 9,
    /// <summary>Netfilter hook.</summary>
    Netfilter = 10,
    /// <summary>TCX ingress/egress (Linux 6.6).</summary>
    Tcx = 11,
    /// <summary>uprobe.multi.</summary>
    UprobeMulti = 12,
    /// <summary>Netkit device.</summary>
    Netkit = 13,
    /// <summary>sockmap attachment.</summary>
    Sockmap = 14,
}

/// <summary>The common part of struct bpf_link_info: which program a link holds attached, and how.</summary>
public sealed record BpfLinkInfo
{
    /// <summary>Kernel-wide link id.</summary>
    public required uint Id { get; init; }

    /// <summary>Link type.</summary>
    public required BpfLinkType Type { get; init; }

    /// <summary>Id of the attached program.</summary>
    public required uint ProgramId { get; init; }

    /// <summary>For XDP and TCX links: the interface index; otherwise 0.</summary>
    public uint IfIndex { get; init; }

    /// <summary>Reads the info of the link behind <paramref name="fd"/>.</summary>
    public static unsafe BpfLinkInfo FromFd(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(LinkInfoStruct);
        ObjectInfo.Read(fd, ref info);
        var type = (BpfLinkType)info.Type;
        // xdp: { __u32 ifindex; }  tcx: { __u32 ifindex; __u32 attach_type; }: ifindex leads the union for both.
        uint ifIndex = type is BpfLinkType.Xdp or BpfLinkType.Tcx ? *(uint*)info.Union : 0;
        return new BpfLinkInfo { Id = info.Id, Type = type, ProgramId = info.ProgId, IfIndex = ifIndex };
    }

    /// <summary>Every bpf_link in the kernel (Linux 5.8), lazily; links destroyed in between are skipped.</summary>
    public static IEnumerable<BpfLinkInfo> All() => ObjectInfo.All(BpfCommand.LinkGetNextId, BpfCommand.LinkGetFdById, FromFd);

    /// <summary>The info of link <paramref name="id"/>, or null if it no longer exists.</summary>
    public static BpfLinkInfo? FromId(uint id)
    {
        using var fd = ObjectInfo.TryOpenById(BpfCommand.LinkGetFdById, id);
        return fd is null ? null : FromFd(fd);
    }
}

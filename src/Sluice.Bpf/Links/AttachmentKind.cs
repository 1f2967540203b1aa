namespace Sluice.Bpf;

/// <summary>The hook and mechanism of an attachment.</summary>
public enum AttachmentKind
{
    /// <summary>XDP through a bpf_link (Linux 5.9).</summary>
    XdpLink,
    /// <summary>XDP through netlink IFLA_XDP (Linux 4.8; generic mode 4.12).</summary>
    XdpNetlink,
    /// <summary>TC through a TCX bpf_link (Linux 6.6).</summary>
    TcxLink,
    /// <summary>TC through a clsact qdisc and a cls_bpf direct-action filter (Linux 4.5).</summary>
    TcFilter,
    /// <summary>A cgroup program through a bpf_link (Linux 5.7).</summary>
    CgroupLink,
    /// <summary>A cgroup program through BPF_PROG_ATTACH (Linux 4.10; multi-attach 4.15).</summary>
    CgroupProgram,
    /// <summary>A sockmap/sockhash program through a bpf_link (Linux 6.10).</summary>
    SockmapLink,
    /// <summary>A sockmap/sockhash program through BPF_PROG_ATTACH (Linux 4.17).</summary>
    SockmapProgram,
    /// <summary>A perf event (tracepoint, kprobe, uprobe) through a bpf_link (Linux 5.15).</summary>
    PerfEventLink,
    /// <summary>A raw tracepoint or a tp_btf program through BPF_RAW_TRACEPOINT_OPEN (Linux 4.17; tp_btf 5.5).</summary>
    RawTracepointLink,
    /// <summary>fentry/fexit/fmod_ret/lsm through a BPF trampoline link (Linux 5.5; lsm 5.7).</summary>
    TracingLink,
    /// <summary>Many kernel functions through one kprobe-multi link (Linux 5.18, CONFIG_FPROBE).</summary>
    KprobeMultiLink,
    /// <summary>Any other bpf_link (netns, iterators, ...).</summary>
    OtherLink,
}

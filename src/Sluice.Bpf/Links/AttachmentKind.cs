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
    /// <summary>Any other bpf_link (cgroup, netns, ...).</summary>
    OtherLink,
}

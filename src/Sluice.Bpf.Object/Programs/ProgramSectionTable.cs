namespace Sluice.Bpf.Object;

/// <summary>What libbpf derives from a program's section name: type, expected attach type, load flags.</summary>
/// <param name="Type">Program type.</param>
/// <param name="ExpectedAttachType">expected_attach_type libbpf passes at load (only meaningful when <paramref name="HasExpectedAttachType"/>).</param>
/// <param name="HasExpectedAttachType">True when the section names an attach type (libbpf sets expected_attach_type for it).</param>
/// <param name="Flags">prog_flags for BPF_PROG_LOAD (BPF_F_XDP_HAS_FRAGS for the ".frags" sections).</param>
public readonly record struct ProgramSectionInfo(
    BpfProgramType Type, BpfAttachType ExpectedAttachType, bool HasExpectedAttachType, uint Flags);

/// <summary>
/// The section-name conventions of libbpf 1.x (its section_defs table) for networking and common program types.
/// Matching is libbpf's: a plain entry matches only exactly; an entry ending in '+' matches "name" or "name/anything".
/// libbpf sets expected_attach_type from the table for every program; here
/// <see cref="ProgramSectionInfo.HasExpectedAttachType"/> says whether the table names one (attach type 0 is also
/// BPF_CGROUP_INET_INGRESS, so the flag is what tells "none" from "0").
/// </summary>
public static class ProgramSectionTable
{
    /// <summary>BPF_F_XDP_HAS_FRAGS.</summary>
    public const uint XdpHasFrags = 1u << 5;

    /// <summary>BPF_F_SLEEPABLE.</summary>
    public const uint Sleepable = 1u << 4;

    private static readonly (string Name, BpfProgramType Type, BpfAttachType? Attach, uint Flags)[] Table =
    [
        ("socket", BpfProgramType.SocketFilter, null, 0),
        ("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate, 0),
        ("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect, 0),
        ("kprobe+", BpfProgramType.Kprobe, null, 0),
        ("uprobe+", BpfProgramType.Kprobe, null, 0),
        ("uprobe.s+", BpfProgramType.Kprobe, null, Sleepable),
        ("kretprobe+", BpfProgramType.Kprobe, null, 0),
        ("uretprobe+", BpfProgramType.Kprobe, null, 0),
        ("uretprobe.s+", BpfProgramType.Kprobe, null, Sleepable),
        ("kprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, 0),
        ("kretprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, 0),
        ("uprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, 0),
        ("uretprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, 0),
        ("usdt+", BpfProgramType.Kprobe, null, 0),
        ("usdt.s+", BpfProgramType.Kprobe, null, Sleepable),
        ("ksyscall+", BpfProgramType.Kprobe, null, 0),
        ("kretsyscall+", BpfProgramType.Kprobe, null, 0),
        ("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, 0),
        ("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, 0),
        ("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, 0),
        ("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, 0),
        ("netkit/primary", BpfProgramType.SchedCls, BpfAttachType.NetkitPrimary, 0),
        ("netkit/peer", BpfProgramType.SchedCls, BpfAttachType.NetkitPeer, 0),
        ("tc", BpfProgramType.SchedCls, null, 0),
        ("classifier", BpfProgramType.SchedCls, null, 0),
        ("action", BpfProgramType.SchedAct, null, 0),
        ("tracepoint+", BpfProgramType.Tracepoint, null, 0),
        ("tp+", BpfProgramType.Tracepoint, null, 0),
        ("raw_tracepoint+", BpfProgramType.RawTracepoint, null, 0),
        ("raw_tp+", BpfProgramType.RawTracepoint, null, 0),
        ("raw_tracepoint.w+", BpfProgramType.RawTracepointWritable, null, 0),
        ("raw_tp.w+", BpfProgramType.RawTracepointWritable, null, 0),
        ("tp_btf+", BpfProgramType.Tracing, BpfAttachType.TraceRawTp, 0),
        ("fentry+", BpfProgramType.Tracing, BpfAttachType.TraceFentry, 0),
        ("fmod_ret+", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, 0),
        ("fexit+", BpfProgramType.Tracing, BpfAttachType.TraceFexit, 0),
        ("fentry.s+", BpfProgramType.Tracing, BpfAttachType.TraceFentry, Sleepable),
        ("fmod_ret.s+", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, Sleepable),
        ("fexit.s+", BpfProgramType.Tracing, BpfAttachType.TraceFexit, Sleepable),
        ("freplace+", BpfProgramType.Ext, null, 0),
        ("lsm+", BpfProgramType.Lsm, BpfAttachType.LsmMac, 0),
        ("lsm.s+", BpfProgramType.Lsm, BpfAttachType.LsmMac, Sleepable),
        ("lsm_cgroup+", BpfProgramType.Lsm, BpfAttachType.LsmCgroup, 0),
        ("iter+", BpfProgramType.Tracing, BpfAttachType.TraceIter, 0),
        ("syscall", BpfProgramType.Syscall, null, Sleepable),
        ("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, XdpHasFrags),
        ("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, 0),
        ("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, XdpHasFrags),
        ("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, 0),
        ("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, XdpHasFrags),
        ("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp, 0),
        ("perf_event", BpfProgramType.PerfEvent, null, 0),
        ("lwt_in", BpfProgramType.LwtIn, null, 0),
        ("lwt_out", BpfProgramType.LwtOut, null, 0),
        ("lwt_xmit", BpfProgramType.LwtXmit, null, 0),
        ("lwt_seg6local", BpfProgramType.LwtSeg6Local, null, 0),
        ("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps, 0),
        ("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser, 0),
        ("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict, 0),
        ("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict, 0),
        ("sk_skb", BpfProgramType.SkSkb, null, 0),
        ("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict, 0),
        ("lirc_mode2", BpfProgramType.LircMode2, BpfAttachType.LircMode2, 0),
        ("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector, 0),
        ("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress, 0),
        ("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress, 0),
        ("cgroup/skb", BpfProgramType.CgroupSkb, null, 0),
        ("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, 0),
        ("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease, 0),
        ("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, 0),
        ("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind, 0),
        ("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind, 0),
        ("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind, 0),
        ("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind, 0),
        ("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect, 0),
        ("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect, 0),
        ("cgroup/connect_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixConnect, 0),
        ("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg, 0),
        ("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg, 0),
        ("cgroup/sendmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixSendmsg, 0),
        ("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg, 0),
        ("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg, 0),
        ("cgroup/recvmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixRecvmsg, 0),
        ("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername, 0),
        ("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername, 0),
        ("cgroup/getpeername_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetpeername, 0),
        ("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname, 0),
        ("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname, 0),
        ("cgroup/getsockname_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetsockname, 0),
        ("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl, 0),
        ("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt, 0),
        ("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt, 0),
        ("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice, 0),
        ("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup, 0),
        ("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter, 0),
    ];

    /// <summary>
    /// libbpf's interpretation of <paramref name="sectionName"/>, or null for a name libbpf does not know
    /// (the reader then gives the program type <see cref="BpfProgramType.Unspecified"/>).
    /// </summary>
    public static ProgramSectionInfo? Lookup(string sectionName)
    {
        foreach (var (name, type, attach, flags) in Table)
        {
            if (!Matches(name, sectionName)) continue;
            return new ProgramSectionInfo(type, attach ?? 0, attach is not null, flags);
        }
        return null;
    }

    private static bool Matches(string pattern, string sectionName)
    {
        if (!pattern.EndsWith('+')) return pattern == sectionName;
        var prefix = pattern.AsSpan(0, pattern.Length - 1);
        return sectionName.AsSpan().StartsWith(prefix, StringComparison.Ordinal)
            && (sectionName.Length == prefix.Length || sectionName[prefix.Length] == '/');
    }
}

namespace Sluice.Bpf.Features;

/// <summary>
/// Whether each <see cref="AttachmentKind"/> exists on this kernel. Attaching for real would disturb an interface or
/// cgroup, so each kind is judged by the kernel struct that implements it in the kernel's BTF (present iff built in,
/// backports included), or by the kernel version when there is no BTF. TCX has a harmless real probe (a query on lo).
/// </summary>
internal static class AttachKindProbes
{
    internal static FeatureSupport Probe(AttachmentKind kind) => kind switch
    {
        AttachmentKind.XdpLink => ByBtf("bpf_xdp_link", 5, 9),
        AttachmentKind.XdpNetlink => ByBtf("xdp_attachment_info", 4, 8, alternative: "bpf_xdp_link"),
        AttachmentKind.TcxLink => Tcx.IsSupported ? FeatureSupport.Supported : FeatureSupport.Unsupported,
        AttachmentKind.TcFilter => Both(ByBtf("cls_bpf_prog", 4, 5), ByBtf("clsact_sched_data", 4, 5)),
        AttachmentKind.CgroupLink => ByBtf("bpf_cgroup_link", 5, 7),
        AttachmentKind.CgroupProgram => ByBtf("cgroup_bpf", 4, 10),
        AttachmentKind.SockmapLink => ByBtf("sockmap_link", 6, 10),
        AttachmentKind.SockmapProgram => ByBtf("sk_psock_progs", 4, 17),
        AttachmentKind.PerfEventLink => ByBtf("bpf_perf_link", 5, 15),
        AttachmentKind.RawTracepointLink => ByBtf("bpf_raw_tp_link", 4, 17),
        AttachmentKind.TracingLink => ByBtf("bpf_tracing_link", 5, 5),
        AttachmentKind.KprobeMultiLink => ByBtf("bpf_kprobe_multi_link", 5, 18),
        _ => FeatureSupport.Unknown,
    };

    private static FeatureSupport ByBtf(string kernelStruct, int major, int minor, string? alternative = null)
    {
        if (KernelBtfNames.Available)
            return KernelBtfNames.Contains(kernelStruct) || (alternative is not null && KernelBtfNames.Contains(alternative))
                ? FeatureSupport.Supported : FeatureSupport.Unsupported;
        return Environment.OSVersion.Version >= new Version(major, minor) ? FeatureSupport.Supported : FeatureSupport.Unsupported;
    }

    private static FeatureSupport Both(FeatureSupport first, FeatureSupport second) =>
        first == FeatureSupport.Supported && second == FeatureSupport.Supported ? FeatureSupport.Supported : FeatureSupport.Unsupported;
}

using System.Collections.Concurrent;
using Sluice.Bpf.Object;

namespace Sluice.Bpf.Features;

/// <summary>
/// Asks the running kernel what it supports, the way libbpf's and cilium/ebpf's probes do: load a minimal program of
/// the type, create a minimal map of the type, call the helper from a minimal program. Version numbers lie on
/// distribution kernels; the kernel's answer does not. Results are cached for the process. Probes need the rights
/// bpf() needs (root or CAP_BPF); without them a probe throws <see cref="UnauthorizedAccessException"/> rather than
/// reporting features missing.
/// </summary>
public static class BpfFeatures
{
    private static readonly ConcurrentDictionary<(BpfProgramType, BpfAttachType?), FeatureSupport> Programs = new();
    private static readonly ConcurrentDictionary<BpfMapType, FeatureSupport> Maps = new();
    private static readonly ConcurrentDictionary<(BpfProgramType, BpfAttachType?, int), FeatureSupport> Helpers = new();
    private static readonly ConcurrentDictionary<AttachmentKind, FeatureSupport> AttachKinds = new();

    /// <summary>
    /// The program types networking code uses, whose helper sets <see cref="SupportedHelpers"/> is meant for
    /// (probing every helper for every program type would be thousands of loads for little use).
    /// </summary>
    public static IReadOnlyList<BpfProgramType> NetworkingProgramTypes { get; } =
    [
        BpfProgramType.SocketFilter, BpfProgramType.SchedCls, BpfProgramType.SchedAct, BpfProgramType.Xdp,
        BpfProgramType.CgroupSkb, BpfProgramType.CgroupSock, BpfProgramType.CgroupSockAddr, BpfProgramType.SockOps,
        BpfProgramType.SkSkb, BpfProgramType.SkMsg, BpfProgramType.SkReuseport, BpfProgramType.FlowDissector,
        BpfProgramType.SkLookup,
    ];

    /// <summary>Whether the kernel has this attachment mechanism (bpf_link kinds, netlink, BPF_PROG_ATTACH).</summary>
    /// <remarks>Judged from the kernel's BTF (or version) except TCX, which is probed; nothing is attached.</remarks>
    public static FeatureSupport Attachment(AttachmentKind kind) => AttachKinds.GetOrAdd(kind, AttachKindProbes.Probe);

    /// <summary>
    /// The helper ids (of those <see cref="BpfHelperNames"/> knows) that programs of <paramref name="type"/> may call:
    /// one probe load per helper, cached like every probe; safe to call for several program types from several threads at once.
    /// </summary>
    public static IReadOnlyList<int> SupportedHelpers(BpfProgramType type, BpfAttachType? attachType = null)
    {
        if (ProgramType(type, attachType) != FeatureSupport.Supported) return [];
        var supported = new List<int>();
        for (int id = 1; id < BpfHelperNames.Count; id++)
            if (Helper(type, id, attachType) == FeatureSupport.Supported) supported.Add(id);
        return supported;
    }

    /// <summary>Whether programs of <paramref name="type"/> (with <paramref name="attachType"/>, for types that need one) load.</summary>
    public static FeatureSupport ProgramType(BpfProgramType type, BpfAttachType? attachType = null) =>
        Programs.GetOrAdd((type, attachType ?? FeatureProbes.DefaultAttachType(type)), key => FeatureProbes.ProbeProgram(key.Item1, key.Item2));

    /// <summary>Whether maps of <paramref name="type"/> can be created.</summary>
    public static FeatureSupport MapType(BpfMapType type) => Maps.GetOrAdd(type, FeatureProbes.ProbeMap);

    /// <summary>Whether programs of <paramref name="type"/> may call helper <paramref name="helperId"/> (BPF_FUNC_*).</summary>
    public static FeatureSupport Helper(BpfProgramType type, int helperId, BpfAttachType? attachType = null)
    {
        var attach = attachType ?? FeatureProbes.DefaultAttachType(type);
        if (ProgramType(type, attach) != FeatureSupport.Supported) return ProgramType(type, attach);
        return Helpers.GetOrAdd((type, attach, helperId), key => FeatureProbes.ProbeHelper(key.Item1, key.Item2, key.Item3));
    }
}

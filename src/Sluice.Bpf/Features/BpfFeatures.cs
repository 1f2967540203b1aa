using System.Collections.Concurrent;
using Sluice.Bpf.Object;

namespace Sluice.Bpf.Features;

/// <summary>
/// Asks the running kernel what it supports, the way libbpf's and cilium/ebpf's probes do: load a minimal program of
/// the type, create a minimal map of the type, call the helper from a minimal program. Version numbers lie on
/// distribution kernels; the kernel's answer does not. Results are cached for the process. Probes need the rights
/// bpf() needs (root or CAP_BPF).
/// </summary>
public static class BpfFeatures
{
    private static readonly ConcurrentDictionary<(BpfProgramType, BpfAttachType?), FeatureSupport> Programs = new();
    private static readonly ConcurrentDictionary<BpfMapType, FeatureSupport> Maps = new();
    private static readonly ConcurrentDictionary<(BpfProgramType, BpfAttachType?, int), FeatureSupport> Helpers = new();

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

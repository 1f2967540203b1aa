using Sluice.Bpf.Object;

namespace Sluice.Bpf.Features;

/// <summary>The probes behind <see cref="BpfFeatures"/>: each makes the smallest object of its kind and reports what the kernel said.</summary>
internal static class FeatureProbes
{
    // r0 = 0; exit: valid for every program type that needs no attach target.
    private static readonly BpfInstruction[] ReturnZero = [new() { Opcode = 0xb7 }, new() { Opcode = 0x95 }];

    /// <summary>Types that refuse to load without an expected attach type get the one libbpf probes them with.</summary>
    internal static BpfAttachType? DefaultAttachType(BpfProgramType type) => type switch
    {
        BpfProgramType.CgroupSockAddr => BpfAttachType.CgroupInet4Connect,
        BpfProgramType.CgroupSockopt => BpfAttachType.CgroupGetsockopt,
        BpfProgramType.SkLookup => BpfAttachType.SkLookup,
        BpfProgramType.Netfilter => BpfAttachType.Netfilter,
        _ => null,
    };

    internal static FeatureSupport ProbeProgram(BpfProgramType type, BpfAttachType? attachType)
    {
        if (NeedsAttachTarget(type)) return FeatureSupport.Unknown;
        try
        {
            using var program = BpfProgram.Load(Spec(type, attachType, ReturnZero));
            return FeatureSupport.Supported;
        }
        catch (BpfException)
        {
            return FeatureSupport.Unsupported;
        }
    }

    /// <summary>
    /// Calls the helper with whatever the registers hold: the verifier checks the helper's availability before its
    /// arguments, so "unknown func" / "cannot use helper" means no, and any other complaint means yes.
    /// </summary>
    internal static FeatureSupport ProbeHelper(BpfProgramType type, BpfAttachType? attachType, int helperId)
    {
        BpfInstruction[] instructions = [new() { Opcode = 0x85, Immediate = helperId }, .. ReturnZero];
        try
        {
            using var program = BpfProgram.Load(Spec(type, attachType, instructions));
            return FeatureSupport.Supported;
        }
        catch (BpfVerifierException error)
        {
            string log = error.VerifierLog;
            bool refused = log.Contains("unknown func", StringComparison.Ordinal)
                || log.Contains("cannot use helper", StringComparison.Ordinal)
                || log.Contains("invalid func", StringComparison.Ordinal);
            return refused ? FeatureSupport.Unsupported : FeatureSupport.Supported;
        }
        catch (BpfException)
        {
            return FeatureSupport.Unsupported;
        }
    }

    internal static FeatureSupport ProbeMap(BpfMapType type)
    {
        if (type is BpfMapType.SkStorage or BpfMapType.InodeStorage or BpfMapType.TaskStorage or BpfMapType.CgrpStorage
            or BpfMapType.StructOps or BpfMapType.Arena or BpfMapType.Unspecified)
            return FeatureSupport.Unknown; // these need BTF value types or a struct_ops target
        try
        {
            using var inner = type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps ? BpfMap.Create(Map(BpfMapType.Array, 4, 4, 1)) : null;
            var spec = type switch
            {
                BpfMapType.LpmTrie => Map(type, 8, 4, 1, flags: 1), // BPF_F_NO_PREALLOC is mandatory
                BpfMapType.RingBuf or BpfMapType.UserRingBuf => Map(type, 0, 0, 4096),
                BpfMapType.Queue or BpfMapType.Stack or BpfMapType.BloomFilter => Map(type, 0, 4, 1),
                BpfMapType.StackTrace => Map(type, 4, 8, 1),
                BpfMapType.CgroupStorage or BpfMapType.PerCpuCgroupStorage => Map(type, 16, 8, 0),
                BpfMapType.ReuseportSockArray => Map(type, 4, 8, 1),
                _ => Map(type, 4, 4, 1),
            };
            using var map = BpfMap.Create(spec, inner is null ? null : new MapCreateOptions { InnerMap = inner });
            return FeatureSupport.Supported;
        }
        catch (BpfException)
        {
            return FeatureSupport.Unsupported;
        }
    }

    private static bool NeedsAttachTarget(BpfProgramType type) =>
        type is BpfProgramType.Tracing or BpfProgramType.Ext or BpfProgramType.Lsm or BpfProgramType.StructOps
            or BpfProgramType.Unspecified;

    private static ProgramSpec Spec(BpfProgramType type, BpfAttachType? attachType, BpfInstruction[] instructions) => new()
    {
        Name = "probe",
        SectionName = "probe",
        Type = type,
        ExpectedAttachType = attachType ?? 0,
        HasExpectedAttachType = attachType is not null,
        License = "GPL",
        Instructions = instructions,
    };

    private static MapSpec Map(BpfMapType type, uint key, uint value, uint maxEntries, uint flags = 0) => new()
    {
        Name = "probe",
        Type = type,
        KeySize = key,
        ValueSize = value,
        MaxEntries = maxEntries,
        Flags = flags,
    };
}

using Sluice.Bpf.Interop;
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
        catch (BpfException error) when (error.Errno == Libc.EPERM)
        {
            throw Unprivileged();
        }
        catch (BpfException)
        {
            return FeatureSupport.Unsupported;
        }
    }

    /// <summary>
    /// Calls the helper with whatever the registers hold: the verifier checks the helper's availability before its
    /// arguments, so "unknown func" / "invalid func" / "cannot use helper" means no, and any other complaint means yes
    /// (bpftool's rule). Issued directly with a small stack log: a whole `sluice feature` run makes thousands of these,
    /// and the exception and log parsing of <see cref="BpfProgram.Load"/> would cost more than the verifier does.
    /// </summary>
    internal static unsafe FeatureSupport ProbeHelper(BpfProgramType type, BpfAttachType? attachType, int helperId)
    {
        const int LogSize = 1024;
        BpfInstruction* instructions = stackalloc BpfInstruction[3];
        instructions[0] = new BpfInstruction { Opcode = 0x85, Immediate = helperId };
        instructions[1] = ReturnZero[0];
        instructions[2] = ReturnZero[1];
        byte* license = stackalloc byte[] { (byte)'G', (byte)'P', (byte)'L', 0 };
        byte* log = stackalloc byte[LogSize];
        log[0] = 0;
        var attr = new ProgLoadAttr
        {
            ProgType = (uint)type,
            InsnCnt = 3,
            Insns = (ulong)instructions,
            License = (ulong)license,
            LogLevel = 1,
            LogSize = LogSize,
            LogBuf = (ulong)log,
            ExpectedAttachType = attachType is { } expected ? (uint)expected : 0,
        };
        int fd, errno;
        int attempts = 0;
        do fd = BpfSyscall.TryInvoke(BpfCommand.ProgLoad, ref attr, out errno);
        while (fd < 0 && errno == Libc.EAGAIN && ++attempts < 5);
        if (fd >= 0)
        {
            Libc.Close(fd);
            return FeatureSupport.Supported;
        }
        if (errno == Libc.EPERM) throw Unprivileged();
        var text = new ReadOnlySpan<byte>(log, LogSize);
        int end = text.IndexOf((byte)0);
        if (end >= 0) text = text[..end];
        bool refused = text.IndexOf("unknown func"u8) >= 0 || text.IndexOf("invalid func"u8) >= 0 || text.IndexOf("cannot use helper"u8) >= 0;
        return refused ? FeatureSupport.Unsupported : FeatureSupport.Supported;
    }

    /// <summary>Without CAP_BPF every probe fails with EPERM, which says nothing about the kernel.</summary>
    internal static UnauthorizedAccessException Unprivileged() =>
        new("feature probes load programs and create maps: run as root or with CAP_BPF (and CAP_NET_ADMIN, CAP_PERFMON)");

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
        catch (BpfException error) when (error.Errno == Libc.EPERM)
        {
            throw Unprivileged();
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
        Flags = type == BpfProgramType.Syscall ? SleepableFlag : 0, // syscall programs load only as sleepable
    };

    /// <summary>BPF_F_SLEEPABLE.</summary>
    private const uint SleepableFlag = 1u << 4;

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

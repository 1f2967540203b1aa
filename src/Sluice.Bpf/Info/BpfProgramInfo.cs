using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>What the kernel reports about a loaded program (struct bpf_prog_info), as <c>bpftool prog show</c> prints it.</summary>
public sealed record BpfProgramInfo
{
    /// <summary>Kernel-wide program id.</summary>
    public required uint Id { get; init; }

    /// <summary>Program type.</summary>
    public required BpfProgramType Type { get; init; }

    /// <summary>Kernel object name (at most 15 characters).</summary>
    public required string Name { get; init; }

    /// <summary>The program tag: a hash of its instructions, 16 lowercase hex digits as bpftool prints it.</summary>
    public required string Tag { get; init; }

    /// <summary>When the program was loaded, as time since boot (CLOCK_BOOTTIME, what the kernel records).</summary>
    public required TimeSpan LoadTimeSinceBoot { get; init; }

    /// <summary>When the program was loaded, as wall-clock time (derived from the boot-time clock now).</summary>
    public required DateTimeOffset LoadTime { get; init; }

    /// <summary>Uid of the loading process.</summary>
    public required uint CreatedByUid { get; init; }

    /// <summary>Ids of the maps the program uses.</summary>
    public required IReadOnlyList<uint> MapIds { get; init; }

    /// <summary>Size of the verifier-translated instructions in bytes.</summary>
    public required uint XlatedSize { get; init; }

    /// <summary>Size of the JIT-compiled image in bytes (0 when not JITed).</summary>
    public required uint JitedSize { get; init; }

    /// <summary>Whether the license is GPL-compatible.</summary>
    public required bool GplCompatible { get; init; }

    /// <summary>Id of the program's BTF object, 0 if none.</summary>
    public required uint BtfId { get; init; }

    /// <summary>
    /// Total run time (Linux 5.1). Counted only while statistics are on: sysctl kernel.bpf_stats_enabled=1 or a
    /// BPF_ENABLE_STATS fd held open (Linux 5.8); otherwise stays 0.
    /// </summary>
    public required TimeSpan RunTime { get; init; }

    /// <summary>Run time in nanoseconds; see <see cref="RunTime"/> for when it counts.</summary>
    public required ulong RunTimeNanoseconds { get; init; }

    /// <summary>Number of runs; counted under the same condition as <see cref="RunTime"/>.</summary>
    public required ulong RunCount { get; init; }

    /// <summary>Runs skipped because the program was already running on that CPU (Linux 5.12).</summary>
    public required ulong RecursionMisses { get; init; }

    /// <summary>Instructions the verifier processed (Linux 5.16).</summary>
    public required uint VerifiedInstructions { get; init; }

    /// <summary>The kernel BTF type the program was loaded against (tp_btf, fentry, fexit, lsm: attach_btf_id, Linux 5.16), 0 if none.</summary>
    public uint AttachBtfId { get; init; }

    /// <summary>The id of the BTF object that holds <see cref="AttachBtfId"/> (vmlinux or a module), 0 if none.</summary>
    public uint AttachBtfObjectId { get; init; }

    /// <summary>Reads the info of the program behind <paramref name="fd"/>, including its map ids (a second call).</summary>
    public static unsafe BpfProgramInfo FromFd(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(ProgInfoStruct);
        ObjectInfo.Read(fd, ref info);
        var mapIds = Array.Empty<uint>();
        if (info.NrMapIds > 0)
        {
            // The first call only counts the maps; the second hands the kernel a buffer of that size.
            mapIds = new uint[info.NrMapIds];
            fixed (uint* ids = mapIds)
            {
                var second = new ProgInfoStruct { NrMapIds = (uint)mapIds.Length, MapIds = (ulong)ids };
                ObjectInfo.Read(fd, ref second);
                // Maps can be swapped out between the calls; keep only what the kernel actually wrote.
                if (second.NrMapIds < mapIds.Length) Array.Resize(ref mapIds, (int)second.NrMapIds);
            }
        }
        var sinceBoot = TimeSpan.FromTicks((long)(info.LoadTime / 100));
        return new BpfProgramInfo
        {
            Id = info.Id,
            Type = (BpfProgramType)info.Type,
            Name = ObjectInfo.ReadName(info.Name),
            Tag = Convert.ToHexStringLower(new ReadOnlySpan<byte>(info.Tag, 8)),
            LoadTimeSinceBoot = sinceBoot,
            LoadTime = DateTimeOffset.UtcNow - (BootClock.SinceBoot() - sinceBoot),
            CreatedByUid = info.CreatedByUid,
            MapIds = mapIds,
            XlatedSize = info.XlatedProgLen,
            JitedSize = info.JitedProgLen,
            GplCompatible = (info.GplCompatibleBits & 1) != 0,
            BtfId = info.BtfId,
            RunTime = TimeSpan.FromTicks((long)(info.RunTimeNs / 100)),
            RunTimeNanoseconds = info.RunTimeNs,
            RunCount = info.RunCnt,
            RecursionMisses = info.RecursionMisses,
            VerifiedInstructions = info.VerifiedInsns,
            AttachBtfId = info.AttachBtfId,
            AttachBtfObjectId = info.AttachBtfObjId,
        };
    }

    /// <summary>The info of program <paramref name="id"/>, or null if no such program exists (any more).</summary>
    public static BpfProgramInfo? FromId(uint id)
    {
        using var fd = ObjectInfo.TryOpenById(BpfCommand.ProgGetFdById, id);
        return fd is null ? null : FromFd(fd);
    }

    /// <summary>
    /// Every program loaded in the kernel (BPF_PROG_GET_NEXT_ID + GET_FD_BY_ID, Linux 4.13), read lazily in id
    /// order; programs unloaded between listing and opening are skipped.
    /// </summary>
    public static IEnumerable<BpfProgramInfo> All() => ObjectInfo.All(BpfCommand.ProgGetNextId, BpfCommand.ProgGetFdById, FromFd);

    /// <summary>Every program id, without opening the programs.</summary>
    public static IEnumerable<uint> AllIds() => ObjectInfo.Ids(BpfCommand.ProgGetNextId);

    /// <summary>Opens program <paramref name="id"/> (needs CAP_SYS_ADMIN); null when it no longer exists.</summary>
    public static BpfFd? OpenById(uint id) => ObjectInfo.TryOpenById(BpfCommand.ProgGetFdById, id);
}

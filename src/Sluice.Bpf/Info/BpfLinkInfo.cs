using System.Buffers.Binary;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

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

/// <summary>What a perf event link probes (enum bpf_perf_event_type, Linux 6.6).</summary>
public enum PerfEventLinkKind
{
    /// <summary>Not a perf event link, or a kernel too old to say.</summary>
    Unspecified = 0,
    /// <summary>A uprobe.</summary>
    Uprobe = 1,
    /// <summary>A uretprobe.</summary>
    Uretprobe = 2,
    /// <summary>A kprobe.</summary>
    Kprobe = 3,
    /// <summary>A kretprobe.</summary>
    Kretprobe = 4,
    /// <summary>A perf tracepoint.</summary>
    Tracepoint = 5,
    /// <summary>Another perf event (hardware, software counter).</summary>
    Event = 6,
}

/// <summary>struct bpf_link_info: which program a link holds attached, and where (the per-type details bpftool shows).</summary>
public sealed record BpfLinkInfo
{
    /// <summary>Kernel-wide link id.</summary>
    public required uint Id { get; init; }

    /// <summary>Link type.</summary>
    public required BpfLinkType Type { get; init; }

    /// <summary>Id of the attached program (0 once a link was detached).</summary>
    public required uint ProgramId { get; init; }

    /// <summary>For XDP, TCX and netkit links: the interface index; otherwise 0.</summary>
    public uint IfIndex { get; init; }

    /// <summary>The attach type, for the link types that report one (tracing, cgroup, netns, TCX, netkit, sockmap).</summary>
    public BpfAttachType? AttachType { get; init; }

    /// <summary>
    /// The named target: the tracepoint of a raw tracepoint or perf tracepoint link, the function of a kprobe, the
    /// file of a uprobe, the iterator's target; null when the link type has none.
    /// </summary>
    public string? TargetName { get; init; }

    /// <summary>Tracing links: the BTF object (vmlinux, a module) or, for freplace, the program that holds the target.</summary>
    public uint TargetObjectId { get; init; }

    /// <summary>Tracing links: the target's BTF type id inside <see cref="TargetObjectId"/>.</summary>
    public uint TargetBtfId { get; init; }

    /// <summary>Cgroup links: the cgroup's id (its inode number on cgroupfs).</summary>
    public ulong CgroupId { get; init; }

    /// <summary>Netns links: the namespace's inode number.</summary>
    public uint NetnsInode { get; init; }

    /// <summary>Sockmap links (and map iterators): the map id.</summary>
    public uint MapId { get; init; }

    /// <summary>Perf event links: what kind of probe (Linux 6.6; <see cref="PerfEventLinkKind.Unspecified"/> before).</summary>
    public PerfEventLinkKind PerfEventKind { get; init; }

    /// <summary>Perf event kprobe/uprobe links: the probe's offset from the function or in the file.</summary>
    public ulong ProbeOffset { get; init; }

    /// <summary>Reads the info of the link behind <paramref name="fd"/>.</summary>
    public static unsafe BpfLinkInfo FromFd(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(LinkInfoStruct);
        ObjectInfo.Read(fd, ref info);
        var type = (BpfLinkType)info.Type;
        // Types with a name in the union get a second call with a buffer: the kernel copies the name into it.
        string? name = null;
        int nameField = type switch
        {
            BpfLinkType.RawTracepoint or BpfLinkType.Iter => 0,
            BpfLinkType.PerfEvent => 8,
            _ => -1,
        };
        if (nameField >= 0)
        {
            var buffer = new byte[512];
            fixed (byte* pointer = buffer)
            {
                var second = default(LinkInfoStruct);
                *(ulong*)(second.Union + nameField) = (ulong)pointer;
                *(uint*)(second.Union + nameField + 8) = (uint)buffer.Length;
                // Older kernels refuse a buffer for some types (EINVAL) or leave it empty: the name is then unknown.
                if (ObjectInfo.TryRead(fd, ref second))
                {
                    info = second;
                    int end = Array.IndexOf(buffer, (byte)0);
                    if (end > 0) name = System.Text.Encoding.UTF8.GetString(buffer, 0, end);
                }
            }
        }
        byte[] union = new ReadOnlySpan<byte>(info.Union, 64).ToArray();
        uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(union.AsSpan(offset));
        ulong U64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(union.AsSpan(offset));
        var result = new BpfLinkInfo { Id = info.Id, Type = type, ProgramId = info.ProgId, TargetName = name };
        return type switch
        {
            // xdp: { ifindex }  tcx/netkit: { ifindex, attach_type }
            BpfLinkType.Xdp => result with { IfIndex = U32(0), AttachType = BpfAttachType.Xdp },
            BpfLinkType.Tcx or BpfLinkType.Netkit => result with { IfIndex = U32(0), AttachType = (BpfAttachType)U32(4) },
            // tracing: { attach_type, target_obj_id, target_btf_id }
            BpfLinkType.Tracing => result with { AttachType = (BpfAttachType)U32(0), TargetObjectId = U32(4), TargetBtfId = U32(8) },
            // cgroup: { u64 cgroup_id, attach_type }
            BpfLinkType.Cgroup => result with { CgroupId = U64(0), AttachType = (BpfAttachType)U32(8) },
            // netns: { netns_ino, attach_type }
            BpfLinkType.Netns => result with { NetnsInode = U32(0), AttachType = (BpfAttachType)U32(4) },
            // sockmap: { map_id, attach_type }
            BpfLinkType.Sockmap => result with { MapId = U32(0), AttachType = (BpfAttachType)U32(4) },
            // perf_event: { type, pad, union { uprobe { file_name, name_len, offset }, kprobe { func_name, name_len, offset } ... } }
            BpfLinkType.PerfEvent => result with
            {
                PerfEventKind = (PerfEventLinkKind)U32(0),
                ProbeOffset = (PerfEventLinkKind)U32(0) is PerfEventLinkKind.Uprobe or PerfEventLinkKind.Uretprobe
                    or PerfEventLinkKind.Kprobe or PerfEventLinkKind.Kretprobe ? U32(20) : 0,
            },
            _ => result,
        };
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

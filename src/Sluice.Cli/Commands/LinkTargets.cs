using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>A one-phrase description of where a link attaches, for `link list|show`.</summary>
internal static class LinkTargets
{
    internal static string? Describe(BpfLinkInfo link) => link.Type switch
    {
        BpfLinkType.Xdp or BpfLinkType.Tcx or BpfLinkType.Netkit => $"ifindex {link.IfIndex}",
        BpfLinkType.Cgroup => $"cgroup id {link.CgroupId}",
        BpfLinkType.Netns => $"netns inode {link.NetnsInode}",
        BpfLinkType.Sockmap => $"map {link.MapId}",
        BpfLinkType.RawTracepoint => link.TargetName is { } name ? $"tracepoint {name}" : null,
        BpfLinkType.Tracing => TracingTarget(link),
        BpfLinkType.PerfEvent => PerfTarget(link),
        BpfLinkType.Iter => link.TargetName is { } iterator ? $"iterator {iterator}" : null,
        _ => null,
    };

    private static string? PerfTarget(BpfLinkInfo link)
    {
        string kind = link.PerfEventKind == PerfEventLinkKind.Unspecified ? "perf event" : Names.Snake(link.PerfEventKind.ToString());
        if (link.TargetName is not { } name) return link.PerfEventKind == PerfEventLinkKind.Unspecified ? null : kind;
        return link.ProbeOffset == 0 ? $"{kind} {name}" : $"{kind} {name}+0x{link.ProbeOffset:x}";
    }

    /// <summary>"function tcp_v4_connect (vmlinux)": the BTF object's name and, for the kernel's own BTF, the type's name.</summary>
    private static string TracingTarget(BpfLinkInfo link)
    {
        string fallback = $"BTF type {link.TargetBtfId} in object {link.TargetObjectId}";
        try
        {
            using var fd = BpfBtfInfo.OpenById(link.TargetObjectId);
            if (fd is null) return fallback;
            var info = BpfBtfInfo.FromFd(fd);
            if (info.Name != "vmlinux") return $"{fallback} ({(info.Name.Length == 0 ? "program BTF" : info.Name)})";
            var type = KernelBtf.Vmlinux.TypeById(link.TargetBtfId);
            return type is null ? fallback : $"{type.Name} (vmlinux)";
        }
        catch (Exception error) when (error is BpfException or BpfNotSupportedException)
        {
            return fallback;
        }
    }
}

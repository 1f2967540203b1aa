using System.Text;
using Sluice.Bpf.Object;

namespace Sluice.Cli.Infrastructure;

/// <summary>bpftool-style snake_case names for kernel enums ("sched_cls", "lpm_trie", "tcx_ingress").</summary>
internal static class Names
{
    internal static string ProgramType(BpfProgramType type) => type switch
    {
        BpfProgramType.Unspecified => "unspec",
        BpfProgramType.SchedCls => "sched_cls",
        BpfProgramType.SchedAct => "sched_act",
        BpfProgramType.SkSkb => "sk_skb",
        BpfProgramType.SkMsg => "sk_msg",
        BpfProgramType.SockOps => "sock_ops",
        BpfProgramType.CgroupSockAddr => "cgroup_sock_addr",
        _ => Snake(type.ToString()),
    };

    internal static string MapType(BpfMapType type) => type switch
    {
        BpfMapType.PerCpuHash => "percpu_hash",
        BpfMapType.PerCpuArray => "percpu_array",
        BpfMapType.LruPerCpuHash => "lru_percpu_hash",
        BpfMapType.DevMap => "devmap",
        BpfMapType.DevMapHash => "devmap_hash",
        BpfMapType.CpuMap => "cpumap",
        BpfMapType.XskMap => "xskmap",
        BpfMapType.SockMap => "sockmap",
        BpfMapType.SockHash => "sockhash",
        BpfMapType.RingBuf => "ringbuf",
        BpfMapType.UserRingBuf => "user_ringbuf",
        BpfMapType.PerCpuCgroupStorage => "percpu_cgroup_storage",
        _ => Snake(type.ToString()),
    };

    internal static string AttachType(BpfAttachType type) => Snake(type.ToString());

    internal static string LinkType(Sluice.Bpf.BpfLinkType type) => Snake(type.ToString());

    internal static string AttachmentKind(Sluice.Bpf.AttachmentKind kind) => Snake(kind.ToString());

    internal static string Snake(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0 && !char.IsDigit(pascal[i - 1])) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}

using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr.enable_stats for BPF_ENABLE_STATS (Linux 5.8).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EnableStatsAttr
{
    /// <summary>enum bpf_stats_type; BPF_STATS_RUN_TIME = 0.</summary>
    public uint Type;
}

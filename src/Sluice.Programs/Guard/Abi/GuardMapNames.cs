namespace Sluice.Programs.Guard;

/// <summary>The names of the guard's objects, maps and programs (bpf/include/guard_maps.h), which are also their pin names.</summary>
public static class GuardMapNames
{
    /// <summary>The XDP stage object (embedded resource).</summary>
    public const string XdpObject = "guard_xdp.bpf.o";
    /// <summary>The TC stage object (embedded resource).</summary>
    public const string TcObject = "guard_tc.bpf.o";
    /// <summary>The XDP program's name.</summary>
    public const string XdpProgram = "guard_xdp";
    /// <summary>The TC program's name.</summary>
    public const string TcProgram = "guard_tc";
    /// <summary>IPv4 any-scope prefix rules (LPM).</summary>
    public const string Rules4 = "guard_rules4";
    /// <summary>IPv6 any-scope prefix rules (LPM).</summary>
    public const string Rules6 = "guard_rules6";
    /// <summary>IPv4 exact addresses (hash).</summary>
    public const string Exact4 = "guard_exact4";
    /// <summary>IPv6 exact addresses (hash).</summary>
    public const string Exact6 = "guard_exact6";
    /// <summary>IPv4 protocol/port rules (LPM).</summary>
    public const string Ports4 = "guard_ports4";
    /// <summary>IPv6 protocol/port rules (LPM).</summary>
    public const string Ports6 = "guard_ports6";
    /// <summary>The two configuration slots.</summary>
    public const string Config = "guard_config";
    /// <summary>The active configuration slot.</summary>
    public const string ConfigSelect = "guard_cfg_sel";
    /// <summary>Per-source rate state (LRU).</summary>
    public const string Sources = "guard_sources";
    /// <summary>Temporary blocks (plain hash: a flood cannot evict them).</summary>
    public const string Blocks = "guard_blocks";
    /// <summary>Per-CPU counters per reason.</summary>
    public const string Stats = "guard_stats";
    /// <summary>Sampled drops (ring buffer).</summary>
    public const string Events = "guard_events";
    /// <summary>TC per-source connection slots (LRU). Renamed from guard_conns when its value became slots, so
    /// `upgrade` of an older guard makes a new map instead of failing on the old pin (detach removes both).</summary>
    public const string Connections = "guard_slots";
    /// <summary>TC tracked flows (LRU); renamed from guard_flows when its value grew, like <see cref="Connections"/>.</summary>
    public const string Flows = "guard_tcp_flows";
    /// <summary>The pinned XDP link.</summary>
    public const string XdpLink = "xdp_link";
    /// <summary>The pinned TC link (TCX) or, for cls_bpf, absent.</summary>
    public const string TcLink = "tc_link";
}

namespace Sluice.Programs.Guard;

/// <summary>
/// The names of the guard's objects, maps and programs (bpf/include/guard_maps.h), which are also their pin names.
/// They come from the objects' generated classes: a map renamed in C is a compile error here, not a missing pin at run time.
/// Both objects declare every map (GuardAbiTests checks it); the names are taken from the XDP object's.
/// </summary>
public static class GuardMapNames
{
    /// <summary>The XDP stage object (embedded resource).</summary>
    public const string XdpObject = GuardXdpObject.ResourceName;
    /// <summary>The TC stage object (embedded resource).</summary>
    public const string TcObject = GuardTcObject.ResourceName;
    /// <summary>The XDP program's name.</summary>
    public const string XdpProgram = GuardXdpObject.ProgramNames.GuardXdp;
    /// <summary>The TC program's name.</summary>
    public const string TcProgram = GuardTcObject.ProgramNames.GuardTc;
    /// <summary>IPv4 any-scope prefix rules (LPM).</summary>
    public const string Rules4 = GuardXdpObject.MapNames.GuardRules4;
    /// <summary>IPv6 any-scope prefix rules (LPM).</summary>
    public const string Rules6 = GuardXdpObject.MapNames.GuardRules6;
    /// <summary>IPv4 exact addresses (hash).</summary>
    public const string Exact4 = GuardXdpObject.MapNames.GuardExact4;
    /// <summary>IPv6 exact addresses (hash).</summary>
    public const string Exact6 = GuardXdpObject.MapNames.GuardExact6;
    /// <summary>IPv4 protocol/port rules (LPM).</summary>
    public const string Ports4 = GuardXdpObject.MapNames.GuardPorts4;
    /// <summary>IPv6 protocol/port rules (LPM).</summary>
    public const string Ports6 = GuardXdpObject.MapNames.GuardPorts6;
    /// <summary>The two configuration slots.</summary>
    public const string Config = GuardXdpObject.MapNames.GuardConfig;
    /// <summary>The active configuration slot.</summary>
    public const string ConfigSelect = GuardXdpObject.MapNames.GuardCfgSel;
    /// <summary>Per-source rate state (LRU).</summary>
    public const string Sources = GuardXdpObject.MapNames.GuardSources;
    /// <summary>Temporary blocks (plain hash: a flood cannot evict them).</summary>
    public const string Blocks = GuardXdpObject.MapNames.GuardBlocks;
    /// <summary>Per-CPU counters per reason.</summary>
    public const string Stats = GuardXdpObject.MapNames.GuardStats;
    /// <summary>Sampled drops (ring buffer).</summary>
    public const string Events = GuardXdpObject.MapNames.GuardEvents;
    /// <summary>TC per-source connection slots (LRU). Renamed from guard_conns when its value became slots, so
    /// `upgrade` of an older guard makes a new map instead of failing on the old pin (detach removes both).</summary>
    public const string Connections = GuardXdpObject.MapNames.GuardSlots;
    /// <summary>TC tracked flows (LRU); renamed from guard_flows when its value grew, like <see cref="Connections"/>.</summary>
    public const string Flows = GuardXdpObject.MapNames.GuardTcpFlows;
    /// <summary>The pinned XDP link.</summary>
    public const string XdpLink = "xdp_link";
    /// <summary>The pinned TC link (TCX) or, for cls_bpf, absent.</summary>
    public const string TcLink = "tc_link";
}

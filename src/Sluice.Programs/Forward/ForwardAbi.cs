namespace Sluice.Programs.Forward;

// struct forward_counter, struct forward_config (ForwardConfigValue) and enum forward_mode are generated from the
// object's BTF (namespace Sluice.Programs). enum forward_stat only indexes a u32-keyed array, so clang leaves it out
// of BTF: it stays here, with its meaning.

/// <summary>What the forwarder did with a frame (enum forward_stat); the index of its counter.</summary>
public enum ForwardStat
{
    /// <summary>L2: sent to the ingress port's egress port.</summary>
    Redirect = 0,
    /// <summary>L2: group address, sent to every port of the group but the ingress one.</summary>
    Flood = 1,
    /// <summary>Router: rewritten and sent out of the FIB's port.</summary>
    Route = 2,
    /// <summary>Sent to another CPU through the CPUMAP, which forwards it.</summary>
    Steer = 3,
    /// <summary>L2: the ingress port has no egress port (to the stack).</summary>
    PassNoPort = 4,
    /// <summary>Router: ICMP / ICMPv6, left to the stack.</summary>
    PassIcmp = 5,
    /// <summary>Router: TTL / hop limit would expire (the stack answers with time exceeded).</summary>
    PassTtl = 6,
    /// <summary>Router: route found, neighbour unresolved (the stack resolves it).</summary>
    PassNoNeighbour = 7,
    /// <summary>Router: no route, a local address, blackhole, fragmentation needed, or the egress is not a port.</summary>
    PassFibMiss = 8,
    /// <summary>Router: not IP, VLAN-tagged, group address, IPv6 hop-by-hop, malformed.</summary>
    PassOther = 9,
    /// <summary>Frames the CPUMAP program ran on (per CPU: where steered flows landed).</summary>
    CpuReceived = 10,
}

/// <summary>Names of the forward object, programs and maps (bpf/forward.bpf.c), which are also their pin names.</summary>
public static class ForwardNames
{
    /// <summary>The embedded object.</summary>
    public const string Object = ForwardObject.ResourceName;
    /// <summary>The program on every port.</summary>
    public const string Program = ForwardObject.ProgramNames.ForwardXdp;
    /// <summary>The CPUMAP program (runs on the CPU a flow is steered to).</summary>
    public const string CpuProgram = ForwardObject.ProgramNames.ForwardCpu;
    /// <summary>fwd_config.</summary>
    public const string Config = ForwardObject.MapNames.FwdConfig;
    /// <summary>L2 pairs: ingress ifindex -> egress port (DEVMAP_HASH).</summary>
    public const string L2 = ForwardObject.MapNames.FwdL2;
    /// <summary>The flood group (DEVMAP_HASH).</summary>
    public const string Flood = ForwardObject.MapNames.FwdFlood;
    /// <summary>Every port (DEVMAP_HASH): where the router may send.</summary>
    public const string Ports = ForwardObject.MapNames.FwdPorts;
    /// <summary>The CPUMAP.</summary>
    public const string CpuMap = ForwardObject.MapNames.FwdCpumap;
    /// <summary>The CPUs flows are spread over.</summary>
    public const string Cpus = ForwardObject.MapNames.FwdCpus;
    /// <summary>Per-CPU counters per <see cref="ForwardStat"/>.</summary>
    public const string Stats = ForwardObject.MapNames.FwdStats;
    /// <summary>Each port's pinned XDP link: &lt;netns dir&gt;/&lt;port&gt;/xdp_link.</summary>
    public const string Link = "xdp_link";
    /// <summary>Where every forwarder's pins live: &lt;root&gt;/&lt;netns&gt;/.</summary>
    public const string DefaultRoot = "/sys/fs/bpf/sluice/forward";
    /// <summary>FORWARD_MAX_PORTS.</summary>
    public const int MaxPorts = 64;
    /// <summary>FORWARD_MAX_CPUS.</summary>
    public const int MaxCpus = 64;
    /// <summary>Frames each steering CPU's CPUMAP queue holds.</summary>
    public const uint CpuQueueSize = 2048;
}

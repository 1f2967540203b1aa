namespace Sluice.Programs.Echo;

// struct echo_counter is generated from the object's BTF (Sluice.Programs.EchoCounter). enum echo_stat only indexes
// a u32-keyed array, so clang leaves it out of BTF: it stays here, with its meaning.

/// <summary>What happened to a frame (enum echo_stat in bpf/include/echo.h); the index of its counter.</summary>
public enum EchoStat
{
    /// <summary>ICMP echo request answered.</summary>
    Icmp4 = 0,
    /// <summary>ICMPv6 echo request answered.</summary>
    Icmp6 = 1,
    /// <summary>UDP datagram to an echo port sent back (IPv4).</summary>
    Udp4 = 2,
    /// <summary>UDP datagram to an echo port sent back (IPv6).</summary>
    Udp6 = 3,
    /// <summary>Anything else, handed to the stack.</summary>
    Passed = 4,
}

/// <summary>The names of the echo object, program and maps (bpf/echo.bpf.c), which are also their pin names.</summary>
public static class EchoNames
{
    /// <summary>The embedded object.</summary>
    public const string Object = EchoObject.ResourceName;
    /// <summary>The XDP program.</summary>
    public const string Program = EchoObject.ProgramNames.EchoXdp;
    /// <summary>UDP echo ports (hash, host-order port -> 1).</summary>
    public const string UdpPorts = EchoObject.MapNames.EchoUdpPorts;
    /// <summary>Per-CPU counters per <see cref="EchoStat"/>.</summary>
    public const string Stats = EchoObject.MapNames.EchoStats;
    /// <summary>The pinned XDP link.</summary>
    public const string Link = "xdp_link";
    /// <summary>The pinned link of xdp_pass on a veth peer (when attach put it there).</summary>
    public const string PeerLink = "peer_xdp_link";
    /// <summary>Where every echo's pins live: &lt;root&gt;/&lt;netns&gt;/&lt;interface&gt;/.</summary>
    public const string DefaultRoot = "/sys/fs/bpf/sluice/echo";
    /// <summary>The most UDP echo ports (ECHO_MAX_UDP_PORTS).</summary>
    public const int MaxUdpPorts = 256;
}

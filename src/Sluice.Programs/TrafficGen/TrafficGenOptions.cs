using System.Net;
using System.Net.NetworkInformation;

namespace Sluice.Programs.TrafficGen;

/// <summary>What each generated frame carries.</summary>
public enum TrafficProtocol
{
    /// <summary>UDP datagrams whose payload (zeros) fills the frame.</summary>
    Udp,
    /// <summary>TCP SYNs (no options); frames longer than the headers are padded after the IP packet.</summary>
    TcpSyn,
}

/// <summary>How frames reach the interface.</summary>
public enum TrafficEngine
{
    /// <summary>Live frames where the kernel has them (Linux 5.18), else the packet socket.</summary>
    Auto,
    /// <summary>BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: an XDP program stamps each frame and redirects it out of the device.</summary>
    LiveFrames,
    /// <summary>An AF_PACKET socket with sendmmsg (qdisc bypassed): slower, works everywhere.</summary>
    PacketSocket,
}

/// <summary>
/// A bounded run of the traffic generator: frames out of <see cref="Interface"/> (in <see cref="Namespace"/>), to
/// <see cref="Destination"/>, from <see cref="Source"/>, ending at <see cref="Count"/> frames or after
/// <see cref="Duration"/>, whichever comes first (at least one must be set).
/// </summary>
public sealed record TrafficGenOptions
{
    /// <summary>The default frame size in bytes (Ethernet header included, no FCS): the 64-byte minimum frame less its 4-byte FCS.</summary>
    public const int DefaultFrameSize = 60;

    /// <summary>The largest frame: a 1500-byte MTU plus the Ethernet header.</summary>
    public const int MaxFrameSize = 1514;

    /// <summary>Creates options for frames out of <paramref name="interfaceName"/> to <paramref name="destination"/>.</summary>
    public TrafficGenOptions(string interfaceName, IPEndPoint destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentNullException.ThrowIfNull(destination);
        Interface = interfaceName;
        Destination = destination;
    }

    /// <summary>Parses a destination <c>IP[:PORT]</c> (IPv6 with a port: <c>[ADDR]:PORT</c>); no port means 9 (discard).</summary>
    /// <exception cref="TrafficGenException">Malformed (<see cref="TrafficGenError.BadValue"/>).</exception>
    public static IPEndPoint ParseDestination(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (address, port) = SourceRange.SplitPort(text);
        var ip = SourceRange.ParseAddress(address, text);
        if (port is null) return new IPEndPoint(ip, 9);
        var (first, count) = SourceRange.ParsePorts(port, text);
        return count == 1 ? new IPEndPoint(ip, first) : throw new TrafficGenException(TrafficGenError.BadValue, $"destination '{text}' takes one port, not a range");
    }

    /// <summary>The interface the frames leave through.</summary>
    public string Interface { get; }

    /// <summary>The network namespace (name under /var/run/netns) of <see cref="Interface"/>; null: the caller's.</summary>
    public string? Namespace { get; init; }

    /// <summary>The destination address and port (port 0 is sent as 9, discard).</summary>
    public IPEndPoint Destination { get; }

    /// <summary>The destination MAC; null looks the destination up in the neighbour table (resolving it first if needed).</summary>
    public PhysicalAddress? DestinationMac { get; init; }

    /// <summary>The sources; null: the interface's first address of the destination's family, ephemeral ports.</summary>
    public SourceRange? Source { get; init; }

    /// <summary>UDP or TCP SYN.</summary>
    public TrafficProtocol Protocol { get; init; } = TrafficProtocol.Udp;

    /// <summary>Frame size in bytes (Ethernet header included, no FCS); null: 60, or the headers' size when larger.</summary>
    public int? FrameSize { get; init; }

    /// <summary>Stop after this many frames.</summary>
    public long? Count { get; init; }

    /// <summary>Stop after this long.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Frames per second to pace to; 0: as fast as the kernel takes them. Frames leave in bursts of 10 ms worth, never
    /// ahead of the schedule; frames a stall delayed (a late wake-up on a busy machine) are sent as soon as the
    /// generator runs again, in bursts of at most 100 ms worth, so the average rate holds unless the machine withholds
    /// the CPU near the end of the run (<see cref="TrafficGenResult.CpuWait"/> shows how long it did).
    /// </summary>
    public long PacketsPerSecond { get; init; }

    /// <summary>Live frames, packet socket, or the best available.</summary>
    public TrafficEngine Engine { get; init; } = TrafficEngine.Auto;

    /// <summary>Frames per kernel flush in live-frames mode (1-256; 0: the kernel's 64).</summary>
    public int BatchSize { get; init; }

    /// <summary>Allow addresses outside 198.18.0.0/15 and fd00::/8 (only for networks you own).</summary>
    public bool AllowAnyAddress { get; init; }
}

/// <summary>What a generator run did.</summary>
/// <param name="Engine">The engine that sent (never <see cref="TrafficEngine.Auto"/>).</param>
/// <param name="PacketsSent">Frames handed to the kernel for transmission.</param>
/// <param name="Elapsed">Time from the first frame to the last.</param>
/// <param name="Device">The sending interface's counters over the run (for veth, TxPackets counts frames the peer took).</param>
/// <param name="FallbackReason">Why live frames were not used, when <see cref="TrafficEngine.Auto"/> fell back; else null.</param>
public sealed record TrafficGenResult(TrafficEngine Engine, long PacketsSent, TimeSpan Elapsed, Sluice.Bpf.InterfaceCounters Device, string? FallbackReason)
{
    /// <summary>Frames per second over the run.</summary>
    public double PacketsPerSecond => Elapsed > TimeSpan.Zero ? PacketsSent / Elapsed.TotalSeconds : 0;

    /// <summary>
    /// Time the sending thread spent on a CPU over <see cref="Elapsed"/>: its own work plus the kernel's in the send
    /// calls (with live frames, running the frame writer and transmitting; on veth also the receiver's softirq work
    /// when it runs on the way out of the call). Null where the kernel keeps no per-thread accounting
    /// (/proc/thread-self/schedstat, CONFIG_SCHED_INFO).
    /// </summary>
    public TimeSpan? CpuTime { get; init; }

    /// <summary>
    /// Time the sending thread was ready to send but waited for a CPU (other work on the machine) over
    /// <see cref="Elapsed"/>. When it is a noticeable share of <see cref="Elapsed"/>, the rate is the machine's limit,
    /// not the generator's. Null where the kernel keeps no per-thread accounting.
    /// </summary>
    public TimeSpan? CpuWait { get; init; }

    /// <summary>Frames per second of <see cref="CpuTime"/>: the rate the sending thread would reach with a CPU of its own.</summary>
    public double? PacketsPerCpuSecond => CpuTime is { } cpu && cpu > TimeSpan.Zero ? PacketsSent / cpu.TotalSeconds : null;
}

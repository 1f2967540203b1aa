using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.TrafficGen;

namespace Sluice.Lab.Traffic;

/// <summary>
/// A bounded SYN or UDP flood from spoofed source addresses: the product's traffic generator
/// (<see cref="TrafficGenerator"/>) aimed through the interface the namespace routes the target through. Sources walk
/// the whole range in order, source ports the ephemeral range. For tests and demos of the guard: only test addresses
/// are accepted (<see cref="TestAddresses"/>).
/// </summary>
/// <remarks>
/// Needs root. <see cref="Run(CancellationToken)"/> blocks its thread; <see cref="Start"/> gives the flood a thread of
/// its own. <see cref="PacketsSent"/> may be read from any thread while the flood runs (live views).
/// </remarks>
public sealed class SpoofedFlood
{
    private TrafficGenerator? _generator;

    /// <summary>Prepares a flood; nothing is sent until <see cref="Run(CancellationToken)"/> or <see cref="Start"/>.</summary>
    public SpoofedFlood(FloodOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>What the flood sends and when it stops.</summary>
    public FloodOptions Options { get; }

    /// <summary>Packets sent so far.</summary>
    public long PacketsSent => Volatile.Read(ref _generator)?.PacketsSent ?? 0;

    /// <summary>Sends the flood from the calling thread's network namespace; returns when a limit is reached.</summary>
    /// <exception cref="InvalidOperationException">No interface of this namespace routes to the target.</exception>
    public FloodResult Run(CancellationToken cancellationToken = default)
    {
        var options = Options;
        int headers = 14 + (options.Target.AddressFamily == AddressFamily.InterNetworkV6 ? 40 : 20);
        var generator = new TrafficGenerator(new TrafficGenOptions(RouteInterface(options.Target.Address), options.Target)
        {
            Source = SourceRange.FromNetwork(options.Sources),
            Protocol = options.Kind == FloodKind.Syn ? TrafficProtocol.TcpSyn : TrafficProtocol.Udp,
            FrameSize = options.Kind == FloodKind.Syn ? headers + 20 : headers + 8 + options.PayloadLength,
            Count = options.MaxPackets,
            Duration = options.MaxDuration,
            PacketsPerSecond = options.PacketsPerSecond,
            // Ordinary skbs (the generator's packet-socket engine) reach a receiver in any XDP mode, native, generic
            // or none; XDP frames need a native program or GRO there, and concurrent floods would blur the check
            // the generator makes for that. Tests of the live-frames path use TrafficGenerator directly.
            Engine = TrafficEngine.PacketSocket,
        });
        Volatile.Write(ref _generator, generator);
        var result = generator.Run(cancellationToken);
        return new FloodResult(options.Kind, result.PacketsSent, result.Elapsed);
    }

    /// <summary>Sends the flood from inside <paramref name="netns"/> (on a dedicated thread); returns when done.</summary>
    public FloodResult Run(NetworkNamespace netns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(netns);
        return netns.Run(() => Run(cancellationToken));
    }

    /// <summary>Starts the flood on a dedicated thread, inside <paramref name="netns"/> when given, and returns at once.</summary>
    public Task<FloodResult> Start(NetworkNamespace? netns, CancellationToken cancellationToken = default) =>
        TrafficThread.Start(netns, $"{Options.Kind} flood", () => Run(cancellationToken));

    /// <summary>The interface this thread's namespace sends <paramref name="destination"/>'s traffic through (the owner of the route's source address).</summary>
    private static string RouteInterface(IPAddress destination)
    {
        using var probe = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(destination, 9));
        var source = ((IPEndPoint)probe.LocalEndPoint!).Address;
        return NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(i => i.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(source)))?.Name
            ?? throw new InvalidOperationException($"no interface here owns {source}, the source address of the route to {destination}");
    }
}

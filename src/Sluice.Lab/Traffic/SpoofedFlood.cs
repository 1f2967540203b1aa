using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>
/// A bounded SYN or UDP flood from spoofed source addresses, sent through a raw IP socket (the kernel adds the
/// Ethernet header and routes by destination, so the target must be reachable from the namespace the flood runs in).
/// For tests and demos of the guard: only test addresses are accepted (<see cref="TestAddresses"/>).
/// </summary>
/// <remarks>
/// Raw sockets need CAP_NET_RAW. <see cref="Run(CancellationToken)"/> blocks its thread; <see cref="Start"/> gives the flood a thread of
/// its own. <see cref="PacketsSent"/> may be read from any thread while the flood runs (live views).
/// </remarks>
public sealed class SpoofedFlood
{
    private long _sent;
    private long _errors;

    /// <summary>Prepares a flood; nothing is sent until <see cref="Run(CancellationToken)"/> or <see cref="Start"/>.</summary>
    public SpoofedFlood(FloodOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>What the flood sends and when it stops.</summary>
    public FloodOptions Options { get; }

    /// <summary>Packets the kernel accepted so far.</summary>
    public long PacketsSent => Interlocked.Read(ref _sent);

    /// <summary>Sends the kernel refused so far (the packet never left).</summary>
    public long SendErrors => Interlocked.Read(ref _errors);

    /// <summary>Sends the flood from the calling thread's network namespace; returns when a limit is reached.</summary>
    /// <exception cref="SocketException">The raw socket cannot be opened (no CAP_NET_RAW) or the target is unreachable.</exception>
    public FloodResult Run(CancellationToken cancellationToken = default)
    {
        var options = Options;
        var family = options.Target.AddressFamily;
        using var socket = new Socket(family, SocketType.Raw, ProtocolType.Raw);
        if (family == AddressFamily.InterNetwork)
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
        var destination = new IPEndPoint(options.Target.Address, 0).Serialize();
        var packet = new SpoofedPacket(options.Kind, options.Target, options.PayloadLength);
        var random = options.Seed is { } seed ? new Random(seed) : new Random();
        byte[] sourceBase = options.Sources.BaseAddress.GetAddressBytes();
        long attempts = 0;
        var clock = Stopwatch.StartNew();
        while (attempts < options.MaxPackets && clock.Elapsed < options.MaxDuration && !cancellationToken.IsCancellationRequested)
        {
            TrafficThread.Pace(clock, attempts, options.PacketsPerSecond);
            var bytes = packet.Next(options.Sources, sourceBase, random, (ushort)attempts);
            attempts++;
            try
            {
                socket.SendTo(bytes, SocketFlags.None, destination);
                Interlocked.Increment(ref _sent);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
            {
                // The device queue is full: this packet never left. Count it and let the queue drain a little.
                Interlocked.Increment(ref _errors);
                Thread.Sleep(1);
            }
        }
        return new FloodResult(options.Kind, PacketsSent, SendErrors, clock.Elapsed);
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
}

using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Programs.TrafficGen;

/// <summary>
/// The packet generator: bounded runs of UDP or TCP SYN frames (IPv4 or IPv6, source ranges) out of one interface,
/// through the kernel's live-frames fast path (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18: an XDP
/// program stamps each frame and redirects it out) or, where that is missing, an AF_PACKET socket. Exact counts,
/// optional pacing. Only test addresses (198.18.0.0/15, fd00::/8) unless explicitly allowed.
/// </summary>
/// <remarks>
/// On veth, frames sent as XDP frames reach the peer only when the peer has an XDP program (or GRO) to receive them;
/// <see cref="TrafficGenResult.Device"/> shows what the device counted. Needs root (bpf(), setns, raw sockets).
/// </remarks>
public sealed class TrafficGenerator
{
    private const long ProbeFrames = 8;
    private const long FirstUnpacedCall = 4096;
    private const long MaxCall = 1 << 24;
    /// <summary>How long one unpaced send call aims to last (also how late a cancellation can be noticed).</summary>
    private static readonly TimeSpan UnpacedCall = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(200);
    private long _sent;

    /// <summary>Checks the options that need no kernel; nothing is sent until <see cref="Run"/> or <see cref="Start"/>.</summary>
    /// <exception cref="TrafficGenException">Unbounded, an address outside the test ranges, mixed families, bad rate or batch.</exception>
    public TrafficGenerator(TrafficGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;
    }

    /// <summary>The run's options.</summary>
    public TrafficGenOptions Options { get; }

    /// <summary>Frames sent so far (readable from any thread while the run goes on).</summary>
    public long PacketsSent => Interlocked.Read(ref _sent);

    /// <summary>Runs to the end (count, duration or cancellation) and reports what was sent.</summary>
    /// <exception cref="TrafficGenException">The run cannot start (no MAC for the destination, no source address, ...).</exception>
    /// <exception cref="BpfAttachException">The interface or namespace does not exist.</exception>
    public TrafficGenResult Run(CancellationToken cancellationToken = default)
    {
        using var netns = Options.Namespace is { } name ? NetworkNamespace.Open(name) : NetworkNamespace.Current();
        // The whole run happens on one thread inside the namespace: the live-frames run and the packet socket both
        // act in the calling thread's namespace.
        return netns.Run(() => RunHere(cancellationToken));
    }

    /// <summary>Starts the run on a thread of its own and returns at once.</summary>
    public Task<TrafficGenResult> Start(CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private TrafficGenResult RunHere(CancellationToken cancellationToken)
    {
        var options = Options;
        using var here = NetworkNamespace.Current();
        int interfaceIndex = here.GetInterfaceIndex(options.Interface);
        var sourceMac = LinkLayerAddresses.OfInterface(interfaceIndex);
        var source = options.Source ?? DefaultSource(options);
        RequireTestAddress(source.First, options);
        RequireTestAddress(source.Last, options);
        var destinationMac = options.DestinationMac ?? ResolveDestinationMac(interfaceIndex, options);
        var frame = new TrafficFrame(sourceMac, destinationMac, source, options.Destination, options.Protocol, options.FrameSize);

        var before = InterfaceCounters.Read(options.Interface);
        var (sender, engine, fallback, probed) = OpenSender(frame, interfaceIndex, options);
        using (sender)
        {
            // The clock starts after the engine is open: loading the program and probing are not sending time.
            var schedule = ThreadSchedule.Read();
            var clock = Stopwatch.StartNew();
            long sent = Pump(sender, options, clock, probed, cancellationToken);
            clock.Stop();
            var used = ThreadSchedule.Read() is { } end && schedule is { } start ? end.Since(start) : (ThreadSchedule?)null;
            var device = InterfaceCounters.Read(options.Interface).Since(before);
            return new TrafficGenResult(engine, sent, clock.Elapsed, device, fallback) { CpuTime = used?.OnCpu, CpuWait = used?.Waiting };
        }
    }

    private long Pump(IFrameSender sender, TrafficGenOptions options, Stopwatch clock, long sent, CancellationToken cancellationToken)
    {
        long limit = options.Count ?? long.MaxValue;
        var duration = options.Duration ?? TimeSpan.MaxValue;
        long pps = options.PacketsPerSecond;
        // Paced, a call sends whatever is due once a tick's worth (10 ms) is: a call per frame would make the fixed
        // cost of each call (below) the generator's main work at low rates. After a stall (a late wake-up, no CPU for
        // a while) the backlog goes out at once, up to 100 ms worth per call, so the run keeps its average rate and
        // ends on time. Frame n never leaves before n / rate seconds. Unpaced, each call
        // is sized to last about UnpacedCall: every live-frames call pays a fixed cost (the kernel sets up and tears
        // down a page pool: ~1 ms of CPU and a few ms off the CPU per call, measured, bench/README.md), which 5 ms
        // calls turned into half the run. Shorter when the duration is nearly up.
        // The first unpaced call measures the rate; without a duration to keep it can be long enough (~10 ms) that the
        // run needs one call fewer.
        long first = options.Duration is null ? FirstUnpacedCall * 16 : FirstUnpacedCall;
        long chunk = pps > 0 ? Math.Max(1, pps / 10) : first, tick = Math.Max(1, pps / 100);
        double rate = 0;
        Interlocked.Exchange(ref _sent, sent);
        while (sent < limit && clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            long want = Math.Min(limit - sent, chunk);
            if (pps > 0)
            {
                long due = (long)(clock.Elapsed.TotalSeconds * pps) + 1 - sent, need = Math.Min(tick, limit - sent);
                if (due < need)
                {
                    // Asleep until the tick is due (frame sent + need - 1 leaves at (sent + need - 1) / rate): one
                    // wake-up per tick, not a poll. At most 100 ms at a time, and not past the duration.
                    var nap = TimeSpan.FromSeconds((sent + need - 1) / (double)pps) - clock.Elapsed;
                    if (duration != TimeSpan.MaxValue && duration - clock.Elapsed < nap) nap = duration - clock.Elapsed;
                    Thread.Sleep(TimeSpan.FromMilliseconds(Math.Clamp(nap.TotalMilliseconds, 1, 100)));
                    continue;
                }
                want = Math.Min(want, due);
            }
            else if (rate > 0 && duration != TimeSpan.MaxValue)
            {
                want = Math.Min(want, Math.Max(1, (long)(rate * (duration - clock.Elapsed).TotalSeconds)));
            }
            long started = clock.ElapsedTicks;
            long took = sender.Send(want);
            sent += took;
            Interlocked.Exchange(ref _sent, sent);
            if (pps == 0)
            {
                double seconds = (clock.ElapsedTicks - started) / (double)Stopwatch.Frequency;
                if (seconds > 0 && took > 0)
                {
                    rate = took / seconds;
                    chunk = Math.Clamp((long)(rate * UnpacedCall.TotalSeconds), FirstUnpacedCall, MaxCall);
                }
            }
        }
        return sent;
    }

    /// <summary>Opens the engine; live frames are proven by sending the sequence's first frames (returned as <c>Sent</c>).</summary>
    private static (IFrameSender Sender, TrafficEngine Engine, string? Fallback, long Sent) OpenSender(
        TrafficFrame frame, int interfaceIndex, TrafficGenOptions options)
    {
        if (options.Engine == TrafficEngine.PacketSocket)
            return (new PacketSocketSender(frame, PacketSocket.Open(options.Interface)), TrafficEngine.PacketSocket, null, 0);
        LiveFramesSender? live = null;
        try
        {
#pragma warning disable CA2000 // the sender owns the loaded writer and disposes it with itself
            live = new LiveFramesSender(frame, TrafficFrameWriter.Load(frame), interfaceIndex, options.BatchSize);
#pragma warning restore CA2000
            var before = InterfaceCounters.Read(options.Interface);
            long probe = Math.Min(options.Count ?? ProbeFrames, ProbeFrames), sent = 0;
            while (sent < probe) sent += live.Send(probe - sent);
            // A device can take XDP frames and lose them without a trace: veth does when its peer has neither an XDP
            // program nor GRO to receive them. The probe frames must show up in the device's transmit counter.
            if (!WaitForTransmitted(options.Interface, before.TxPackets + (ulong)probe))
            {
                live.Dispose();
                const string reason = "the device did not transmit the XDP frames it was given (on veth: the peer has no XDP program or GRO to receive them)";
                if (options.Engine == TrafficEngine.LiveFrames) throw new TrafficGenException(TrafficGenError.XdpFramesDropped, reason);
                return (new PacketSocketSender(frame, PacketSocket.Open(options.Interface)), TrafficEngine.PacketSocket, reason, 0);
            }
            return (live, TrafficEngine.LiveFrames, null, sent);
        }
        catch (BpfException error) when (options.Engine == TrafficEngine.Auto)
        {
            live?.Dispose();
            return (new PacketSocketSender(frame, PacketSocket.Open(options.Interface)), TrafficEngine.PacketSocket, error.Message, 0);
        }
        catch (BpfException error)
        {
            live?.Dispose();
            throw new TrafficGenException(TrafficGenError.LiveFramesUnsupported, $"live frames are not available: {error.Message}", error);
        }
    }

    private static bool WaitForTransmitted(string interfaceName, ulong packets)
    {
        var clock = Stopwatch.StartNew();
        while (InterfaceCounters.Read(interfaceName).TxPackets < packets)
        {
            if (clock.Elapsed > ProbeTimeout) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    private static SourceRange DefaultSource(TrafficGenOptions options)
    {
        var family = options.Destination.AddressFamily;
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(i => i.Name == options.Interface)?
            .GetIPProperties().UnicastAddresses
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == family && !a.IsIPv6LinkLocal);
        return address is null
            ? throw new TrafficGenException(TrafficGenError.NoSourceAddress,
                $"interface {options.Interface} has no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address to send from; give a source")
            : new SourceRange(address);
    }

    private static PhysicalAddress ResolveDestinationMac(int interfaceIndex, TrafficGenOptions options)
    {
        var destination = options.Destination.Address;
        if (LinkLayerAddresses.FindNeighbour(interfaceIndex, destination) is { } known) return known;
        // One ordinary datagram makes the kernel resolve the neighbour (ARP / neighbour discovery).
        using (var probe = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            try
            {
                probe.SendTo([0], new IPEndPoint(destination, 9));
            }
            catch (SocketException)
            {
                // Unreachable from here: the lookup below reports it.
            }
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ResolveTimeout)
        {
            Thread.Sleep(20);
            if (LinkLayerAddresses.FindNeighbour(interfaceIndex, destination) is { } resolved) return resolved;
        }
        throw new TrafficGenException(TrafficGenError.NoDestinationMac,
            $"no MAC address for {destination} on {options.Interface} (not a resolvable neighbour there); give the destination MAC");
    }

    private static void Validate(TrafficGenOptions options)
    {
        if (options.Count is null && options.Duration is null)
            throw new TrafficGenException(TrafficGenError.Unbounded, "the run needs a bound: a packet count, a duration or both");
        if (options.Count is <= 0)
            throw new TrafficGenException(TrafficGenError.BadValue, $"packet count {options.Count} must be positive");
        if (options.Duration is { } d && d <= TimeSpan.Zero)
            throw new TrafficGenException(TrafficGenError.BadValue, $"duration {d.TotalSeconds} s must be positive");
        if (options.PacketsPerSecond < 0)
            throw new TrafficGenException(TrafficGenError.BadValue, $"rate {options.PacketsPerSecond} packets/s must not be negative");
        if (options.BatchSize is < 0 or > BpfProgram.MaxLiveFramesBatch)
            throw new TrafficGenException(TrafficGenError.BadValue, $"batch size {options.BatchSize} is outside 1-{BpfProgram.MaxLiveFramesBatch}");
        RequireTestAddress(options.Destination.Address, options);
        if (options.Source is { } source)
        {
            if (source.First.AddressFamily != options.Destination.AddressFamily)
                throw new TrafficGenException(TrafficGenError.MixedAddressFamilies,
                    $"source {source.First} and destination {options.Destination.Address} are different address families");
            RequireTestAddress(source.First, options);
            RequireTestAddress(source.Last, options);
        }
    }

    private static void RequireTestAddress(IPAddress address, TrafficGenOptions options)
    {
        if (!options.AllowAnyAddress && !TestAddresses.Contains(address))
            throw new TrafficGenException(TrafficGenError.AddressNotAllowed,
                $"{address} is outside the test ranges 198.18.0.0/15 and fd00::/8 (allow other addresses explicitly, for networks you own)");
    }
}

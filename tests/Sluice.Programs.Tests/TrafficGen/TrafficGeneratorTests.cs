using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Traffic;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.TrafficGen;

/// <summary>
/// The generator on a real veth pair: the receiver counts with the bench program in drop mode (its per-CPU counters)
/// and with its interface counters; both must see exactly the frames the generator says it sent.
/// </summary>
public sealed class TrafficGeneratorTests(ITestOutputHelper output)
{
    /// <summary>Every test frame goes to this port; the receiver counts only those (not the kernel's own IPv6 chatter).</summary>
    private const ushort Port = 9;

    [Theory]
    [InlineData(TrafficEngine.LiveFrames, "198.18.0.2:9", "198.18.0.10-198.18.0.50:2000-2009", TrafficProtocol.Udp)]
    [InlineData(TrafficEngine.LiveFrames, "[fd00::2]:9", "[fd00::10-fd00::30]:3000-3001", TrafficProtocol.TcpSyn)]
    [InlineData(TrafficEngine.PacketSocket, "198.18.0.2:9", "198.18.0.10-198.18.0.50", TrafficProtocol.TcpSyn)]
    [InlineData(TrafficEngine.PacketSocket, "[fd00::2]:9", "[fd00::10-fd00::30]:3000", TrafficProtocol.Udp)]
    public void SendsExactlyTheRequestedCount(TrafficEngine engine, string destination, string source, TrafficProtocol protocol)
    {
        Requires.Root();
        using var bed = new CountingPair(XdpBenchMode.Drop);
        var (veth, receiver, receiverNs) = (bed.Veth, bed.Receiver, bed.ReceiverNamespace);
        var before = InterfaceCounters.Read(veth.ReceiverInterface, receiverNs);
        var ambientBefore = receiver.Read().Other;
        const long count = 20_000;
        var result = new TrafficGenerator(new TrafficGenOptions(veth.SenderInterface, IPEndPoint.Parse(destination))
        {
            Namespace = veth.SenderNamespace,
            Source = SourceRange.Parse(source),
            Protocol = protocol,
            Count = count,
            Duration = TimeSpan.FromSeconds(60),
            Engine = engine,
        }).Run();

        Assert.Equal(engine, result.Engine);
        Assert.Equal(count, result.PacketsSent);
        // The sending device counted them too (plus whatever its own stack sent meanwhile, e.g. IPv6 chatter).
        Assert.InRange(result.Device.TxPackets, (ulong)count, (ulong)count + 20);
        var seen = WaitForCount(receiver, (ulong)count);
        var interfaceDelta = InterfaceCounters.Read(veth.ReceiverInterface, receiverNs).Since(before);
        Assert.Equal((ulong)count, seen.Drop);
        // The interface counted the same frames, plus the ambient ones (IPv6 chatter) the program saw and left alone;
        // one more may slip between the two readings.
        Assert.InRange(interfaceDelta.RxPackets - (seen.Other - ambientBefore), (ulong)count, (ulong)count + 1);
    }

    [Fact]
    public void SendsTheCountAtTheRequestedRateAndStopsByItself()
    {
        Requires.Root();
        using var bed = new CountingPair(XdpBenchMode.Drop);
        var (veth, receiver) = (bed.Veth, bed.Receiver);
        const long count = 3000, rate = 2000;
        var result = new TrafficGenerator(new TrafficGenOptions(veth.SenderInterface, IPEndPoint.Parse("198.18.0.2:9"))
        {
            Namespace = veth.SenderNamespace,
            PacketsPerSecond = rate,
            Count = count,
            Duration = TimeSpan.FromMinutes(2), // a safety bound only: the count ends the run
        }).Run();

        // Exactly the count, and the receiver got every frame.
        Assert.Equal(count, result.PacketsSent);
        Assert.Equal((ulong)count, WaitForCount(receiver, (ulong)count).Drop);
        // Never ahead of the schedule (frame n leaves no earlier than n / rate), whatever the machine does: at most
        // the requested rate.
        Assert.True(result.Elapsed >= TimeSpan.FromSeconds((count - 1) / (double)rate),
            $"{count} frames at {rate}/s took only {result.Elapsed.TotalSeconds:0.000} s");
        // At the rate within 5 % where the machine allows. The pacer makes up for late wake-ups (it sends what is
        // due), so the run ends late only by how long the sending thread was kept from a CPU near its end, plus its
        // last call; 5 % of 1.5 s is 75 ms. The scheduler's own account of the thread (CpuWait, from
        // /proc/thread-self/schedstat) bounds the first: a run that waited under 50 ms in all must be within 5 %. On a
        // machine loaded beyond that (the shared 2-core box under a stress loop) the lower bound is not asserted, and
        // the output says so; the upper bound above holds everywhere.
        double achieved = result.PacketsPerSecond;
        Assert.InRange(achieved, 1, rate * 1.05);
        if (result.CpuWait is { } waited && waited < TimeSpan.FromMilliseconds(50))
            Assert.InRange(achieved, rate * 0.95, rate * 1.05);
        else
            output.WriteLine($"rate {achieved:0} /s not checked against {rate} - 5 %: the sending thread waited {result.CpuWait?.TotalMilliseconds:0} ms for a CPU");
    }

    [Fact]
    public void StopsByItselfAtTheDuration()
    {
        Requires.Root();
        using var bed = new CountingPair(XdpBenchMode.Drop);
        var (veth, receiver) = (bed.Veth, bed.Receiver);
        var result = new TrafficGenerator(new TrafficGenOptions(veth.SenderInterface, IPEndPoint.Parse("198.18.0.2:9"))
        {
            Namespace = veth.SenderNamespace,
            PacketsPerSecond = 2000,
            Duration = TimeSpan.FromSeconds(1.5),
        }).Run();

        // Stopped by the duration, never more frames than the rate allows in it (3,000 plus the one due at the start).
        Assert.InRange(result.PacketsSent, 1, 3001);
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(30));
        Assert.Equal((ulong)result.PacketsSent, WaitForCount(receiver, (ulong)result.PacketsSent).Drop);
    }

    [Fact]
    public void ResolvesTheDestinationMacAndTheSourceAddressFromTheKernel()
    {
        Requires.Root();
        using var bed = new CountingPair(XdpBenchMode.Pass);
        var (veth, receiver) = (bed.Veth, bed.Receiver);
        veth.InSender("ip", "neigh", "flush", "dev", veth.SenderInterface);
        veth.InSender("ip", "-6", "neigh", "flush", "dev", veth.SenderInterface);
        foreach (var destination in new[] { "198.18.0.2:9", "[fd00::2]:9" })
        {
            var result = new TrafficGenerator(new TrafficGenOptions(veth.SenderInterface, IPEndPoint.Parse(destination))
            {
                Namespace = veth.SenderNamespace,
                Count = 100,
            }).Run();
            Assert.Equal(100, result.PacketsSent);
        }
        // Frames with a wrong destination MAC would be dropped by the receiver's stack, not by XDP: the XDP counter
        // saw them all, and the receiver's stack took them as addressed to it (no "otherhost" drop of 200 frames).
        Assert.True(WaitForCount(receiver, 200).Pass >= 200);
    }

    [Fact]
    public void FallsBackToThePacketSocketWhenThePeerTakesNoXdpFrames()
    {
        Requires.Root();
        using var veth = new VethNamespaces();
        using var receiverNs = NetworkNamespace.Open(veth.ReceiverNamespace);
        // No XDP program on the receiving veth: XDP frames would be dropped there, so Auto must not use them...
        using var sink = UdpSink.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 9000), receiverNs);
        var options = new TrafficGenOptions(veth.SenderInterface, IPEndPoint.Parse("198.18.0.2:9000"))
        {
            Namespace = veth.SenderNamespace,
            Source = SourceRange.Parse("198.18.0.1:5000-5099"),
            Count = 500,
        };
        var result = new TrafficGenerator(options).Run();
        Assert.Equal(TrafficEngine.PacketSocket, result.Engine);
        Assert.Contains("XDP", result.FallbackReason, StringComparison.Ordinal);
        Assert.Equal(500, result.PacketsSent);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (sink.Received < 500 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Equal(500, sink.Received);
        // ...and when live frames are demanded, the run is refused instead of vanishing.
        var error = Assert.Throws<TrafficGenException>(() => new TrafficGenerator(options with { Engine = TrafficEngine.LiveFrames }).Run());
        Assert.Equal(TrafficGenError.XdpFramesDropped, error.Error);
    }

    [Theory]
    [InlineData("203.0.113.9:9", TrafficGenError.AddressNotAllowed)]
    [InlineData("2001:db8::1", TrafficGenError.AddressNotAllowed)]
    public void RefusesDestinationsOutsideTheTestRanges(string destination, TrafficGenError expected)
    {
        var error = Assert.Throws<TrafficGenException>(() =>
            new TrafficGenerator(new TrafficGenOptions("eth0", IPEndPoint.Parse(destination)) { Count = 1 }));
        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public void RefusesUnboundedRunsSpoofedRealSourcesAndMixedFamilies()
    {
        var target = IPEndPoint.Parse("198.18.0.2:9");
        Assert.Equal(TrafficGenError.Unbounded, Assert.Throws<TrafficGenException>(() =>
            new TrafficGenerator(new TrafficGenOptions("eth0", target))).Error);
        Assert.Equal(TrafficGenError.AddressNotAllowed, Assert.Throws<TrafficGenException>(() =>
            new TrafficGenerator(new TrafficGenOptions("eth0", target) { Count = 1, Source = SourceRange.Parse("198.17.255.255-198.18.0.1") })).Error);
        Assert.Equal(TrafficGenError.MixedAddressFamilies, Assert.Throws<TrafficGenException>(() =>
            new TrafficGenerator(new TrafficGenOptions("eth0", target) { Count = 1, Source = SourceRange.Parse("fd00::1") })).Error);
        // The explicit override lets a user aim at a network of their own.
        _ = new TrafficGenerator(new TrafficGenOptions("eth0", IPEndPoint.Parse("203.0.113.9:9")) { Count = 1, AllowAnyAddress = true });
    }

    /// <summary>A veth pair whose receiving end counts the test's frames (to <see cref="Port"/>) with the bench program.</summary>
    private sealed class CountingPair : IDisposable
    {
        private readonly XdpLink? _link;

        internal CountingPair(XdpBenchMode mode)
        {
            Veth = new VethNamespaces();
            try
            {
                Receiver = XdpBenchProgram.Load(mode, onlyPort: Port);
                ReceiverNamespace = NetworkNamespace.Open(Veth.ReceiverNamespace);
                _link = XdpLink.Attach(Receiver.Program, Veth.ReceiverInterface, XdpMode.Native, ReceiverNamespace);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        internal VethNamespaces Veth { get; }
        internal XdpBenchProgram Receiver { get; } = null!;
        internal NetworkNamespace ReceiverNamespace { get; } = null!;

        public void Dispose()
        {
            _link?.Dispose();
            ReceiverNamespace?.Dispose();
            Receiver?.Dispose();
            Veth.Dispose();
        }
    }

    /// <summary>Waits (generously) until the receiver's program has seen <paramref name="count"/> frames.</summary>
    internal static XdpBenchCounters WaitForCount(XdpBenchProgram receiver, ulong count)
    {
        Wait.Until(() => receiver.Read().Rx >= count);
        return receiver.Read();
    }
}

using System.Diagnostics;
using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>Per-source packet limits over real veth traffic: the fast source is limited, the slow one is not, and a block expires.</summary>
public sealed class RateLimitEndToEndTests(ITestOutputHelper output)
{
    public static TheoryData<XdpMode> Modes => new() { XdpMode.Generic, XdpMode.Native };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Source_above_its_limit_is_limited_and_one_below_is_not(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        lab.Guard.UpdateSettings(lab.Guard.Settings with { Limits = new GuardLimits { PacketsPerSecond = 100, Burst = 10 } });
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9200), lab.Receiver);
        var before = lab.Guard.ReadStatistics();
        var fast = new UdpStream(new IPEndPoint(GuardLab.ClientAddress, 0), sink.LocalEndPoint, 1000) { MaxPackets = 1000 };
        var slow = new UdpStream(new IPEndPoint(GuardLab.SecondClientAddress, 0), sink.LocalEndPoint, 40) { MaxPackets = 40 };
        var fastRun = fast.Start(lab.Sender, TestContext.Current.CancellationToken);
        var slowRun = slow.Start(lab.Sender, TestContext.Current.CancellationToken);
        long fastSent = await fastRun;
        long slowSent = await slowRun;
        GuardLab.WaitUntil(() => sink.Received + (long)Limited(lab, before) >= fastSent + slowSent, TimeSpan.FromSeconds(2));

        long fastReceived = sink.ReceivedFrom(GuardLab.ClientAddress);
        long slowReceived = sink.ReceivedFrom(GuardLab.SecondClientAddress);
        ulong limited = Limited(lab, before);
        output.WriteLine($"mode {mode}: fast source {fastReceived}/{fastSent} arrived, slow source {slowReceived}/{slowSent}, rate_limited {limited}");
        Assert.Equal(40, slowSent);
        Assert.Equal(slowSent, slowReceived);
        // 100 pps with a burst of 10 over about a second: about 110 get through (sends are paced in 1 ms steps).
        Assert.InRange(fastReceived, 60, 250);
        Assert.Equal((ulong)(fastSent - fastReceived), limited);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Temporary_block_drops_even_slow_packets_and_expires_by_itself(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var blockTime = TimeSpan.FromSeconds(1);
        lab.Guard.UpdateSettings(lab.Guard.Settings with
        {
            Limits = new GuardLimits { PacketsPerSecond = 100, Burst = 10, BlockTime = blockTime },
        });
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9300), lab.Receiver);
        var source = new IPEndPoint(GuardLab.ClientAddress, 0);
        var before = lab.Guard.ReadStatistics();

        // A burst well over the limit: the first over-limit packet blocks the source.
        long burstSent = await new UdpStream(source, sink.LocalEndPoint, 5000) { MaxPackets = 300 }.Start(lab.Sender, TestContext.Current.CancellationToken);
        long blockedAt = Stopwatch.GetTimestamp();
        Thread.Sleep(50);
        long afterBurst = sink.ReceivedFrom(GuardLab.ClientAddress);
        // Within the block, even a trickle far below the limit is dropped.
        long trickleSent = await new UdpStream(source, sink.LocalEndPoint, 20) { MaxPackets = 5 }.Start(lab.Sender, TestContext.Current.CancellationToken);
        Thread.Sleep(50);
        long afterTrickle = sink.ReceivedFrom(GuardLab.ClientAddress);
        Assert.True(Stopwatch.GetElapsedTime(blockedAt) < blockTime, "the trickle took longer than the block: the machine is too slow for this test");
        var during = lab.Guard.ReadStatistics();

        // After the block time, the same trickle passes.
        Thread.Sleep(blockTime - Stopwatch.GetElapsedTime(blockedAt) + TimeSpan.FromMilliseconds(200));
        long laterSent = await new UdpStream(source, sink.LocalEndPoint, 20) { MaxPackets = 5 }.Start(lab.Sender, TestContext.Current.CancellationToken);
        GuardLab.WaitUntil(() => sink.ReceivedFrom(GuardLab.ClientAddress) >= afterTrickle + laterSent, TimeSpan.FromSeconds(1));
        long afterExpiry = sink.ReceivedFrom(GuardLab.ClientAddress);

        ulong blocked = during[GuardReason.Blocked].Packets - before[GuardReason.Blocked].Packets;
        ulong limited = during[GuardReason.RateLimited].Packets - before[GuardReason.RateLimited].Packets;
        output.WriteLine($"mode {mode}: burst {afterBurst}/{burstSent} arrived (rate_limited {limited}, blocked {blocked}); " +
            $"trickle during the block {afterTrickle - afterBurst}/{trickleSent}; after expiry {afterExpiry - afterTrickle}/{laterSent}");
        Assert.InRange(afterBurst, 5, 20);
        Assert.Equal(afterBurst, afterTrickle);
        Assert.Equal(laterSent, afterExpiry - afterTrickle);
        Assert.Equal((ulong)(burstSent + trickleSent - afterBurst), limited + blocked);
        Assert.True(blocked >= (ulong)trickleSent, $"blocked {blocked} < trickle {trickleSent}");
    }

    private static ulong Limited(GuardLab lab, GuardStatistics before) =>
        lab.Guard.ReadStatistics()[GuardReason.RateLimited].Packets - before[GuardReason.RateLimited].Packets;
}

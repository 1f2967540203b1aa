using System.Diagnostics;
using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// Per-source packet limits over real veth traffic: the fast source is limited, the slow one is not, and a block
/// expires. The bounds hold on a loaded machine: the slow source waits between packets (it never catches up in a burst
/// after a stall), and the fast source's allowance is computed from how long its packets were actually in flight.
/// </summary>
public sealed class RateLimitEndToEndTests(ITestOutputHelper output)
{
    private const int Rate = 100;
    private const int Burst = 10;

    public static TheoryData<XdpMode> Modes => new() { XdpMode.Generic, XdpMode.Native };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Source_above_its_limit_is_limited_and_one_below_is_not(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        lab.Guard.UpdateSettings(lab.Guard.Settings with { Limits = new GuardLimits { PacketsPerSecond = Rate, Burst = Burst } });
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9200), lab.Receiver);
        var before = lab.Guard.ReadStatistics();
        // As fast as the sender goes: far above 100 pps however loaded the machine is.
        var fast = new UdpStream(new IPEndPoint(GuardLab.ClientAddress, 0), sink.LocalEndPoint, 1_000_000) { MaxPackets = 1000 };
        var clock = Stopwatch.StartNew();
        var fastRun = fast.Start(lab.Sender, TestContext.Current.CancellationToken);
        // At most one packet per 25 ms (40 pps), measured between sends, so a stalled sender only sends slower.
        long slowSent = await SendSpaced(lab, GuardLab.SecondClientAddress, sink.LocalEndPoint, 20, TimeSpan.FromMilliseconds(25));
        long fastSent = await fastRun;
        Assert.True(Wait.Until(() => sink.Received + (long)Limited(lab, before) >= fastSent + slowSent), "packets went missing");
        var inFlight = clock.Elapsed; // from before the first fast packet until after the last was judged

        long fastReceived = sink.ReceivedFrom(GuardLab.ClientAddress);
        long slowReceived = sink.ReceivedFrom(GuardLab.SecondClientAddress);
        ulong limited = Limited(lab, before);
        output.WriteLine($"mode {mode}: fast source {fastReceived}/{fastSent} arrived in {inFlight.TotalMilliseconds:0} ms, " +
            $"slow source {slowReceived}/{slowSent}, rate_limited {limited}");
        Assert.Equal(20, slowSent);
        Assert.Equal(slowSent, slowReceived);
        Assert.Equal(1000, fastSent);
        // A token bucket passes its burst, then at most its rate over the time the packets were in flight.
        Assert.InRange(fastReceived, Burst, Burst + 1 + (long)(Rate * inFlight.TotalSeconds));
        Assert.Equal((ulong)(fastSent - fastReceived), limited);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Temporary_block_drops_even_slow_packets_and_expires_by_itself(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        // Long enough that the trickle right after the burst lands inside the block even on a loaded machine.
        var blockTime = TimeSpan.FromSeconds(5);
        lab.Guard.UpdateSettings(lab.Guard.Settings with
        {
            Limits = new GuardLimits { PacketsPerSecond = Rate, Burst = Burst, BlockTime = blockTime },
        });
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9300), lab.Receiver);
        var client = GuardLab.ClientAddress;
        var before = lab.Guard.ReadStatistics();

        // A burst well over the limit: the first over-limit packet blocks the source.
        var clock = Stopwatch.StartNew();
        long burstSent = await new UdpStream(new IPEndPoint(client, 0), sink.LocalEndPoint, 1_000_000) { MaxPackets = 300 }
            .Start(lab.Sender, TestContext.Current.CancellationToken);
        Assert.True(Wait.Until(() => sink.ReceivedFrom(client) + (long)Dropped(lab, before) >= burstSent), "burst packets went missing");
        var burstInFlight = clock.Elapsed;
        long afterBurst = sink.ReceivedFrom(client);
        // Within the block, even a trickle far below the limit is dropped.
        long trickleSent = await SendSpaced(lab, client, sink.LocalEndPoint, 5, TimeSpan.FromMilliseconds(25));
        Assert.True(Wait.Until(() => sink.ReceivedFrom(client) + (long)Dropped(lab, before) >= burstSent + trickleSent), "trickle packets went missing");
        var trickleDone = clock.Elapsed;
        long afterTrickle = sink.ReceivedFrom(client);
        var during = lab.Guard.ReadStatistics();
        Assert.True(trickleDone < blockTime, $"inconclusive: the trickle ended {trickleDone.TotalSeconds:0.0} s after the burst began, after the block");

        // Probe at 10 pps (far below the limit) until a packet passes: the block expires by itself, never before its time.
        long probes = 0;
        var probeBound = blockTime + Wait.Generous;
        while (sink.ReceivedFrom(client) == afterTrickle && clock.Elapsed < probeBound)
        {
            probes += await SendSpaced(lab, client, sink.LocalEndPoint, 1, TimeSpan.Zero);
            await Task.Delay(100);
        }
        Assert.True(sink.ReceivedFrom(client) > afterTrickle, $"the block never expired ({probes} probes)");
        var expiredBy = clock.Elapsed;
        Assert.True(expiredBy >= blockTime, $"a packet passed {expiredBy.TotalSeconds:0.00} s after the burst began, inside the {blockTime.TotalSeconds} s block");
        // Once expired, the same trickle passes whole.
        long passedProbes = sink.ReceivedFrom(client) - afterTrickle;
        long laterSent = await SendSpaced(lab, client, sink.LocalEndPoint, 5, TimeSpan.FromMilliseconds(25));
        Assert.True(Wait.Until(() => sink.ReceivedFrom(client) >= afterTrickle + passedProbes + laterSent), "the trickle after expiry did not arrive");
        long afterExpiry = sink.ReceivedFrom(client) - afterTrickle - passedProbes;

        ulong blocked = during[GuardReason.Blocked].Packets - before[GuardReason.Blocked].Packets;
        ulong limited = during[GuardReason.RateLimited].Packets - before[GuardReason.RateLimited].Packets;
        output.WriteLine($"mode {mode}: burst {afterBurst}/{burstSent} arrived (rate_limited {limited}, blocked {blocked}); " +
            $"trickle during the block {afterTrickle - afterBurst}/{trickleSent}; {probes} probes until {expiredBy.TotalSeconds:0.00} s; " +
            $"after expiry {afterExpiry}/{laterSent}");
        // The burst, plus what the bucket refilled before the first over-limit packet blocked the source.
        Assert.InRange(afterBurst, Burst, Burst + 1 + (long)(Rate * burstInFlight.TotalSeconds));
        Assert.Equal(afterBurst, afterTrickle);
        Assert.Equal(laterSent, afterExpiry);
        Assert.Equal((ulong)(burstSent + trickleSent - afterBurst), limited + blocked);
        Assert.True(blocked >= (ulong)trickleSent, $"blocked {blocked} < trickle {trickleSent}");
    }

    private static ulong Limited(GuardLab lab, GuardStatistics before) =>
        lab.Guard.ReadStatistics()[GuardReason.RateLimited].Packets - before[GuardReason.RateLimited].Packets;

    private static ulong Dropped(GuardLab lab, GuardStatistics before)
    {
        var now = lab.Guard.ReadStatistics();
        return now[GuardReason.RateLimited].Packets - before[GuardReason.RateLimited].Packets
            + now[GuardReason.Blocked].Packets - before[GuardReason.Blocked].Packets;
    }

    /// <summary>Sends <paramref name="count"/> single datagrams from <paramref name="source"/>, at least <paramref name="gap"/> apart.</summary>
    private static async Task<long> SendSpaced(GuardLab lab, IPAddress source, IPEndPoint target, int count, TimeSpan gap)
    {
        long sent = 0;
        for (int i = 0; i < count; i++)
        {
            if (i > 0) await Task.Delay(gap);
            sent += await new UdpStream(new IPEndPoint(source, 0), target, 1) { MaxPackets = 1 }.Start(lab.Sender, TestContext.Current.CancellationToken);
        }
        return sent;
    }
}

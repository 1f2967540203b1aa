using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Packets;
using Sluice.Programs.RateLimit;
using Sluice.Programs.TcApps;
using Xunit;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>
/// ratelimit_tc by BPF_PROG_TEST_RUN: the police token bucket neither loses nor double-spends tokens when CPUs race
/// on one key; EDT timestamps are spaced by the packet's transmission time per key and packets beyond the horizon are
/// dropped (our kernel has no fq to pace them, so the timestamps are checked directly); keys by source, destination, port.
/// </summary>
public sealed class RateLimitTestRunTests
{
    private const int Shot = 2;
    private static readonly IPAddress Sender = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Receiver = IPAddress.Parse("198.18.0.2");

    [Fact]
    public void PoliceBucketIsExactUnderConcurrentCpus()
    {
        using var bed = new TcAppBed();
        var target = bed.Target("ratelimit");
        using var controller = RateLimitController.Attach(target);
        // 1 packet per second refill, a bucket of 2000 packets: whatever the interleaving, exactly 2000 (+ the refill of
        // the elapsed seconds) of 20,000 racing packets may pass.
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Port, Port: 9), Rate.Parse("1pps"), 2000));
        using var collection = TcAppBed.LoadForTestRun(target, "ratelimit.bpf.o");
        var program = collection.Program("ratelimit_tc");
        var frame = PacketBuilder.Udp4(Sender, Receiver, 1, 9);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int threads = Math.Max(2, Environment.ProcessorCount);
        int perThread = 20_000 / threads;
        int passed = 0, dropped = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            int myPassed = 0, myDropped = 0;
            for (int i = 0; i < perThread; i++)
            {
                if (program.TestRun(frame).ReturnValue == Shot) myDropped++;
                else myPassed++;
            }
            Interlocked.Add(ref passed, myPassed);
            Interlocked.Add(ref dropped, myDropped);
        });
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(threads * perThread, passed + dropped);
        Assert.InRange(passed, 2000, 2000 + (int)Math.Ceiling(seconds) + 1);
        var counters = controller.Limits().Single().Counters;
        Assert.Equal((ulong)(passed + dropped), counters.Packets);
        Assert.Equal((ulong)dropped, counters.Dropped);
    }

    [Fact]
    public void EdtSpacesDeparturesPerKeyAndDropsBeyondTheHorizon()
    {
        using var bed = new TcAppBed();
        var target = bed.Target("ratelimit");
        using var controller = RateLimitController.Attach(target, new RateLimitAttachOptions { Shaper = ShapeBackend.Htb });
        controller.UseShaperWithoutQdisc(ShapeBackend.Edt);
        // 1 MB/s: a 1000-byte frame takes 1 ms. Horizon 50 ms: about 50 frames may be queued ahead, then drops.
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Destination, ClassifierRule.ParseNetwork("198.18.0.2")),
            Rate.Parse("1MB/s"), null, RateLimitMode.Shape, TimeSpan.FromMilliseconds(50)));
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Source, ClassifierRule.ParseNetwork("198.18.0.3")),
            Rate.Parse("2MB/s"), null, RateLimitMode.Shape, TimeSpan.FromMilliseconds(50)));
        using var collection = TcAppBed.LoadForTestRun(target, "ratelimit.bpf.o");
        var program = collection.Program("ratelimit_tc");
        var toReceiver = PacketBuilder.Udp4(Sender, Receiver, 1, 7, payloadLength: 1000 - 42);
        var fromSecond = PacketBuilder.Udp4(IPAddress.Parse("198.18.0.3"), IPAddress.Parse("198.18.0.9"), 1, 7, payloadLength: 1000 - 42);
        Assert.Equal(1000, toReceiver.Length);

        var departures = new List<ulong>();
        var second = new List<ulong>();
        int drops = 0;
        const int Frames = 1000;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < Frames; i++)
        {
            var context = new SkBuffContext();
            var result = program.TestRun(toReceiver, ref context);
            if (result.ReturnValue == Shot) drops++;
            else if (context.Timestamp != 0) departures.Add(context.Timestamp); // 0: left at once
            if (i < 10)
            {
                var other = new SkBuffContext();
                program.TestRun(fromSecond, ref other);
                if (other.Timestamp != 0) second.Add(other.Timestamp);
            }
        }
        double elapsedMs = clock.Elapsed.TotalMilliseconds;
        // Consecutive accepted departures of one key are 1 ms apart (1000 bytes at 1 MB/s) once the queue builds.
        var gaps = departures.Zip(departures.Skip(1), (a, b) => (long)(b - a)).Where(g => g > 0).ToList();
        Assert.True(gaps.Count > 20, $"only {gaps.Count} future departures");
        Assert.True(gaps.Count(g => g is >= 999_000 and <= 1_001_000) > gaps.Count / 2, "departures are not spaced by 1 ms");
        // The horizon bounds the queue: at most (50 ms + the loop's own time) / 1 ms frames are accepted, the rest dropped.
        int accepted = Frames - drops;
        Assert.True(accepted <= 50 + (int)Math.Ceiling(elapsedMs) + 2, $"{accepted} accepted in {elapsedMs:F1} ms");
        Assert.True(accepted >= 50, $"only {accepted} accepted");
        // The other key has its own clock, spaced by 0.5 ms (2 MB/s).
        var otherGaps = second.Zip(second.Skip(1), (a, b) => (long)(b - a)).Where(g => g > 0).ToList();
        Assert.True(otherGaps.Count(g => g is >= 499_000 and <= 501_000) >= 5, string.Join(",", otherGaps));
        var limits = controller.Limits();
        Assert.Equal((ulong)drops, limits.Single(l => l.Rule.Key.Kind == RateLimitKeyKind.Destination).Counters.Dropped);
    }

    [Fact]
    public void KeysAreLookedUpCgroupSourceDestinationPortInThatOrder()
    {
        using var bed = new TcAppBed();
        var target = bed.Target("ratelimit");
        using var controller = RateLimitController.Attach(target, new RateLimitAttachOptions { Direction = TcDirection.Ingress });
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Source, ClassifierRule.ParseNetwork("198.18.0.0/24")), Rate.Parse("1pps"), 1));
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Destination, ClassifierRule.ParseNetwork("fd00::/64")), Rate.Parse("1pps"), 2));
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Port, Port: 53), Rate.Parse("1pps"), 3));
        using var collection = TcAppBed.LoadForTestRun(target, "ratelimit.bpf.o");
        var program = collection.Program("ratelimit_tc");
        int Passes(byte[] frame, int tries) => Enumerable.Range(0, tries).Count(_ => program.TestRun(frame).ReturnValue != Shot);
        Assert.Equal(1, Passes(PacketBuilder.Udp4(Sender, Receiver, 1, 53), 5));             // source wins over port
        Assert.Equal(2, Passes(PacketBuilder.Udp6(IPAddress.Parse("fd00::1"), IPAddress.Parse("fd00::2"), 1, 53), 5)); // dst wins over port
        Assert.Equal(3, Passes(PacketBuilder.Udp4(IPAddress.Parse("198.19.0.1"), Receiver, 1, 53), 5)); // only the port
        Assert.Equal(5, Passes(PacketBuilder.Udp4(IPAddress.Parse("198.19.0.1"), Receiver, 1, 54), 5)); // no key
    }
}

using System.Diagnostics;
using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>A deny added while traffic flows takes effect within 100 ms; removing it lets the traffic through again.</summary>
public sealed class LiveUpdateEndToEndTests(ITestOutputHelper output)
{
    public static TheoryData<XdpMode> Modes => new() { XdpMode.Generic, XdpMode.Native };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Deny_added_while_a_stream_flows_stops_it_within_100_ms_and_removing_it_restores_it(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var allow = new GuardRule(GuardLab.ClientRange, GuardRuleAction.Allow);
        var deny = new GuardRule(new IPNetwork(GuardLab.SecondClientAddress, 32), GuardRuleAction.Deny);
        lab.Guard.AddRules([allow]);
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9100), lab.Receiver);
        // 5,000 packets per second: one every 200 us, fine enough to time a 100 ms bound.
        var stream = new UdpStream(new IPEndPoint(GuardLab.SecondClientAddress, 0), sink.LocalEndPoint, 5000)
        {
            MaxDuration = TimeSpan.FromSeconds(15),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var streaming = stream.Start(lab.Sender, stop.Token);
        try
        {
            Assert.True(GuardLab.WaitUntil(() => sink.Received >= 1000, TimeSpan.FromSeconds(5)), "the stream never arrived");

            // Warm up (JIT, map handles) so the timed polling below measures the kernel, not the first call.
            ulong deniedBefore = lab.Guard.ReadStatistics()[GuardReason.Denied].Packets;
            long added = Stopwatch.GetTimestamp();
            lab.Guard.AddRules([deny]);
            var addTook = Stopwatch.GetElapsedTime(added);
            // The first packet the new rule drops: the moment the deny is visibly in force.
            Assert.True(GuardLab.WaitUntil(() => lab.Guard.ReadStatistics()[GuardReason.Denied].Packets > deniedBefore, TimeSpan.FromSeconds(1)),
                "the deny never matched");
            var firstDenied = Stopwatch.GetElapsedTime(added);
            // Stopped means: nothing more for 300 ms (1,500 packets' worth) while the sender keeps sending.
            long sentAtCheck;
            long receivedAtCheck;
            do
            {
                sentAtCheck = stream.Sent;
                receivedAtCheck = sink.Received;
                Thread.Sleep(300);
            }
            while (sink.Received != receivedAtCheck && Stopwatch.GetElapsedTime(added) < TimeSpan.FromSeconds(3));
            Assert.True(stream.Sent > sentAtCheck + 500, "the sender stalled, so silence proves nothing");
            Assert.Equal(receivedAtCheck, sink.Received);
            var stoppedAfter = Stopwatch.GetElapsedTime(added, Math.Max(sink.LastArrival, added));
            ulong hitsWhileDenied = lab.RuleHits(deny);

            long removed = Stopwatch.GetTimestamp();
            long receivedBeforeRemove = sink.Received;
            lab.Guard.RemoveRules([deny]);
            Assert.True(GuardLab.WaitUntil(() => sink.Received > receivedBeforeRemove + 100, TimeSpan.FromSeconds(2)),
                "traffic did not resume after the deny was removed");
            var resumedAfter = Stopwatch.GetElapsedTime(removed);

            output.WriteLine($"mode {mode}: AddRules took {addTook.TotalMilliseconds:0.000} ms; first packet denied within " +
                $"{firstDenied.TotalMilliseconds:0.000} ms; last packet arrived {stoppedAfter.TotalMilliseconds:0.000} ms after the " +
                $"deny was requested (0 = none after); {hitsWhileDenied} packets denied; " +
                $"100 packets arrived again {resumedAfter.TotalMilliseconds:0.0} ms after the removal");
            Assert.True(firstDenied < TimeSpan.FromMilliseconds(100), $"the first packet was denied only {firstDenied.TotalMilliseconds:0.0} ms after the request");
            Assert.True(stoppedAfter < TimeSpan.FromMilliseconds(100), $"traffic still arrived {stoppedAfter.TotalMilliseconds:0.0} ms after the deny");
            Assert.True(hitsWhileDenied >= 1000, $"deny rule counted only {hitsWhileDenied} packets");
        }
        finally
        {
            await stop.CancelAsync();
            await streaming;
        }
    }
}

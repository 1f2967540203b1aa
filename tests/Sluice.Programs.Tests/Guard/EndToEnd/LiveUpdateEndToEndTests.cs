using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// A deny added while traffic flows is in force the moment AddRules returns; removing it lets the traffic through
/// again. Judged by ordering, not by the clock: the guard's own counters say what XDP did with every packet,
/// and no packet whose send started after AddRules returned may pass (nor, after RemoveRules, be denied).
/// </summary>
public sealed class LiveUpdateEndToEndTests(ITestOutputHelper output)
{
    public static TheoryData<XdpMode> Modes => new() { XdpMode.Generic, XdpMode.Native };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Deny_added_while_a_stream_flows_is_in_force_when_the_call_returns_and_removing_it_restores_it(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var allow = new GuardRule(GuardLab.ClientRange, GuardRuleAction.Allow);
        var deny = new GuardRule(new IPNetwork(GuardLab.SecondClientAddress, 32), GuardRuleAction.Deny);
        lab.Guard.AddRules([allow]);
        using var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9100), lab.Receiver);
        var stream = new UdpStream(new IPEndPoint(GuardLab.SecondClientAddress, 0), sink.LocalEndPoint, 2000)
        {
            MaxDuration = TimeSpan.FromMinutes(2),
            MaxPackets = 1_000_000,
        };
        var before = lab.Guard.ReadStatistics();
        // What XDP did with the stream's packets so far (nothing else sends from the client range).
        ulong Passed() => lab.Guard.ReadStatistics()[GuardReason.Allowed].Packets - before[GuardReason.Allowed].Packets;
        ulong Denied() => lab.Guard.ReadStatistics()[GuardReason.Denied].Packets - before[GuardReason.Denied].Packets;
        ulong Judged() => Passed() + Denied();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var streaming = stream.Start(lab.Sender, stop.Token);
        try
        {
            Assert.True(Wait.Until(() => sink.Received >= 200), "the stream never arrived");

            lab.Guard.AddRules([deny]);
            long sentAtAdd = stream.Sent;
            // One send may have been under way while the rule went in: it may still pass.
            long mayPass = sentAtAdd + 1;
            Assert.True(Wait.Until(() => stream.Sent >= sentAtAdd + 1000), "the sender stalled, so silence would prove nothing");
            long sentBeforeRemove = stream.Sent;
            Assert.True(Wait.Until(() => Judged() >= (ulong)sentBeforeRemove), "XDP never judged the packets already sent");
            ulong passedBeforeRemove = Passed();
            long receivedBeforeRemove = sink.Received;
            ulong deniedBeforeRemove = Denied();
            // Read later while the sender keeps going: the rule's own counter has at least as many.
            Assert.True(lab.RuleHits(deny) >= deniedBeforeRemove, $"the deny rule counted fewer than the {deniedBeforeRemove} denied");
            Assert.True(passedBeforeRemove <= (ulong)mayPass,
                $"{passedBeforeRemove} packets passed the guard but only {mayPass} were sent before the deny was in force");
            Assert.True(receivedBeforeRemove <= mayPass, $"{receivedBeforeRemove} arrived, only {mayPass} were sent before the deny");
            Assert.True(deniedBeforeRemove >= (ulong)(sentBeforeRemove - mayPass), $"deny rule counted only {deniedBeforeRemove} packets");

            lab.Guard.RemoveRules([deny]);
            long sentAtRemove = stream.Sent;
            Assert.True(Wait.Until(() => sink.Received >= receivedBeforeRemove + 100), "traffic did not resume after the deny was removed");
            await stop.CancelAsync();
            long sent = await streaming;
            Assert.True(Wait.Until(() => Judged() >= (ulong)sent), "XDP never judged the last packets");

            ulong denied = Denied();
            output.WriteLine($"mode {mode}: {sentAtAdd} sent before the deny, {passedBeforeRemove} passed; {deniedBeforeRemove} denied " +
                $"while in force; {sentAtRemove} sent before the removal, {sent} in all, {sink.Received} received");
            // Only sends begun before RemoveRules returned may have been denied.
            Assert.True(denied <= (ulong)(sentAtRemove + 1) - passedBeforeRemove, $"{denied} denied, more than were sent while the deny was in force");
            Assert.True(sink.Received > receivedBeforeRemove, "nothing arrived after the removal");
        }
        finally
        {
            await stop.CancelAsync();
            await streaming;
        }
    }
}

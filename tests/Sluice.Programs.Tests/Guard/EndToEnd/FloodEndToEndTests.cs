using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// The end-to-end test: a SYN flood and a UDP flood from a denied range while a legitimate client in an allowed
/// range completes TCP connections through the guard; every flood packet must show up in the counters.
/// </summary>
public sealed class FloodEndToEndTests(ITestOutputHelper output)
{
    private const int FloodPackets = 20_000;
    private const int Connections = 250;

    public static TheoryData<XdpMode> Modes => new() { XdpMode.Generic, XdpMode.Native };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Legitimate_client_succeeds_while_every_flood_packet_is_denied_and_counted(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var deny = new GuardRule(GuardLab.AttackerRange, GuardRuleAction.Deny);
        var allow = new GuardRule(GuardLab.ClientRange, GuardRuleAction.Allow);
        lab.Guard.AddRules([deny, allow]);
        lab.Guard.UpdateSettings(lab.Guard.Settings with
        {
            Limits = new GuardLimits { PacketsPerSecond = 1000, Burst = 100, SynPerSecond = 20, SynBurst = 5 },
        });
        using var server = TcpEchoServer.Start(new IPEndPoint(GuardLab.ServerAddress, 8080), lab.Receiver);
        var before = lab.Guard.ReadStatistics();
        long vethDropsBefore = lab.VethDrops();

        var client = new TcpClientLoop(new TcpClientOptions(server.LocalEndPoint)
        {
            Local = GuardLab.ClientAddress,
            Connections = Connections,
            ConnectionsPerSecond = 150,
        });
        // Paced well below what veth queues (256 frames per ring in native mode): the test is about accounting, and
        // together the floods still outnumber the client's packets by about fifty to one.
        var synFlood = new SpoofedFlood(new FloodOptions(FloodKind.Syn, GuardLab.AttackerRange, server.LocalEndPoint)
        { MaxPackets = FloodPackets, PacketsPerSecond = 10_000, MaxDuration = TimeSpan.FromSeconds(10), Seed = 1 });
        var udpFlood = new SpoofedFlood(new FloodOptions(FloodKind.Udp, GuardLab.AttackerRange, new IPEndPoint(GuardLab.ServerAddress, 53))
        { MaxPackets = FloodPackets, PacketsPerSecond = 10_000, MaxDuration = TimeSpan.FromSeconds(10), Seed = 2 });
        var clientRun = client.Start(lab.Sender, TestContext.Current.CancellationToken);
        var synRun = synFlood.Start(lab.Sender, TestContext.Current.CancellationToken);
        var udpRun = udpFlood.Start(lab.Sender, TestContext.Current.CancellationToken);
        var result = await clientRun;
        var syn = await synRun;
        var udp = await udpRun;
        long floodSent = syn.PacketsSent + udp.PacketsSent;

        // The last flood packets may still be in a softirq on the other CPU: wait until the counters stop moving.
        GuardStatistics after = lab.Guard.ReadStatistics();
        GuardLab.WaitUntil(() =>
        {
            after = lab.Guard.ReadStatistics();
            return (long)(after[GuardReason.Denied].Packets - before[GuardReason.Denied].Packets) >= floodSent;
        }, TimeSpan.FromSeconds(2));
        ulong denied = after[GuardReason.Denied].Packets - before[GuardReason.Denied].Packets;
        ulong denyHits = lab.RuleHits(deny);
        long vethDrops = lab.VethDrops() - vethDropsBefore;

        output.WriteLine($"mode {mode}: legitimate client {result.Successes}/{result.Attempts} = {result.SuccessRate:P2} " +
            $"(median {result.MedianLatency.TotalMilliseconds:0.00} ms, p99 {result.P99Latency.TotalMilliseconds:0.00} ms, " +
            $"max {result.MaxLatency.TotalMilliseconds:0.00} ms) in {result.Elapsed.TotalSeconds:0.00} s");
        output.WriteLine($"floods: SYN {syn.PacketsSent} sent ({syn.SendErrors} refused) at {syn.PacketsPerSecond:0} pps, " +
            $"UDP {udp.PacketsSent} sent ({udp.SendErrors} refused) at {udp.PacketsPerSecond:0} pps");
        output.WriteLine($"counted: denied {denied}, deny rule hits {denyHits}, veth drops {vethDrops}, " +
            $"allowed {after[GuardReason.Allowed].Packets - before[GuardReason.Allowed].Packets}; unaccounted {floodSent - (long)denied - vethDrops}");
        foreach (var error in result.Errors) output.WriteLine($"client error: {error.Key} x{error.Value}");

        Assert.Equal(Connections, result.Attempts);
        Assert.True(result.SuccessRate >= 0.99, $"legitimate success rate {result.SuccessRate:P2} < 99%");
        Assert.Equal(2L * FloodPackets, syn.PacketsSent + syn.SendErrors + udp.PacketsSent + udp.SendErrors);
        // Every flood packet the kernel accepted was denied by the guard, or dropped by veth before XDP saw it and
        // counted there (the client's retransmitted packets can add to those drops too, so this is an upper bound).
        Assert.True((long)denied <= floodSent, $"denied {denied} > sent {floodSent}: something else was denied");
        Assert.True(floodSent - (long)denied <= vethDrops, $"{floodSent - (long)denied} flood packets unaccounted for ({vethDrops} veth drops)");
        Assert.Equal(denied, denyHits);
        // Nothing from the attacker range got through to be rate limited or passed.
        Assert.Equal(before[GuardReason.RateLimited].Packets, after[GuardReason.RateLimited].Packets);
        Assert.Equal(before[GuardReason.SynLimited].Packets, after[GuardReason.SynLimited].Packets);
        Assert.True(after[GuardReason.Allowed].Packets - before[GuardReason.Allowed].Packets >= (ulong)result.Successes * 3,
            "every legitimate connection is at least SYN, ACK + data, FIN through the allow rule");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Ipv6_floods_from_a_denied_prefix_are_denied_and_counted(XdpMode mode)
    {
        Requires.Root();
        using var lab = new GuardLab(mode);
        var attackers = IPNetwork.Parse("fd66::/16");
        var deny = new GuardRule(attackers, GuardRuleAction.Deny);
        lab.Guard.AddRules([deny]);
        var server = new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress6), 8080);
        var before = lab.Guard.ReadStatistics();
        var syn = new SpoofedFlood(new FloodOptions(FloodKind.Syn, attackers, server) { MaxPackets = 5000, PacketsPerSecond = 10_000 });
        var udp = new SpoofedFlood(new FloodOptions(FloodKind.Udp, attackers, server) { MaxPackets = 5000, PacketsPerSecond = 10_000 });
        var synRun = syn.Start(lab.Sender, TestContext.Current.CancellationToken);
        var udpRun = udp.Start(lab.Sender, TestContext.Current.CancellationToken);
        long sent = (await synRun).PacketsSent + (await udpRun).PacketsSent;
        ulong Denied() => lab.Guard.ReadStatistics()[GuardReason.Denied].Packets - before[GuardReason.Denied].Packets;
        GuardLab.WaitUntil(() => (long)Denied() >= sent, TimeSpan.FromSeconds(2));
        output.WriteLine($"mode {mode}: IPv6 floods sent {sent}, denied {Denied()}, deny rule hits {lab.RuleHits(deny)}");
        Assert.Equal(10_000, sent);
        Assert.Equal((ulong)sent, Denied());
        Assert.Equal((ulong)sent, lab.RuleHits(deny));
    }
}

using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.RegularExpressions;
using Sluice.Benchmarks.Guard;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab;
using Sluice.Programs.TrafficGen;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// End-to-end drop rate on veth: the same bounded UDP flood (spoofed sources in 198.19.0.0/16, 60-byte frames,
/// sluice trafficgen's AF_PACKET + sendmmsg engine on one thread) into two identical namespace pairs, one protected by the guard's
/// XDP program (native mode, deny 198.19.0.0/16), the other by an nftables rule dropping the same prefix at the
/// earliest nftables hook (netdev ingress on the receiving veth); a third pair runs the guard in XDP generic mode
/// (reported). Figure: packets the filter counted as dropped
/// per second of sending. On veth both see packets that are already skbs, so they may well be equal
/// (KERNEL-LAB.md); the ratio is reported, not judged.
/// </summary>
public sealed partial class GuardEndToEndScenario : IScenario
{
    private const long MaxPackets = 3_000_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);
    private const string FloodRange = "198.19.0.0/16";
    private const string NftTable = "sluice_bench";

    public string Name => "guard-e2e";

    public string Description => $"veth flood drop rate, pps dropped: guard XDP vs nftables netdev ingress (<= {MaxPackets:N0} packets, {MaxTime.TotalSeconds:0} s a round)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        if (!File.Exists("/usr/sbin/nft")) ShellCommand.Run("apt-get", "install", "-y", "-q", "nftables");
        using var guardPair = new VethNamespaces();
        using var genericPair = new VethNamespaces();
        using var nftPair = new VethNamespaces();
        using var guard = new GuardUnderTest();
        guard.Deny(LpmKey.IPv4(FloodRange));
        using var netns = NetworkNamespace.Open(guardPair.ReceiverNamespace);
        using var link = XdpLink.Attach(guard.Program, guardPair.ReceiverInterface, XdpMode.Native, netns);
        using var genericNetns = NetworkNamespace.Open(genericPair.ReceiverNamespace);
        using var genericLink = XdpLink.Attach(guard.Program, genericPair.ReceiverInterface, XdpMode.Generic, genericNetns);
        AddNftablesRule(nftPair);

        var (guardSender, genericSender, nftSender) = (Flood(guardPair), Flood(genericPair), Flood(nftPair));
        var accounted = (Guard: new Samples(), Generic: new Samples(), Nft: new Samples());
        var perCpu = (Guard: new Samples(), Nft: new Samples());
        var generic = new Samples();
        foreach (var warmUp in new[] { guardSender, genericSender, nftSender }) new TrafficGenerator(warmUp with { Count = 100_000 }).Run();
        // One program on both pairs, one counter: each round reads the counter around its own flood only.
        var (sluice, baseline) = Interleaved.Run(rounds,
            () =>
            {
                generic.Add(Round("generic", genericSender, () => guard.Count(GuardReason.Denied), accounted.Generic, null));
                return Round("guard", guardSender, () => guard.Count(GuardReason.Denied), accounted.Guard, perCpu.Guard);
            },
            () => Round("nft", nftSender, () => NftablesDropped(nftPair), accounted.Nft, perCpu.Nft));
        yield return new Measurement("guard-e2e-drop", "pps", Better.Higher, sluice.Median, baseline.Median, "nftables", null,
            $"XDP native mode; dropped per second of sending; dropped/sent: guard {accounted.Guard.Median:P1}, nftables {accounted.Nft.Median:P1}; " +
            $"guard_xdp.bpf.c at {GuardUnderTest.SourceCommit()}");
        yield return new Measurement("guard-e2e-drop-generic", "pps", Better.Higher, generic.Median, baseline.Median, "nftables", null,
            $"the same guard in XDP generic (skb) mode; dropped/sent {accounted.Generic.Median:P1}");
        yield return new Measurement("guard-e2e-drop-per-cpu", "pkt/cpu-s", Better.Higher, perCpu.Guard.Median, perCpu.Nft.Median, "nftables", null,
            "dropped per CPU second of the sending thread (send + the receive softirq run in its context): less bound to the CPU share a busy machine gives");
    }

    private static double Round(string side, TrafficGenOptions flood, Func<ulong> dropped, Samples accounted, Samples? perCpu)
    {
        ulong before = dropped();
        var result = new TrafficGenerator(flood).Run();
        Thread.Sleep(100); // let the receiving softirq finish the queue
        ulong drops = dropped() - before;
        double pps = drops / result.Elapsed.TotalSeconds;
        accounted.Add(result.PacketsSent == 0 ? 0 : (double)drops / result.PacketsSent);
        if (result.CpuTime is { } cpu) perCpu?.Add(drops / cpu.TotalSeconds);
        Console.Error.WriteLine($"  {side,-7} dropped {drops,10:N0} of {result.PacketsSent,10:N0} sent in {result.Elapsed.TotalSeconds:0.000} s: " +
            $"{pps,10:N0} pps dropped, {result.PacketsPerSecond,10:N0} pps sent, sender CPU {result.CpuTime?.TotalSeconds:0.000} s");
        return pps;
    }

    /// <summary>
    /// The flood, from sluice trafficgen's engine: 60-byte UDP frames from 1,024 sources in the flood range to the
    /// receiver, through its AF_PACKET engine (sendmmsg, qdisc bypassed) on every pair alike: live XDP frames would
    /// reach only a receiver with a native XDP program (veth), which the generic and nftables pairs have not.
    /// </summary>
    private static TrafficGenOptions Flood(VethNamespaces pair) =>
        new(pair.SenderInterface, new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 9))
        {
            Namespace = pair.SenderNamespace,
            DestinationMac = PhysicalAddress.Parse(VethNamespaces.ReceiverMac.Replace(':', '-')),
            Source = SourceRange.Parse("198.19.0.1-198.19.4.0:10000"),
            Count = MaxPackets,
            Duration = MaxTime,
            Engine = TrafficEngine.PacketSocket,
        };

    private static void AddNftablesRule(VethNamespaces pair)
    {
        string script = Path.Combine(Path.GetTempPath(), $"sluice-bench-{Environment.ProcessId}.nft");
        File.WriteAllText(script, $$"""
            table netdev {{NftTable}} {
                chain ingress {
                    type filter hook ingress device "{{pair.ReceiverInterface}}" priority 0; policy accept;
                    ip saddr {{FloodRange}} counter drop
                }
            }
            """);
        try
        {
            pair.InReceiver("nft", "-f", script);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static ulong NftablesDropped(VethNamespaces pair)
    {
        var match = NftCounter().Match(pair.InReceiver("nft", "list", "chain", "netdev", NftTable, "ingress"));
        return match.Success ? ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("no counter in the nftables chain");
    }

    [GeneratedRegex(@"counter packets (\d+) bytes")]
    private static partial Regex NftCounter();
}

using System.Net;
using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.Scenarios;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Lab.Packets;
using Sluice.Programs;
using Sluice.Programs.Forward;

namespace Sluice.Benchmarks.XdpApps;

/// <summary>
/// Kernel cost per packet (BPF_PROG_TEST_RUN) of echo_xdp answering an ICMP echo request (XDP_TX), forward_xdp in L2
/// mode (DEVMAP redirect) and in router mode (bpf_fib_lookup, TTL and MAC rewrite, DEVMAP redirect), each against a
/// bare <c>return XDP_DROP</c> on the same frame in the same run. Each run is one test run with repeat 1: the echo and
/// router rewrite the frame, and a repeated test run would feed the rewritten frame (a reply, a lower TTL) back in, so
/// each figure is the mean of <see cref="Calls"/> kernel-timed single runs (which include the kernel's timer reads,
/// for both sides alike). Forwarding test runs run inside the forwarder's namespace (ifindexes and the FIB are there).
/// </summary>
public sealed class XdpForwardCostScenario : IScenario
{
    private const int Calls = 20_000;

    public string Name => "xdp-forward-cost";

    public string Description => "echo (XDP_TX), L2 redirect and router ns/packet by test-run vs XDP_DROP";

    public IEnumerable<Measurement> Run(int rounds)
    {
        using var drop = BpfCollection.Load(BenchPaths.CArtifact("xdp_drop.bpf.o"));
        var bare = drop.Program("xdp_drop");
        var rows = new List<Measurement>();
        using (var l2 = new ForwardingBed(ForwardMode.L2))
        {
            var echoFrame = PacketBuilder.Icmp4Echo(IPAddress.Parse("198.18.1.2"), IPAddress.Parse("198.18.1.1"));
            rows.Add(Row("xdp-echo-tx", "ICMP echo request answered by XDP_TX", rounds, l2.Echo, bare, echoFrame, null, XdpAction.Tx));
            var frame = PacketBuilder.Udp4(IPAddress.Parse("198.18.1.1"), IPAddress.Parse("198.18.1.2"), 40000, 9);
            rows.Add(Row("xdp-l2-redirect", "UDP frame redirected pa -> pb (DEVMAP_HASH)", rounds, l2.Forward, bare, frame, l2, XdpAction.Redirect));
        }
        using (var router = new ForwardingBed(ForwardMode.Router))
        {
            var frame = PacketBuilder.Udp4(IPAddress.Parse("198.18.1.1"), IPAddress.Parse("198.18.2.2"), 40000, 9);
            rows.Add(Row("xdp-router", "UDP frame routed 198.18.1.1 -> 198.18.2.2 (FIB lookup, TTL, MACs, redirect)", rounds, router.Forward, bare, frame, router, XdpAction.Redirect));
        }
        return rows;
    }

    private static Measurement Row(string name, string what, int rounds, BpfProgram program, BpfProgram bare, byte[] frame, ForwardingBed? bed, XdpAction expected)
    {
        using var netns = bed?.F.Open();
        int ingress = bed?.IngressIndex ?? 0;
        double Measure(BpfProgram p, int calls, out XdpAction action)
        {
            var output = new byte[frame.Length + 64];
            XdpAction last = XdpAction.Aborted;
            double total = 0;
            for (int i = 0; i < calls; i++)
            {
                var context = XdpContext.ForPacket(frame.Length);
                context.IngressIfindex = (uint)ingress;
                var result = p.TestRun(frame, ref context, output);
                total += result.DurationNanoseconds;
                last = result.XdpAction;
            }
            action = last;
            return total / calls;
        }
        double InNamespace(BpfProgram p, int calls, out XdpAction action)
        {
            if (netns is null) return Measure(p, calls, out action);
            XdpAction seen = default;
            double value = netns.Run(() => Measure(p, calls, out seen));
            action = seen;
            return value;
        }
        InNamespace(program, 1000, out var verdict);
        if (verdict != expected)
            return Measurement.Unavailable(name, "ns/pkt", Better.Lower, "XDP_DROP", null, $"{what}: verdict {verdict}, expected {expected}");
        var (sluice, baseline) = Interleaved.Run(rounds, () => InNamespace(program, Calls, out _), () => InNamespace(bare, Calls, out _));
        Console.Error.WriteLine($"  {name}: {sluice.Median:0.0} ns (spread {sluice.Spread:P0}), XDP_DROP {baseline.Median:0.0} ns (spread {baseline.Spread:P0})");
        return new Measurement(name, "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "XDP_DROP", null,
            $"{what}; mean of {Calls:N0} kernel-timed single test runs per round");
    }
}

using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.XdpTools;
using Sluice.Bpf;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// <c>sluice bench xdp</c>'s program per verdict (drop, pass, tx, redirect): its cost by BPF_PROG_TEST_RUN against a
/// bare <c>return XDP_DROP</c> (bench/c/bpf/xdp_drop.bpf.c), and its live rate on veth with <c>sluice trafficgen</c>
/// as the source, where the program's count of its verdict is checked against the interface counter that counts the
/// same frames, read with <c>ip -s link</c>: rx of the receiving device for drop and pass, its tx for tx (veth counts
/// XDP_TX'd frames there), rd0's tx for redirect.
/// </summary>
public sealed class XdpBenchScenario : IScenario
{
    private const int Repeat = 200_000;
    private const long LivePackets = 500_000;

    public string Name => "xdp-bench";

    public string Description => "bench xdp drop/pass/tx/redirect: test-run ns/packet vs XDP_DROP; live veth rates vs ip -s link";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var frame = XdpBenchRunner.DefaultFrame();
        using var bare = BpfCollection.Load(BenchPaths.CArtifact("xdp_drop.bpf.o"));
        var floor = bare.Program("xdp_drop");
        foreach (var mode in Enum.GetValues<XdpBenchMode>())
        {
            using var program = XdpBenchProgram.Load(mode, redirectInterfaceIndex: 1);
            double Cost(BpfProgram p) => p.TestRun(frame, repeat: Repeat).DurationNanoseconds;
            Cost(program.Program);
            var (sluice, baseline) = Interleaved.Run(rounds, () => Cost(program.Program), () => Cost(floor));
            yield return new Measurement($"xdp-bench-testrun-{ModeName(mode)}", "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "XDP_DROP", null,
                $"60-byte UDP frame x {Repeat:N0} runs, kernel-timed (integer ns)");
        }

        using var bed = new XdpToolsBed();
        foreach (var mode in Enum.GetValues<XdpBenchMode>())
        {
            int redirect = mode == XdpBenchMode.Redirect ? bed.ReceiverNamespace.GetInterfaceIndex(XdpToolsBed.RedirectDevice) : 0;
            using var program = XdpBenchProgram.Load(mode, redirect);
            using var link = XdpLink.Attach(program.Program, bed.Pair.ReceiverInterface, XdpMode.Native, bed.ReceiverNamespace);
            // The interface counter that counts what this verdict does: frames arriving (drop, pass), frames XDP_TX'd
            // back out of the receiving device (veth counts them as its tx), frames redirected out of rd0.
            string device = mode == XdpBenchMode.Redirect ? XdpToolsBed.RedirectDevice : bed.Pair.ReceiverInterface;
            bool transmits = mode is XdpBenchMode.Tx or XdpBenchMode.Redirect;
            ulong Interface()
            {
                var counters = IpLinkCounters.Read(bed.Pair.ReceiverNamespace, device);
                return transmits ? counters.TxPackets : counters.RxPackets;
            }
            ulong Verdict(XdpBenchCounters c) => mode switch
            {
                XdpBenchMode.Drop => c.Drop,
                XdpBenchMode.Pass => c.Pass,
                XdpBenchMode.Tx => c.Tx,
                _ => c.Redirect,
            };
            var rates = new Samples();
            ulong counted = 0, interfaceCounted = 0;
            for (int round = 0; round < rounds; round++)
            {
                var (program0, interface0) = (program.Read(), Interface());
                var sent = new TrafficGenerator(bed.Traffic(LivePackets)).Run();
                Thread.Sleep(100); // the last frames through the receiver's softirq
                var (program1, interface1) = (program.Read(), Interface());
                ulong verdicts = Verdict(program1.Since(program0));
                counted += verdicts;
                interfaceCounted += interface1 - interface0;
                rates.Add(verdicts / sent.Elapsed.TotalSeconds);
            }
            string delivered = mode switch
            {
                XdpBenchMode.Tx => $"; back at the sender {bed.SenderSink.Read().Rx:N0}",
                XdpBenchMode.Redirect => $"; at the redirect target {bed.RedirectSink.Read().Rx:N0}",
                _ => "",
            };
            string name = ModeName(mode), counter = mode switch { XdpBenchMode.Tx => "tx", XdpBenchMode.Redirect => $"{device} tx", _ => "rx" };
            Console.Error.WriteLine($"  live {name}: {rates.Median:N0} {name}/s (spread {rates.Spread:P0}), program {counted:N0}, ip -s link {counter} {interfaceCounted:N0}{delivered}");
            yield return new Measurement($"xdp-bench-live-{name}", $"{name}/s", Better.Same, rates.Median, rates.Median * interfaceCounted / Math.Max(1, counted),
                $"ip -s link {counter}", 0.01,
                $"{LivePackets:N0} frames per round from sluice trafficgen (live frames); program {name} {counted:N0} vs ip -s link {counter} {interfaceCounted:N0}{delivered}");
        }
    }

    private static string ModeName(XdpBenchMode mode) => mode.ToString().ToLowerInvariant();
}

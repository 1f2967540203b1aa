using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.XdpTools;
using Sluice.Bpf;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// <c>sluice bench xdp</c>'s program per verdict (drop, pass, tx, redirect): its cost by BPF_PROG_TEST_RUN against a
/// bare <c>return XDP_DROP</c> (bench/c/bpf/xdp_drop.bpf.c), and its live rate on veth with the traffic generator as
/// the source, where the program's count is checked against the receiving interface's own counter (what
/// <c>ip -s link</c> prints, dev_get_stats) for the same traffic.
/// </summary>
public sealed class XdpBenchScenario : IScenario
{
    private const int Repeat = 200_000;
    private const long LivePackets = 500_000;

    public string Name => "xdp-bench";

    public string Description => "bench xdp drop/pass/tx/redirect: test-run ns/packet vs XDP_DROP; live veth rate vs interface counters";

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
            var rates = new Samples();
            ulong counted = 0, interfaceCounted = 0;
            for (int round = 0; round < rounds; round++)
            {
                var before = (program.Read(), InterfaceCounters.Read(bed.Pair.ReceiverInterface, bed.ReceiverNamespace));
                var sent = new TrafficGenerator(bed.Traffic(LivePackets)).Run();
                var after = (program.Read(), InterfaceCounters.Read(bed.Pair.ReceiverInterface, bed.ReceiverNamespace));
                ulong rx = after.Item1.Since(before.Item1).Rx;
                counted += rx;
                interfaceCounted += after.Item2.Since(before.Item2).RxPackets;
                rates.Add(rx / sent.Elapsed.TotalSeconds);
            }
            string delivered = mode switch
            {
                XdpBenchMode.Tx => $"; back at the sender {bed.SenderSink.Read().Rx:N0}",
                XdpBenchMode.Redirect => $"; at the redirect target {bed.RedirectSink.Read().Rx:N0}",
                _ => "",
            };
            Console.Error.WriteLine($"  live {ModeName(mode)}: {rates.Median:N0}/s (spread {rates.Spread:P0}), program {counted:N0}, interface {interfaceCounted:N0}{delivered}");
            yield return new Measurement($"xdp-bench-live-{ModeName(mode)}", "rx/s", Better.Higher, rates.Median, rates.Median * interfaceCounted / Math.Max(1, counted),
                "ip -s link rate", 0.99,
                $"{LivePackets:N0} frames per round from trafficgen (live frames); program count {counted:N0} vs interface rx {interfaceCounted:N0}{delivered}");
        }
    }

    private static string ModeName(XdpBenchMode mode) => mode.ToString().ToLowerInvariant();
}

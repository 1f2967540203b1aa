using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.XdpTools;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// <c>sluice trafficgen</c>'s engine against a minimal C generator (bench/c/trafficgen_live.c: libbpf's
/// bpf_prog_test_run_opts with BPF_F_TEST_XDP_LIVE_FRAMES, a bare XDP_TX program, a fixed frame) on the same veth
/// pair into an XDP drop program: packets per second generated, interleaved rounds. Also whether every generated
/// frame arrived: the receiver's interface counter (what <c>ip -s link</c> prints) against the count sent.
/// </summary>
public sealed class TrafficGenScenario : IScenario
{
    private const long Packets = 1_000_000;

    public string Name => "trafficgen";

    public string Description => $"sluice trafficgen vs C live-frames generator (libbpf), {Packets:N0} x 60-byte UDP on veth, pps";

    public IEnumerable<Measurement> Run(int rounds)
    {
        using var bed = new XdpToolsBed();
        using var receiver = XdpBenchProgram.Load(XdpBenchMode.Drop);
        using var link = XdpLink.Attach(receiver.Program, bed.Pair.ReceiverInterface, XdpMode.Native, bed.ReceiverNamespace);
        string binary = BenchPaths.CArtifact("trafficgen_live"), program = BenchPaths.CArtifact("xdp_live_tx.bpf.o");
        long delivered = 0, sent = 0;
        double Sluice()
        {
            var before = InterfaceCounters.Read(bed.Pair.ReceiverInterface, bed.ReceiverNamespace);
            var result = new TrafficGenerator(bed.Traffic(Packets)).Run();
            delivered += (long)InterfaceCounters.Read(bed.Pair.ReceiverInterface, bed.ReceiverNamespace).Since(before).RxPackets;
            sent += result.PacketsSent;
            return result.PacketsPerSecond;
        }
        double C() => CBaseline.Run("nsenter", $"--net=/var/run/netns/{bed.Pair.SenderNamespace}", "--", binary, program,
            bed.Pair.SenderInterface, VethNamespaces.ReceiverMac, Packets.ToString(System.Globalization.CultureInfo.InvariantCulture))["pps"];
        Sluice();
        C(); // warm-up
        (delivered, sent) = (0, 0);
        var (sluice, baseline) = Interleaved.Run(rounds, Sluice, C);
        Console.Error.WriteLine($"  trafficgen pps: sluice {sluice.Median:N0} (spread {sluice.Spread:P0}), C {baseline.Median:N0} (spread {baseline.Spread:P0})");
        yield return new Measurement("trafficgen-vs-c", "pps", Better.Higher, sluice.Median, baseline.Median, "C live frames", 0.95,
            "same veth into XDP drop; sluice stamps source/port + checksums per frame, C sends a fixed frame");
        yield return new Measurement("trafficgen-delivered", "packets", Better.Higher, delivered, sent, "sent", 1.0,
            "receiver interface rx_packets (ip -s link) over every measured round vs frames the generator reported");
    }
}

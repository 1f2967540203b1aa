using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.XdpTools;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// <c>sluice trafficgen</c> (the Native AOT CLI, one process per run, as the C tool) against the minimal C generator
/// bench/c/trafficgen_live.c (libbpf bpf_prog_test_run_opts with BPF_F_TEST_XDP_LIVE_FRAMES, the whole count in one
/// call, batch 64) on the same veth pair into an XDP drop program: packets per second generated, same frame count and
/// 60-byte frame, every configuration once per round in rotating order. Two feature sets, compared like for like:
/// a fixed frame (one source address and port: Sluice's writer writes nothing; the C program is a bare XDP_TX) and
/// source ranges (1,024 addresses x 16 ports, both checksums fixed per frame: the C tool drives Sluice's own writer,
/// trafficgen.bpf.c, with the same constants, so both do the same work per frame). Also per CPU second of the sending
/// thread (the load-robust figure on a shared machine), the library engine in this process (JIT), and whether every
/// generated frame arrived (the receiver's rx counter as <c>ip -s link</c> prints it).
/// </summary>
public sealed class TrafficGenScenario : IScenario
{
    private const long Packets = 2_000_000;
    private const string Ranges = "198.18.0.1-198.18.4.0:40000-40015", Fixed = "198.18.0.1:40000";
    private const int RangeSources = 1024, RangePorts = 16;

    public string Name => "trafficgen";

    public string Description => $"sluice trafficgen vs C live-frames generator (libbpf), {Packets:N0} x 60-byte UDP on veth, pps";

    public IEnumerable<Measurement> Run(int rounds)
    {
        string cli = Path.Combine(BenchPaths.Root, "bench", "bin", "sluice-aot", "sluice");
        if (!File.Exists(cli))
        {
            yield return Measurement.Unavailable("trafficgen-vs-c", "pps", Better.Higher, "C live frames", 0.95,
                $"{cli} not published (bench/run.sh publishes it with Native AOT)");
            yield break;
        }
        using var bed = new XdpToolsBed();
        using var receiver = XdpBenchProgram.Load(XdpBenchMode.Drop);
        using var link = XdpLink.Attach(receiver.Program, bed.Pair.ReceiverInterface, XdpMode.Native, bed.ReceiverNamespace);
        string binary = BenchPaths.CArtifact("trafficgen_live");
        string bare = BenchPaths.CArtifact("xdp_live_tx.bpf.o"), writer = BenchPaths.CArtifact("trafficgen.bpf.o");
        long delivered = 0, sent = 0;

        Figures Sluice(string source)
        {
            var before = IpLinkCounters.Read(bed.Pair.ReceiverNamespace, bed.Pair.ReceiverInterface);
            var result = ShellCommand.Execute(cli, ["trafficgen", bed.Pair.SenderInterface, "--netns", bed.Pair.SenderNamespace,
                "--dst", XdpToolsBed.Destination.ToString(), "--dst-mac", VethNamespaces.ReceiverMac, "--src", source,
                "--count", Count(Packets), "--engine", "live", "--json"], TimeSpan.FromMinutes(2));
            if (!result.Succeeded) throw new InvalidOperationException($"sluice trafficgen exited with {result.ExitCode}: {result.Error.Trim()}");
            using var json = JsonDocument.Parse(result.Output);
            var root = json.RootElement;
            long packets = root.GetProperty("packets").GetInt64();
            delivered += (long)IpLinkCounters.Read(bed.Pair.ReceiverNamespace, bed.Pair.ReceiverInterface).Since(before).RxPackets;
            sent += packets;
            return new Figures(root.GetProperty("pps").GetDouble(), packets / root.GetProperty("cpu_seconds").GetDouble());
        }
        Figures InProcess()
        {
            var result = new TrafficGenerator(bed.Traffic(Packets)).Run();
            return new Figures(result.PacketsPerSecond, result.PacketsPerCpuSecond ?? double.NaN);
        }
        Figures C(string program, params string[] options)
        {
            var figures = CBaseline.Run("nsenter", [$"--net=/var/run/netns/{bed.Pair.SenderNamespace}", "--", binary, program,
                bed.Pair.SenderInterface, VethNamespaces.ReceiverMac, Count(Packets), "--chunk-ms", "0", .. options]);
            return new Figures(figures["pps"], figures["pps_per_cpu"]);
        }

        var configurations = new (string Name, Func<Figures> Run)[]
        {
            ("sluice fixed", () => Sluice(Fixed)),
            ("C bare XDP_TX", () => C(bare)),
            ("sluice ranges", () => Sluice(Ranges)),
            ("C + sluice writer, ranges", () => C(writer, "--program", "trafficgen_write", "--sources", Count(RangeSources), "--ports", Count(RangePorts))),
            ("sluice in-process (JIT)", InProcess),
        };
        foreach (var (_, run) in configurations) run(); // warm-up: page cache, JIT, the veth's first frames
        (delivered, sent) = (0, 0);
        var pps = configurations.Select(_ => new Samples()).ToArray();
        var perCpu = configurations.Select(_ => new Samples()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < configurations.Length; k++)
            {
                int i = (k + round) % configurations.Length; // rotate who goes first: drift hits every configuration alike
                var figures = configurations[i].Run();
                pps[i].Add(figures.PacketsPerSecond);
                perCpu[i].Add(figures.PacketsPerCpuSecond);
            }
        }
        for (int i = 0; i < configurations.Length; i++)
            Console.Error.WriteLine($"  {configurations[i].Name}: {pps[i].Median:N0} pps (spread {pps[i].Spread:P0}), {perCpu[i].Median:N0} per CPU second (spread {perCpu[i].Spread:P0})");

        string same = $"{Packets:N0} x 60-byte UDP, same veth into XDP drop";
        yield return new Measurement("trafficgen-vs-c", "pps", Better.Higher, pps[0].Median, pps[1].Median, "C live frames", 0.95,
            $"{same}; fixed frame: one source {Fixed} (sluice's writer writes nothing), C program a bare XDP_TX");
        yield return new Measurement("trafficgen-ranges-vs-c", "pps", Better.Higher, pps[2].Median, pps[3].Median, "C + same writer", 0.95,
            $"{same}; sources {Ranges} ({RangeSources} x {RangePorts}), both checksums per frame; C drives trafficgen.bpf.c with the same constants");
        yield return new Measurement("trafficgen-ranges-vs-bare-c", "pps", Better.Higher, pps[2].Median, pps[1].Median, "C bare XDP_TX", null,
            "the price of varying source address and port per frame");
        yield return new Measurement("trafficgen-cpu-vs-c", "pkt/cpu-s", Better.Higher, perCpu[0].Median, perCpu[1].Median, "C live frames", null,
            "fixed frame, frames per CPU second of the sending thread (user + system: the kernel's work in the call, the receiver's softirq where it ran inline)");
        yield return new Measurement("trafficgen-ranges-cpu-vs-c", "pkt/cpu-s", Better.Higher, perCpu[2].Median, perCpu[3].Median, "C + same writer", null,
            "source ranges, frames per CPU second of the sending thread");
        yield return new Measurement("trafficgen-in-process-vs-c", "pps", Better.Higher, pps[4].Median, pps[1].Median, "C live frames", null,
            "the library engine inside this (JIT) process, fixed frame");
        yield return new Measurement("trafficgen-delivered", "packets", Better.Higher, delivered, sent, "sent", 1.0,
            "receiver rx_packets (ip -s link) over every measured sluice CLI run vs the frames it reported");
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Figures(double PacketsPerSecond, double PacketsPerCpuSecond);
}

using System.Net;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Lab.Packets;
using Sluice.Programs;
using Sluice.Programs.Qos;
using Sluice.Programs.TcApps;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Kernel cost per packet of qos_classify (BPF_PROG_TEST_RUN) with 1,000 rules installed by the controller (500 exact
/// UDP destinations on port 53, 250 TCP source /24s on port 443, 250 TCP ports) on mixed frames (hits of each kind,
/// DSCP rewritten, and misses to the default), against a bare <c>return TC_ACT_OK</c> (bench/c/bpf/tc_ok.bpf.c).
/// Target: at most 3x.
/// </summary>
public sealed class QosCostScenario : IScenario
{
    private const int Repeat = 50_000;

    public string Name => "qos-cost";

    public string Description => "qos TC ns/packet by test-run with 1,000 rules vs a bare TC_ACT_OK program";

    public IEnumerable<Measurement> Run(int rounds)
    {
        using var veth = new VethNamespaces();
        string root = $"/sys/fs/bpf/sluice-bench-qos-{Environment.ProcessId}";
        var target = new TcAppTarget("qos", veth.SenderInterface, veth.SenderNamespace) { Root = root };
        try
        {
            using var controller = QosController.Attach(target);
            var rules = new List<QosRule>();
            for (int i = 0; i < 500; i++)
                rules.Add(new QosRule(ClassifierRule.Parse("udp", null, $"198.19.{i / 256}.{i % 256}", "53"), QosClass.High, 46));
            for (int i = 0; i < 250; i++)
                rules.Add(new QosRule(ClassifierRule.Parse("tcp", $"198.18.{i}.0/24", null, "443"), QosClass.Normal, 26));
            for (int i = 0; i < 250; i++)
                rules.Add(new QosRule(ClassifierRule.Parse("tcp", null, null, (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)), QosClass.Low));
            rules.Add(new QosRule(new ClassifierRule(), QosClass.Low, 8));
            controller.SetMany(rules);
            using var collection = BpfCollection.Load(EmbeddedObjects.Read("qos.bpf.o"), new CollectionOptions { PinPath = target.PinDirectory });
            var program = collection.Program("qos_classify");
            using var ok = BpfCollection.Load(BenchPaths.CArtifact("tc_ok.bpf.o"));
            var bare = ok.Program("tc_ok");
            var frames = new List<byte[]>
            {
                PacketBuilder.Udp4(IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.19.1.7"), 4000, 53),
                PacketBuilder.Tcp4(IPAddress.Parse("198.18.77.9"), IPAddress.Parse("198.18.0.2"), 4000, 443),
                PacketBuilder.Tcp4(IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.2"), 4000, 1100),
                PacketBuilder.Tcp6(IPAddress.Parse("fd00::1"), IPAddress.Parse("fd00::2"), 4000, 8080),
                PacketBuilder.Udp4(IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.2"), 4000, 9999),
            };
            Measure(program, frames, 1000);
            var (sluice, baseline) = Interleaved.Run(rounds, () => Measure(program, frames, Repeat), () => Measure(bare, frames, Repeat));
            Console.Error.WriteLine($"  qos_classify {sluice.Median:0.0} ns (spread {sluice.Spread:P0}), tc_ok {baseline.Median:0.0} ns (spread {baseline.Spread:P0})");
            foreach (var frame in frames)
                Console.Error.WriteLine($"    frame {frames.IndexOf(frame)}: qos {Measure(program, [frame], Repeat):0.0} ns, tc_ok {Measure(bare, [frame], Repeat):0.0} ns");
            return
            [
                new Measurement("qos-cost-vs-tc-ok", "ns/pkt", Better.Lower, sluice.Median, baseline.Median, "TC_ACT_OK", 3.0,
                    $"{frames.Count} frames (3 rule kinds hit + 2 misses, DSCP rewritten on 3) x {Repeat:N0} runs, 1,000 rules, kernel-timed"),
            ];
        }
        finally
        {
            QosController.Detach(target);
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static double Measure(BpfProgram program, List<byte[]> frames, int repeat)
    {
        double total = 0;
        foreach (var frame in frames) total += program.TestRun(frame, repeat: repeat).DurationNanoseconds;
        return total / frames.Count;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Lab.Traffic;
using Sluice.Programs.RateLimit;
using Sluice.Programs.TcApps;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Rate limiting on a veth pair at 1, 10 and 100 Mbit/s, four ways in the same run, interleaved: sluice ratelimit
/// shape (on this kernel: BPF classification into an htb class per key), sluice ratelimit police (TC ingress of the
/// receiver, token bucket), a hand-configured htb (`tc ... htb rate R ceil R`) and tbf (`tc ... tbf rate R burst
/// 10ms latency 50ms`). Each run: a 5-second iperf3 TCP transfer (retransmissions, iperf3's CPU utilisation of both
/// ends -> CPU seconds per GB) and, alongside through the same limit, a 64-byte TCP request/response flow (p50/p99
/// round trip). The rate compared with the limit is the rate at the limiter: Ethernet frames of the transfer (its
/// goodput as frames, <see cref="Iperf3Result.WireBitsPerSecond"/>) plus the request frames of the RR flow, which go
/// through the same limit; goodput is reported beside it.
/// </summary>
public sealed class TcShapingScenario : IScenario
{
    private static readonly double[] Rates = [1e6, 10e6, 100e6];
    private static readonly string[] Configurations = ["shape", "police", "htb", "tbf"];
    private const double Seconds = 5;

    public string Name => "tc-shaping";

    public string Description => "ratelimit shape/police vs hand-made htb and tbf at 1/10/100 Mbit/s: rate, p50/p99 RR latency, CPU s/GB";

    /// <summary>A request of the RR flow on the wire: 64 bytes of payload in a frame with Ethernet, IPv4, TCP and timestamps.</summary>
    private const int RequestFrameBytes = 64 + 14 + 20 + 20 + 12;

    private sealed record ShapingRun(double Mbps, double GoodputMbps, long Retransmits, double CpuSecondsPerGb, double P50, double P99);

    public IEnumerable<Measurement> Run(int rounds)
    {
        rounds = Math.Clamp(rounds, 1, 3);
        var results = new Dictionary<(string, double), List<ShapingRun>>();
        using var veth = new VethNamespaces();
        string root = $"/sys/fs/bpf/sluice-bench-tc-{Environment.ProcessId}";
        try
        {
            using var receiver = veth.Receiver.Open();
            using var echo = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 7), receiver);
            for (int round = 0; round < rounds; round++)
            {
                foreach (double rate in Rates)
                {
                    var order = round % 2 == 0 ? Configurations : Configurations.Reverse().ToArray();
                    foreach (var configuration in order)
                    {
                        var run = Measure(veth, root, configuration, rate);
                        Console.Error.WriteLine($"  round {round + 1} {configuration,-6} {rate / 1e6,5:0} Mbit/s: {run.Mbps,7:0.000} Mbit/s at the limiter (goodput {run.GoodputMbps:0.000}), " +
                            $"{run.Retransmits} retr, {run.CpuSecondsPerGb:0.00} CPU s/GB, RR p50 {run.P50:0.00} ms p99 {run.P99:0.00} ms");
                        if (!results.TryGetValue((configuration, rate), out var list)) results[(configuration, rate)] = list = [];
                        list.Add(run);
                    }
                }
            }
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        return Rows(results);
    }

    private static IEnumerable<Measurement> Rows(Dictionary<(string, double), List<ShapingRun>> results)
    {
        double Median(string configuration, double rate, Func<ShapingRun, double> pick)
        {
            var values = results[(configuration, rate)].Select(pick).Order().ToList();
            return values[values.Count / 2];
        }
        foreach (double rate in Rates)
        {
            string r = $"{rate / 1e6:0}mbit";
            string others = string.Join(", ", Configurations.Select(c => $"{c} {Median(c, rate, x => x.Mbps):0.000} Mbit/s at the limiter, goodput {Median(c, rate, x => x.GoodputMbps):0.000} ({Median(c, rate, x => x.Retransmits):0} retr)"));
            yield return new Measurement($"tc-shape-rate-{r}", "Mbit/s", Better.Higher, Median("shape", rate, x => x.Mbps), rate / 1e6, "target", 0.97, others);
            yield return new Measurement($"tc-police-rate-{r}", "Mbit/s", Better.Higher, Median("police", rate, x => x.Mbps), rate / 1e6, "target", 0.90,
                $"goodput {Median("police", rate, x => x.GoodputMbps):0.000} Mbit/s, {Median("police", rate, x => x.Retransmits):0} retr");
            yield return new Measurement($"tc-shape-vs-htb-rate-{r}", "Mbit/s", Better.Higher, Median("shape", rate, x => x.Mbps), Median("htb", rate, x => x.Mbps), "htb", null, null);
            yield return new Measurement($"tc-shape-cpu-{r}", "CPU s/GB", Better.Lower, Median("shape", rate, x => x.CpuSecondsPerGb), Median("htb", rate, x => x.CpuSecondsPerGb), "htb", 1.0,
                $"police {Median("police", rate, x => x.CpuSecondsPerGb):0.00}, tbf {Median("tbf", rate, x => x.CpuSecondsPerGb):0.00} (iperf3's CPU of both ends)");
            foreach (var configuration in new[] { "shape", "police", "tbf" })
            {
                yield return new Measurement($"tc-{configuration}-rr-p50-{r}", "ms", Better.Lower, Median(configuration, rate, x => x.P50), Median("htb", rate, x => x.P50), "htb", null, null);
                yield return new Measurement($"tc-{configuration}-rr-p99-{r}", "ms", Better.Lower, Median(configuration, rate, x => x.P99), Median("htb", rate, x => x.P99), "htb", null, null);
            }
        }
    }

    private static ShapingRun Measure(VethNamespaces veth, string root, string configuration, double rate)
    {
        var sender = new TcAppTarget("ratelimit", veth.SenderInterface, veth.SenderNamespace) { Root = root };
        var receiverTarget = new TcAppTarget("ratelimit", veth.ReceiverInterface, veth.ReceiverNamespace) { Root = root };
        string rateText = $"{rate / 1e6:0}mbit";
        var limit = Rate.Parse(rateText);
        var key = new RateLimitKey(RateLimitKeyKind.Destination, ClassifierRule.ParseNetwork(VethNamespaces.ReceiverAddress));
        try
        {
            switch (configuration)
            {
                case "shape":
                    using (var controller = RateLimitController.Attach(sender)) controller.Set(new RateLimitRule(key, limit, null, RateLimitMode.Shape));
                    break;
                case "police":
                    using (var controller = RateLimitController.Attach(receiverTarget, new RateLimitAttachOptions { Direction = TcDirection.Ingress }))
                        controller.Set(new RateLimitRule(key, limit));
                    break;
                case "htb":
                    veth.InSender("tc", "qdisc", "replace", "dev", veth.SenderInterface, "root", "handle", "1:", "htb", "default", "10");
                    veth.InSender("tc", "class", "add", "dev", veth.SenderInterface, "parent", "1:", "classid", "1:10", "htb", "rate", rateText, "ceil", rateText);
                    break;
                default:
                    long burst = Math.Max(3000, (long)(rate / 8 / 100));
                    veth.InSender("tc", "qdisc", "replace", "dev", veth.SenderInterface, "root", "tbf", "rate", rateText,
                        "burst", burst.ToString(CultureInfo.InvariantCulture), "latency", "50ms");
                    break;
            }
            using var senderNetns = veth.Sender.Open();
            var times = new List<double>();
            using var stop = new CancellationTokenSource();
            var rr = Task.Run(() =>
            {
                Thread.Sleep(1000);
                using var client = senderNetns.Run(() =>
                {
                    var c = new TcpClient { NoDelay = true, ReceiveTimeout = 3000 };
                    c.Connect(IPAddress.Parse(VethNamespaces.ReceiverAddress), 7);
                    return c;
                });
                var stream = client.GetStream();
                var buffer = new byte[64];
                try
                {
                    while (!stop.IsCancellationRequested && times.Count < 100_000)
                    {
                        long start = Stopwatch.GetTimestamp();
                        stream.Write(buffer);
                        stream.ReadExactly(buffer);
                        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        Thread.Sleep(10);
                    }
                }
                catch (IOException)
                {
                    times.Add(3000);
                }
            });
            var result = Iperf3.Run(veth.ReceiverNamespace, veth.SenderNamespace, VethNamespaces.ReceiverAddress, 5201, Seconds);
            stop.Cancel();
            rr.Wait(TimeSpan.FromSeconds(10));
            var sorted = times.Order().ToList();
            double gigabytes = result.ReceivedBitsPerSecond * result.Seconds / 8 / 1e9;
            double cpuSeconds = (result.SenderCpuPercent + result.ReceiverCpuPercent) / 100 * result.Seconds;
            double requests = times.Count * RequestFrameBytes * 8.0 / result.Seconds;
            return new ShapingRun((result.WireBitsPerSecond() + requests) / 1e6, result.ReceivedBitsPerSecond / 1e6, result.Retransmits,
                gigabytes > 0 ? cpuSeconds / gigabytes : double.NaN,
                sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2], sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))]);
        }
        finally
        {
            RateLimitController.Detach(sender);
            RateLimitController.Detach(receiverTarget);
            ShellCommand.TryRun("nsenter", [$"--net=/var/run/netns/{veth.SenderNamespace}", "--", "tc", "qdisc", "del", "dev", veth.SenderInterface, "root"], out _, out _);
        }
    }
}

#pragma warning disable CA2000 // bench scenario: beds and controllers are disposed by using declarations the analyser misreads inside the mode loop
using System.Net;
using System.Net.NetworkInformation;
using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.Scenarios;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Programs;
using Sluice.Programs.Echo;
using Sluice.Programs.Forward;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpApps;

namespace Sluice.Benchmarks.XdpApps;

/// <summary>
/// Live rates on veth (native XDP): UDP echo datagrams answered (echo, XDP_TX), frames redirected (L2) and routed
/// (router) per second, counted by the programs' own counters over a bounded run of <c>sluice trafficgen</c>'s engine
/// (its AF_PACKET engine, see <see cref="Rate"/>; the one generator every bench and test uses), against the rate the generator offered in the same
/// run (ratio = handled / offered; 1.00x = the program kept up). Runs are bounded to <see cref="MaxPackets"/> frames
/// and <see cref="MaxTime"/> per round, inside the scenario's own namespaces.
/// </summary>
public sealed class XdpForwardVethScenario : IScenario
{
    private const long MaxPackets = 1_000_000;
    private const ushort EchoPort = 7;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);

    public string Name => "xdp-forward-veth";

    public string Description => "echo / L2 redirect / router packets per second on veth (sluice trafficgen) vs the offered rate";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var rows = new List<Measurement>();
        using (var bed = new VethNamespaces())
        using (var pins = new TestPinDirectory())
        {
            var place = new XdpAppPlace(pins.File("echo"), bed.ReceiverNamespace);
            using var echo = EchoController.Attach(place, bed.ReceiverInterface, new EchoAttachOptions { Mode = XdpMode.Native, UdpPorts = [EchoPort] });
            var traffic = new TrafficGenOptions(bed.SenderInterface, new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), EchoPort))
            {
                Namespace = bed.SenderNamespace,
                DestinationMac = Mac(VethNamespaces.ReceiverMac),
                Source = SourceRange.Parse($"{VethNamespaces.SenderAddress}:40000"),
            };
            rows.Add(Rate("xdp-echo-veth", "UDP echo datagrams answered by XDP_TX", rounds, traffic, () => echo.Statistics()[EchoStat.Udp4].Packets));
            EchoController.Detach(place, bed.ReceiverInterface);
        }
        foreach (var mode in new[] { ForwardMode.L2, ForwardMode.Router })
        {
            using var bed = new ForwardingBed(mode);
            using var forward = ForwardController.Open(bed.Place);
            // L2: addressed to b's MAC (redirected pa -> pb); router: to the router's port pa.
            var traffic = new TrafficGenOptions("h0", IPEndPoint.Parse("198.18.2.2:9"))
            {
                Namespace = bed.A.Name,
                DestinationMac = Mac(mode == ForwardMode.L2 ? "02:00:00:00:0b:01" : "02:00:00:00:0a:02"),
                Source = SourceRange.Parse("198.18.1.1:40000"),
            };
            var stat = mode == ForwardMode.L2 ? ForwardStat.Redirect : ForwardStat.Route;
            rows.Add(Rate(mode == ForwardMode.L2 ? "xdp-l2-veth" : "xdp-router-veth",
                mode == ForwardMode.L2 ? "UDP frames redirected pa -> pb" : "UDP frames routed pa -> pb", rounds, traffic,
                () => forward.Statistics().Totals[stat].Packets));
        }
        return rows;
    }

    private static PhysicalAddress Mac(string text) => PhysicalAddress.Parse(text.Replace(':', '-'));

    private static Measurement Rate(string name, string what, int rounds, TrafficGenOptions traffic, Func<ulong> handled)
    {
        // The generator's AF_PACKET engine: echo and the router rewrite frames in place, and on veth a live frame is the
        // generator's own page, which comes back to its pool rewritten (the kernel fills a page from the template once),
        // so the following frames would be replies and routed frames, not requests.
        var run = traffic with { Count = MaxPackets, Duration = MaxTime, Engine = TrafficEngine.PacketSocket };
        new TrafficGenerator(run with { Count = 10_000 }).Run(); // warm-up
        var handledRates = new Samples();
        var offeredRates = new Samples();
        for (int round = 0; round < rounds; round++)
        {
            ulong before = handled();
            var result = new TrafficGenerator(run).Run();
            Thread.Sleep(100);                                   // let the last batch drain through softirq
            handledRates.Add((handled() - before) / result.Elapsed.TotalSeconds);
            offeredRates.Add(result.PacketsPerSecond);
        }
        Console.Error.WriteLine($"  {name}: handled {handledRates.Median:N0}/s (spread {handledRates.Spread:P0}), offered {offeredRates.Median:N0}/s");
        return new Measurement(name, "pkt/s", Better.Higher, handledRates.Median, offeredRates.Median, "offered (trafficgen)", null,
            $"{what}; native XDP on veth, sluice trafficgen (AF_PACKET), <= {MaxPackets:N0} frames / {MaxTime.TotalSeconds:0} s per round, counted by the program");
    }
}

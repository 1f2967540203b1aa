#pragma warning disable CA2000 // bench scenario: beds and controllers are disposed by using declarations the analyser misreads inside the mode loop
using System.Net;
using Sluice.Benchmarks.Harness;
using Sluice.Benchmarks.Scenarios;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Lab.Packets;
using Sluice.Lab.Traffic;
using Sluice.Programs;
using Sluice.Programs.Echo;
using Sluice.Programs.Forward;
using Sluice.Programs.XdpApps;

namespace Sluice.Benchmarks.XdpApps;

/// <summary>
/// Live rates on veth (native XDP): frames answered (echo XDP_TX), redirected (L2) and routed (router) per second,
/// counted by the programs' own counters over a bounded flood from the lab's AF_PACKET sender, against the rate the
/// sender offered in the same run (ratio = handled / offered; 1.00x = the program kept up). Floods are bounded to
/// <see cref="MaxPackets"/> frames and <see cref="MaxTime"/> per round, inside the scenario's own namespaces.
/// </summary>
public sealed class XdpForwardVethScenario : IScenario
{
    private const long MaxPackets = 400_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);

    public string Name => "xdp-forward-veth";

    public string Description => "echo / L2 redirect / router packets per second on veth vs the offered rate";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var rows = new List<Measurement>();
        using (var bed = new VethNamespaces())
        using (var pins = new TestPinDirectory())
        {
            var place = new XdpAppPlace(pins.File("echo"), bed.ReceiverNamespace);
            using var echo = EchoController.Attach(place, bed.ReceiverInterface, new EchoAttachOptions { Mode = XdpMode.Native });
            var frame = PacketBuilder.Icmp4Echo(IPAddress.Parse(VethNamespaces.SenderAddress), IPAddress.Parse(VethNamespaces.ReceiverAddress));
            rows.Add(Rate("xdp-echo-veth", "ICMP echo requests answered by XDP_TX", rounds, bed.SenderNamespace, bed.SenderInterface, frame,
                () => echo.Statistics()[EchoStat.Icmp4].Packets));
            EchoController.Detach(place, bed.ReceiverInterface);
        }
        foreach (var mode in new[] { ForwardMode.L2, ForwardMode.Router })
        {
            using var bed = new ForwardingBed(mode);
            using var forward = ForwardController.Open(bed.Place);
            var frame = PacketBuilder.Udp4(IPAddress.Parse("198.18.1.1"), IPAddress.Parse("198.18.2.2"), 40000, 9, payloadLength: 18);
            // L2: addressed to b's MAC (redirected pa -> pb); router: to the router's port pa.
            Convert.FromHexString(mode == ForwardMode.L2 ? "020000000b01" : "020000000a02").CopyTo(frame, 0);
            Convert.FromHexString("020000000a01").CopyTo(frame, 6);
            var stat = mode == ForwardMode.L2 ? ForwardStat.Redirect : ForwardStat.Route;
            rows.Add(Rate(mode == ForwardMode.L2 ? "xdp-l2-veth" : "xdp-router-veth",
                mode == ForwardMode.L2 ? "UDP frames redirected pa -> pb" : "UDP frames routed pa -> pb", rounds, bed.A.Name, "h0", frame,
                () => forward.Statistics().Totals[stat].Packets));
        }
        return rows;
    }

    private static Measurement Rate(string name, string what, int rounds, string netns, string device, byte[] frame, Func<ulong> handled)
    {
        using var sender = new PacketSender(netns, device, [frame]);
        sender.Flood(10_000, TimeSpan.FromSeconds(1));
        var handledRates = new Samples();
        var offeredRates = new Samples();
        for (int round = 0; round < rounds; round++)
        {
            ulong before = handled();
            var result = sender.Flood(MaxPackets, MaxTime);
            Thread.Sleep(100);                                   // let the last batch drain through softirq
            handledRates.Add((handled() - before) / result.Elapsed.TotalSeconds);
            offeredRates.Add(result.PacketsPerSecond);
        }
        Console.Error.WriteLine($"  {name}: handled {handledRates.Median:N0}/s (spread {handledRates.Spread:P0}), offered {offeredRates.Median:N0}/s");
        return new Measurement(name, "pkt/s", Better.Higher, handledRates.Median, offeredRates.Median, "offered (AF_PACKET)", null,
            $"{what}; native XDP on veth, <= {MaxPackets:N0} frames / {MaxTime.TotalSeconds:0} s per round, counted by the program");
    }
}

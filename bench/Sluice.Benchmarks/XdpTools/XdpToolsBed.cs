using System.Net;
using System.Net.NetworkInformation;
using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;

namespace Sluice.Benchmarks.XdpTools;

/// <summary>
/// The veth bed of the trafficgen and xdp-bench scenarios: the lab's two-host pair (sender → receiver) plus a second
/// pair inside the receiver's namespace (rd0 → rd1, rd1 with an XDP drop program so redirected frames are taken and
/// counted), and a drop program on the sender so XDP_TX'd frames coming back are taken too.
/// </summary>
public sealed class XdpToolsBed : IDisposable
{
    public const string RedirectDevice = "rd0", RedirectPeer = "rd1";
    public static readonly IPEndPoint Destination = IPEndPoint.Parse("198.18.0.2:9");
    private readonly List<IDisposable> _owned = [];

    public XdpToolsBed()
    {
        Pair = new VethNamespaces();
        try
        {
            Pair.InReceiver("ip", "link", "add", RedirectDevice, "type", "veth", "peer", "name", RedirectPeer);
            Pair.InReceiver("ip", "link", "set", RedirectDevice, "up");
            Pair.InReceiver("ip", "link", "set", RedirectPeer, "up");
            SenderNamespace = Own(NetworkNamespace.Open(Pair.SenderNamespace));
            ReceiverNamespace = Own(NetworkNamespace.Open(Pair.ReceiverNamespace));
            SenderSink = Own(XdpBenchProgram.Load(XdpBenchMode.Drop));
            Own(XdpLink.Attach(SenderSink.Program, Pair.SenderInterface, XdpMode.Native, SenderNamespace));
            RedirectSink = Own(XdpBenchProgram.Load(XdpBenchMode.Drop));
            Own(XdpLink.Attach(RedirectSink.Program, RedirectPeer, XdpMode.Native, ReceiverNamespace));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public VethNamespaces Pair { get; }
    public NetworkNamespace SenderNamespace { get; } = null!;
    public NetworkNamespace ReceiverNamespace { get; } = null!;

    /// <summary>Counts (and drops) what comes back to the sender (XDP_TX).</summary>
    public XdpBenchProgram SenderSink { get; } = null!;

    /// <summary>Counts (and drops) what the receiver redirects to rd0.</summary>
    public XdpBenchProgram RedirectSink { get; } = null!;

    /// <summary>The generator's options for <paramref name="count"/> 60-byte UDP frames from one source, as fast as it goes.</summary>
    public TrafficGenOptions Traffic(long count) => new(Pair.SenderInterface, Destination)
    {
        Namespace = Pair.SenderNamespace,
        DestinationMac = PhysicalAddress.Parse(VethNamespaces.ReceiverMac.Replace(':', '-')),
        Source = SourceRange.Parse("198.18.0.1:40000"),
        Count = count,
        Duration = TimeSpan.FromSeconds(20),
        Engine = TrafficEngine.LiveFrames,
    };

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        Pair?.Dispose();
    }
}

using Sluice.Bpf;
using Sluice.Lab;
using Sluice.Programs;
using Sluice.Programs.Echo;
using Sluice.Programs.Forward;
using Sluice.Programs.XdpApps;

namespace Sluice.Benchmarks.XdpApps;

/// <summary>
/// The echo and forwarding programs set up for BPF_PROG_TEST_RUN where they need a namespace: a host namespace (a) and
/// a forwarder namespace (f) joined twice (h0-pa, h1-pb). <see cref="Mode"/> picks l2 (pa and pb paired) or router
/// (pa 198.18.1.254/24, pb 198.18.2.254/24, b's neighbour permanent), attached natively from a private pin root; the
/// echo reflector runs on a's h0. The programs are extra loads sharing the pinned maps.
/// </summary>
internal sealed class ForwardingBed : IDisposable
{
    private readonly LabNetwork _network = new("sluice-bfwd");
    private readonly TestPinDirectory _pins = new();
    private readonly List<BpfCollection> _collections = [];

    internal ForwardingBed(ForwardMode mode)
    {
        Mode = mode;
        try
        {
            A = _network.AddNamespace("a");
            F = _network.AddNamespace("f");
            bool router = mode == ForwardMode.Router;
            _network.Connect(new VethEnd(A, "h0", "02:00:00:00:0a:01", "198.18.1.1/24"), new VethEnd(F, "pa", "02:00:00:00:0a:02", router ? ["198.18.1.254/24"] : []));
            _network.Connect(new VethEnd(A, "h1", "02:00:00:00:0b:01", "198.18.2.2/24"), new VethEnd(F, "pb", "02:00:00:00:0b:02", router ? ["198.18.2.254/24"] : []));
            Place = new XdpAppPlace(_pins.File("forward"), F.Name);
            using (ForwardController.Attach(Place, ["pa", "pb"], new ForwardAttachOptions { Mode = mode, XdpMode = XdpMode.Native })) { }
            EchoPlace = new XdpAppPlace(_pins.File("echo"), A.Name);
            using (EchoController.Attach(EchoPlace, "h0", new EchoAttachOptions { Mode = XdpMode.Native, UdpPorts = [7] })) { }
            using var netns = F.Open();
            IngressIndex = netns.GetInterfaceIndex("pa");
            Forward = Load(ForwardNames.Object, Place.NamespaceDirectory).Program(ForwardNames.Program);
            Echo = Load(EchoNames.Object, $"{EchoPlace.NamespaceDirectory}/h0").Program(EchoNames.Program);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal ForwardMode Mode { get; }
    internal LabNamespace A { get; } = null!;
    internal LabNamespace F { get; } = null!;
    internal XdpAppPlace Place { get; } = null!;
    internal XdpAppPlace EchoPlace { get; } = null!;
    internal int IngressIndex { get; }
    internal BpfProgram Forward { get; } = null!;
    internal BpfProgram Echo { get; } = null!;

    private BpfCollection Load(string objectName, string pinDirectory)
    {
        var collection = BpfCollection.Load(EmbeddedObjects.Read(objectName), new CollectionOptions { PinPath = pinDirectory });
        _collections.Add(collection);
        return collection;
    }

    public void Dispose()
    {
        foreach (var collection in _collections) collection.Dispose();
        if (Place is not null) ForwardController.Detach(Place);
        if (EchoPlace is not null) EchoController.Detach(EchoPlace, "h0");
        _network.Dispose();
        _pins.Dispose();
    }
}

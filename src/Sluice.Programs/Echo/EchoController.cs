using Sluice.Bpf;
using Sluice.Programs.XdpApps;

namespace Sluice.Programs.Echo;

/// <summary>Options of <see cref="EchoController.Attach"/>.</summary>
public sealed record EchoAttachOptions
{
    /// <summary>The XDP mode (best: native where the driver has it).</summary>
    public XdpMode Mode { get; init; } = XdpMode.BestAvailable;

    /// <summary>UDP ports to echo (added to those already configured).</summary>
    public IReadOnlyList<ushort> UdpPorts { get; init; } = [];
}

/// <summary>The attachment of an echo reflector.</summary>
/// <param name="Interface">The interface.</param>
/// <param name="Namespace">Its namespace name, or null.</param>
/// <param name="Mode">The XDP mode it runs in (null: the link is defunct).</param>
/// <param name="ProgramId">The program id (0: defunct).</param>
/// <param name="UdpPorts">The UDP echo ports, ascending.</param>
/// <param name="VethChanges">What attach changed on the veth peer (empty when nothing or not a veth).</param>
/// <param name="PinDirectory">Where the state is pinned.</param>
public sealed record EchoStatus(string Interface, string? Namespace, XdpMode? Mode, uint ProgramId, IReadOnlyList<ushort> UdpPorts,
    IReadOnlyList<SetupChange> VethChanges, string PinDirectory);

/// <summary>
/// Attaches and drives the XDP echo reflector (bpf/echo.bpf.c) on one interface: ICMP / ICMPv6 echo and UDP echo on
/// configured ports answered with XDP_TX. State (ports, counters, link) is pinned under
/// /sys/fs/bpf/sluice/echo/&lt;netns&gt;/&lt;interface&gt;/, so every controller sees the same reflector; disposing one detaches nothing.
/// </summary>
public sealed class EchoController : IDisposable
{
    private readonly BpfHashMap<ushort, byte> _ports;
    private readonly BpfPerCpuArray<EchoCounter> _stats;

    private EchoController(XdpAppPlace place, string interfaceName, BpfHashMap<ushort, byte> ports, BpfPerCpuArray<EchoCounter> stats)
    {
        Place = place;
        Interface = interfaceName;
        _ports = ports;
        _stats = stats;
    }

    /// <summary>The namespace and pin root.</summary>
    public XdpAppPlace Place { get; }

    /// <summary>The interface the reflector runs on.</summary>
    public string Interface { get; }

    /// <summary>What the last <see cref="Attach"/> changed on the veth peer (empty for a controller from <see cref="Open"/>).</summary>
    public IReadOnlyList<SetupChange> VethChanges { get; private set; } = [];

    /// <summary>The pin directory of the reflector on <paramref name="interfaceName"/>.</summary>
    public static string PinDirectory(XdpAppPlace place, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(place);
        return $"{place.NamespaceDirectory}/{XdpAppPlace.ValidName(interfaceName, "interface", 15)}";
    }

    /// <summary>
    /// Loads the reflector with its maps pinned, attaches it to <paramref name="interfaceName"/> through a pinned link
    /// (attaching again swaps the program in and keeps ports and counters), adds the UDP ports, and on a veth in native
    /// mode turns GRO on and TX checksum offload off on the peer (see <see cref="VethChanges"/>).
    /// </summary>
    /// <exception cref="XdpAppException">Unknown namespace or interface, hook taken, mode not supported, no privileges.</exception>
    public static EchoController Attach(XdpAppPlace place, string interfaceName, EchoAttachOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(place);
        options ??= new EchoAttachOptions();
        string directory = PinDirectory(place, interfaceName);
        using var netns = place.OpenNamespace();
        int index = place.ResolveInterface(interfaceName, netns);
        bool created = !Directory.Exists(directory);
        try
        {
            using var collection = PinnedXdp.Load(EchoNames.Object, directory);
            var mode = PinnedXdp.AttachLink(collection.Program(EchoNames.Program), interfaceName, index, options.Mode, netns, $"{directory}/{EchoNames.Link}");
            var changes = VethPreparation.Prepare(interfaceName, netns, mode, $"{directory}/{EchoNames.PeerLink}");
            var controller = Open(place, interfaceName);
            controller.VethChanges = changes;
            foreach (var port in options.UdpPorts) controller.AddUdpPort(port);
            return controller;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            if (created) TryRemove(directory, place.Root);
            throw XdpAppErrors.Explain(error, $"attaching echo to {place.Describe(interfaceName)}");
        }
    }

    /// <summary>Opens the reflector attached to <paramref name="interfaceName"/>.</summary>
    /// <exception cref="XdpAppException">Kind <see cref="XdpAppError.NotAttached"/> when none is pinned there.</exception>
    public static EchoController Open(XdpAppPlace place, string interfaceName)
    {
        string directory = PinDirectory(place, interfaceName);
        if (!File.Exists($"{directory}/{EchoNames.Stats}"))
            throw new XdpAppException(XdpAppError.NotAttached, $"no echo reflector on {place.Describe(interfaceName)}");
        try
        {
            var ports = new BpfHashMap<ushort, byte>(BpfMap.OpenPinned($"{directory}/{EchoNames.UdpPorts}"), ownsMap: true);
            try
            {
                var stats = new BpfPerCpuArray<EchoCounter>(BpfMap.OpenPinned($"{directory}/{EchoNames.Stats}"), ownsMap: true);
                return new EchoController(place, interfaceName, ports, stats);
            }
            catch
            {
                ports.Dispose();
                throw;
            }
        }
        catch (Exception error) when (error is BpfException or UnauthorizedAccessException or FileNotFoundException)
        {
            throw XdpAppErrors.Explain(error, $"opening the echo reflector on {place.Describe(interfaceName)}");
        }
    }

    /// <summary>Every reflector pinned under <paramref name="root"/>, as (namespace or null, interface), sorted.</summary>
    public static IReadOnlyList<(string? Namespace, string Interface)> ListAttached(string root = EchoNames.DefaultRoot)
    {
        var result = new List<(string?, string)>();
        if (!Directory.Exists(root)) return result;
        foreach (var namespaceDirectory in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(namespaceDirectory);
            foreach (var interfaceDirectory in Directory.GetDirectories(namespaceDirectory).Order(StringComparer.Ordinal))
                result.Add((label == XdpAppPlace.DefaultNamespaceLabel ? null : label, Path.GetFileName(interfaceDirectory)));
        }
        return result;
    }

    /// <summary>
    /// Detaches the reflector (and the pass-through program it put on a veth peer) and removes its pins; false when none
    /// was pinned. Offload settings made on a veth peer stay.
    /// </summary>
    public static bool Detach(XdpAppPlace place, string interfaceName)
    {
        string directory = PinDirectory(place, interfaceName);
        if (!Directory.Exists(directory)) return false;
        try
        {
            PinnedXdp.DetachLink($"{directory}/{EchoNames.Link}");
            PinnedXdp.DetachLink($"{directory}/{EchoNames.PeerLink}");
            PinnedXdp.RemoveDirectory(directory, place.Root);
        }
        catch (Exception error) when (error is BpfException or UnauthorizedAccessException or IOException)
        {
            throw XdpAppErrors.Explain(error, $"detaching echo from {place.Describe(interfaceName)}");
        }
        return true;
    }

    /// <summary>Echoes UDP datagrams to <paramref name="port"/> (1..65535); false when it was already on.</summary>
    /// <exception cref="XdpAppException">Port 0, or the table is full.</exception>
    public bool AddUdpPort(ushort port)
    {
        if (port == 0) throw new XdpAppException(XdpAppError.InvalidArgument, "UDP port 0 cannot be echoed");
        if (_ports.TryLookup(port, out _)) return false;
        try
        {
            _ports.Update(port, 1);
        }
        catch (BpfException error) when (error.Errno == 7 /* E2BIG */)
        {
            throw new XdpAppException(XdpAppError.InvalidArgument, $"at most {EchoNames.MaxUdpPorts} UDP echo ports", error);
        }
        return true;
    }

    /// <summary>Stops echoing UDP port <paramref name="port"/>; false when it was not on.</summary>
    public bool RemoveUdpPort(ushort port) => _ports.Delete(port);

    /// <summary>The UDP echo ports, ascending.</summary>
    public IReadOnlyList<ushort> UdpPorts => [.. _ports.Keys.Order()];

    /// <summary>Counters per <see cref="EchoStat"/>, summed over CPUs.</summary>
    public IReadOnlyDictionary<EchoStat, EchoCounter> Statistics()
    {
        var result = new Dictionary<EchoStat, EchoCounter>();
        var perCpu = new EchoCounter[_stats.CpuCount];
        foreach (var stat in Enum.GetValues<EchoStat>())
        {
            var sum = default(EchoCounter);
            if (_stats.TryLookup((uint)stat, perCpu))
            {
                foreach (var counter in perCpu)
                {
                    sum.Packets += counter.Packets;
                    sum.Bytes += counter.Bytes;
                }
            }
            result[stat] = sum;
        }
        return result;
    }

    /// <summary>The attachment: mode, program, ports.</summary>
    public EchoStatus Status()
    {
        string directory = PinDirectory(Place, Interface);
        uint program = PinnedXdp.LinkedProgram($"{directory}/{EchoNames.Link}");
        XdpMode? mode = null;
        if (program != 0)
        {
            using var netns = Place.OpenNamespace();
            mode = PinnedXdp.CurrentMode(Interface, netns, program);
        }
        return new EchoStatus(Interface, Place.Namespace, mode, program, UdpPorts, VethChanges, directory);
    }

    /// <summary>Closes this controller's map fds; the reflector stays attached.</summary>
    public void Dispose()
    {
        _ports.Dispose();
        _stats.Dispose();
    }

    private static void TryRemove(string directory, string root)
    {
        try
        {
            PinnedXdp.DetachLink($"{directory}/{EchoNames.Link}");
            PinnedXdp.DetachLink($"{directory}/{EchoNames.PeerLink}");
            PinnedXdp.RemoveDirectory(directory, root);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or BpfException)
        {
            // Leftovers are removed by the next detach; the attach error is what the caller must see.
        }
    }
}

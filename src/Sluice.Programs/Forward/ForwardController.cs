using Sluice.Bpf;
using Sluice.Programs.XdpApps;

namespace Sluice.Programs.Forward;

/// <summary>Options of <see cref="ForwardController.Attach"/>.</summary>
public sealed record ForwardAttachOptions
{
    /// <summary>L2 port forwarding (default) or router.</summary>
    public ForwardMode Mode { get; init; } = ForwardMode.L2;

    /// <summary>The XDP mode of every port (best: native where the driver has it).</summary>
    public XdpMode XdpMode { get; init; } = XdpMode.BestAvailable;

    /// <summary>Put the ports in the flood group (L2 group addresses reach them).</summary>
    public bool Flood { get; init; } = true;

    /// <summary>CPUs to steer flows over by hash (CPUMAP); null leaves steering as it is, empty turns it off.</summary>
    public IReadOnlyList<int>? SteerCpus { get; init; }
}

/// <summary>One port of a forwarder.</summary>
/// <param name="Interface">The port's interface.</param>
/// <param name="Index">Its ifindex (0: the interface is gone).</param>
/// <param name="Egress">L2: where its frames go (null: to the stack).</param>
/// <param name="Flood">Whether it is in the flood group.</param>
/// <param name="Mode">The XDP mode the program runs in (null: defunct link).</param>
/// <param name="ProgramId">The program id on the port.</param>
public sealed record ForwardPort(string Interface, int Index, string? Egress, bool Flood, XdpMode? Mode, uint ProgramId);

/// <summary>
/// The XDP forwarding plane of one network namespace (bpf/forward.bpf.c): ports (each running forward_xdp through a
/// pinned link), L2 pairs and the flood group in DEVMAPs, router mode through the kernel FIB, CPUMAP steering. State is
/// pinned under /sys/fs/bpf/sluice/forward/&lt;netns&gt;/ (maps) and &lt;netns&gt;/&lt;port&gt;/xdp_link; disposing a controller
/// detaches nothing. DEVMAP entries are written from a thread inside the namespace, where the kernel resolves ifindexes.
/// </summary>
public sealed partial class ForwardController : IDisposable
{
    private readonly BpfArrayMap<ForwardConfigValue> _config;
    private readonly BpfDevMapHash _l2;
    private readonly BpfDevMapHash _flood;
    private readonly BpfDevMapHash _ports;
    private readonly BpfCpuMap _cpuMap;
    private readonly BpfArrayMap<uint> _cpus;
    private readonly BpfPerCpuArray<ForwardCounter> _stats;

    private ForwardController(XdpAppPlace place, Func<string, BpfMap> open)
    {
        Place = place;
        var opened = new List<IDisposable>();
#pragma warning disable CA2000 // every view is tracked and disposed in the catch below; the analyser cannot follow Track
        try
        {
            _config = Track(new BpfArrayMap<ForwardConfigValue>(open(ForwardNames.Config), ownsMap: true));
            _l2 = Track(new BpfDevMapHash(open(ForwardNames.L2), ownsMap: true));
            _flood = Track(new BpfDevMapHash(open(ForwardNames.Flood), ownsMap: true));
            _ports = Track(new BpfDevMapHash(open(ForwardNames.Ports), ownsMap: true));
            _cpuMap = Track(new BpfCpuMap(open(ForwardNames.CpuMap), ownsMap: true));
            _cpus = Track(new BpfArrayMap<uint>(open(ForwardNames.Cpus), ownsMap: true));
            _stats = Track(new BpfPerCpuArray<ForwardCounter>(open(ForwardNames.Stats), ownsMap: true));
        }
        catch
        {
            foreach (var view in opened) view.Dispose();
            throw;
        }
#pragma warning restore CA2000

        T Track<T>(T view) where T : IDisposable
        {
            opened.Add(view);
            return view;
        }
    }

    /// <summary>The namespace and pin root.</summary>
    public XdpAppPlace Place { get; }

    /// <summary>What the last attach or port add changed outside the programs (veth peers, forwarding sysctls).</summary>
    public IReadOnlyList<SetupChange> SetupChanges { get; private set; } = [];

    /// <summary>The forwarding mode.</summary>
    public ForwardMode Mode => (ForwardMode)_config[0].Mode;

    /// <summary>True when a forwarder is pinned for <paramref name="place"/>.</summary>
    public static bool IsAttached(XdpAppPlace place)
    {
        ArgumentNullException.ThrowIfNull(place);
        return File.Exists($"{place.NamespaceDirectory}/{ForwardNames.Config}");
    }

    /// <summary>
    /// Creates (or extends) the forwarder of <paramref name="place"/>'s namespace: sets the mode, makes every interface of
    /// <paramref name="ports"/> a port (program attached, in the port set and the flood group), pairs two ports both
    /// ways in L2 mode when exactly two are given, applies steering, and sets up what native XDP on veth needs (GRO on
    /// and TX checksum offload off on the peers) and, for the router, IPv4/IPv6 forwarding in the namespace.
    /// </summary>
    /// <exception cref="XdpAppException">Unknown namespace or interface (nothing is changed then), hook taken, no privileges.</exception>
    public static ForwardController Attach(XdpAppPlace place, IReadOnlyList<string> ports, ForwardAttachOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(place);
        ArgumentNullException.ThrowIfNull(ports);
        options ??= new ForwardAttachOptions();
        if (ports.Count == 0) throw new XdpAppException(XdpAppError.InvalidArgument, "a forwarder needs at least one port");
        if (ports.Distinct(StringComparer.Ordinal).Count() != ports.Count)
            throw new XdpAppException(XdpAppError.InvalidArgument, $"a port is given twice ({string.Join(", ", ports)})");
        if (ports.Count > ForwardNames.MaxPorts)
            throw new XdpAppException(XdpAppError.InvalidArgument, $"at most {ForwardNames.MaxPorts} ports");
        using (var netns = place.OpenNamespace())
        {
            foreach (var port in ports) place.ResolveInterface(port, netns);
        }
        CheckCpus(options.SteerCpus);
        bool created = !Directory.Exists(place.NamespaceDirectory);
        try
        {
            using (PinnedXdp.Load(ForwardNames.Object, place.NamespaceDirectory)) { }
            var controller = Open(place);
            try
            {
                controller._config[0] = controller._config[0] with { Mode = options.Mode };
                var changes = new List<SetupChange>();
                if (options.Mode == ForwardMode.Router) changes.AddRange(ForwardSysctls.EnableForwarding(place));
                foreach (var port in ports) changes.AddRange(controller.AttachPort(port, options.XdpMode, options.Flood));
                if (options.Mode == ForwardMode.L2 && ports.Count == 2)
                {
                    controller.SetEgress(ports[0], ports[1]);
                    controller.SetEgress(ports[1], ports[0]);
                }
                if (options.SteerCpus is { } cpus) controller.SetSteering(cpus);
                controller.SetupChanges = changes;
                return controller;
            }
            catch
            {
                controller.Dispose();
                throw;
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            if (created) TryDetach(place);
            throw XdpAppErrors.Explain(error, $"attaching the forwarder in {NamespaceText(place)}");
        }
    }

    /// <summary>Opens the forwarder of <paramref name="place"/>'s namespace.</summary>
    /// <exception cref="XdpAppException">Kind <see cref="XdpAppError.NotAttached"/> when none is pinned.</exception>
    public static ForwardController Open(XdpAppPlace place)
    {
        if (!IsAttached(place)) throw new XdpAppException(XdpAppError.NotAttached, $"no forwarder in {NamespaceText(place)}");
        try
        {
            return new ForwardController(place, name => BpfMap.OpenPinned($"{place.NamespaceDirectory}/{name}"));
        }
        catch (Exception error) when (error is BpfException or UnauthorizedAccessException or FileNotFoundException or InvalidOperationException)
        {
            throw XdpAppErrors.Explain(error, $"opening the forwarder in {NamespaceText(place)}");
        }
    }

    /// <summary>Detaches every port and removes all pins; false when no forwarder was pinned. Veth and sysctl settings stay.</summary>
    public static bool Detach(XdpAppPlace place)
    {
        ArgumentNullException.ThrowIfNull(place);
        if (!Directory.Exists(place.NamespaceDirectory)) return false;
        try
        {
            foreach (var directory in Directory.GetDirectories(place.NamespaceDirectory))
                PinnedXdp.DetachLink($"{directory}/{ForwardNames.Link}");
            PinnedXdp.RemoveDirectory(place.NamespaceDirectory, place.Root);
        }
        catch (Exception error) when (error is BpfException or UnauthorizedAccessException or IOException)
        {
            throw XdpAppErrors.Explain(error, $"detaching the forwarder in {NamespaceText(place)}");
        }
        return true;
    }

    /// <summary>Namespaces (null: the caller's) that have a forwarder pinned under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string?> ListAttached(string root = ForwardNames.DefaultRoot) =>
        !Directory.Exists(root) ? [] : [.. Directory.GetDirectories(root).Order(StringComparer.Ordinal)
            .Where(d => File.Exists($"{d}/{ForwardNames.Config}"))
            .Select(d => Path.GetFileName(d) is var label && label == XdpAppPlace.DefaultNamespaceLabel ? null : label)];

    private static void TryDetach(XdpAppPlace place)
    {
        try
        {
            Detach(place);
        }
        catch (XdpAppException)
        {
            // Leftovers are removed by the next detach; the attach error is what the caller must see.
        }
    }

    private static string NamespaceText(XdpAppPlace place) =>
        place.Namespace is null ? "this network namespace" : $"network namespace '{place.Namespace}'";

    /// <summary>Closes this controller's map fds; the forwarder stays.</summary>
    public void Dispose()
    {
        _config?.Dispose();
        _l2?.Dispose();
        _flood?.Dispose();
        _ports?.Dispose();
        _cpuMap?.Dispose();
        _cpus?.Dispose();
        _stats?.Dispose();
    }
}

using Sluice.Bpf;
using Sluice.Programs.XdpApps;

namespace Sluice.Programs.Forward;

public sealed partial class ForwardController
{
    /// <summary>
    /// Makes <paramref name="interfaceName"/> a port (program attached through a pinned link, in the port set, and in
    /// the flood group when <paramref name="flood"/>), optionally forwarding its L2 traffic to port <paramref name="egress"/>.
    /// </summary>
    /// <exception cref="XdpAppException">No such interface in the namespace; the egress is not a port; a loop.</exception>
    public void AddPort(string interfaceName, string? egress = null, bool flood = true, XdpMode mode = XdpMode.BestAvailable)
    {
        using (var netns = Place.OpenNamespace())
        {
            Place.ResolveInterface(interfaceName, netns);
            if (egress is not null && egress != interfaceName && !IsPort(egress)) throw NotAPort(egress);
        }
        if (egress == interfaceName) throw Loop(interfaceName);
        try
        {
            SetupChanges = AttachPort(interfaceName, mode, flood);
            if (egress is not null) SetEgress(interfaceName, egress);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw XdpAppErrors.Explain(error, $"adding port {Place.Describe(interfaceName)}");
        }
    }

    /// <summary>Detaches port <paramref name="interfaceName"/> and removes it from every map (pairs pointing at it too).</summary>
    /// <exception cref="XdpAppException">Kind <see cref="XdpAppError.NotAPort"/>.</exception>
    public void RemovePort(string interfaceName)
    {
        if (!IsPort(interfaceName)) throw NotAPort(interfaceName);
        string directory = PortDirectory(interfaceName);
        using var netns = Place.OpenNamespace();
        int? index = netns is null ? InterfaceIndexHere(interfaceName) : netns.TryGetInterfaceIndex(interfaceName);
        PinnedXdp.DetachLink($"{directory}/{ForwardNames.Link}");
        if (index is { } ifIndex)
        {
            uint key = (uint)ifIndex;
            _ports.Delete(key);
            _flood.Delete(key);
            _l2.Delete(key);
            foreach (var ingress in _l2.Keys.ToList())
                if (_l2.TryGet(ingress, out var entry) && entry.IfIndex == key) _l2.Delete(ingress);
        }
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>L2: sends frames arriving on port <paramref name="ingress"/> out of port <paramref name="egress"/> (null: to the stack).</summary>
    /// <exception cref="XdpAppException">Either is not a port; <paramref name="egress"/> is <paramref name="ingress"/> (a redirect loop).</exception>
    public void SetEgress(string ingress, string? egress)
    {
        if (!IsPort(ingress)) throw NotAPort(ingress);
        if (egress == ingress) throw Loop(ingress);
        if (egress is not null && !IsPort(egress)) throw NotAPort(egress);
        using var netns = Place.OpenNamespace();
        int ingressIndex = Place.ResolveInterface(ingress, netns);
        if (egress is null)
        {
            _l2.Delete((uint)ingressIndex);
            return;
        }
        int egressIndex = Place.ResolveInterface(egress, netns);
        InNamespace(netns, () => _l2.Set((uint)ingressIndex, (uint)egressIndex));
    }

    /// <summary>Puts port <paramref name="interfaceName"/> in or out of the flood group.</summary>
    public void SetFlood(string interfaceName, bool flood)
    {
        if (!IsPort(interfaceName)) throw NotAPort(interfaceName);
        using var netns = Place.OpenNamespace();
        int index = Place.ResolveInterface(interfaceName, netns);
        if (flood) InNamespace(netns, () => _flood.Set((uint)index, (uint)index));
        else _flood.Delete((uint)index);
    }

    /// <summary>
    /// Steers flows by hash over <paramref name="cpus"/> (empty: off). Each CPU gets a CPUMAP entry running forward_cpu,
    /// which forwards the frame there.
    /// </summary>
    /// <exception cref="XdpAppException">A CPU that does not exist, or too many.</exception>
    public void SetSteering(IReadOnlyList<int> cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        CheckCpus(cpus);
        var config = _config[0];
        _config[0] = config with { CpuCount = 0 };
        for (uint cpu = 0; cpu < Math.Min(PossibleCpus.Count, ForwardNames.MaxCpus); cpu++)
            if (_cpuMap.TryGet(cpu, out _)) _cpuMap.Delete(cpu);
        if (cpus.Count == 0) return;
        using var collection = PinnedXdp.Load(ForwardNames.Object, Place.NamespaceDirectory);
        var program = collection.Program(ForwardNames.CpuProgram);
        for (int slot = 0; slot < cpus.Count; slot++)
        {
            _cpuMap.Set((uint)cpus[slot], ForwardNames.CpuQueueSize, program.Fd);
            _cpus[(uint)slot] = (uint)cpus[slot];
        }
        _config[0] = config with { CpuCount = (uint)cpus.Count };
    }

    /// <summary>The CPUs flows are steered over (empty: no steering).</summary>
    public IReadOnlyList<int> SteeringCpus
    {
        get
        {
            uint count = _config[0].CpuCount;
            return [.. Enumerable.Range(0, (int)count).Select(slot => (int)_cpus[(uint)slot])];
        }
    }

    /// <summary>Every port, by name.</summary>
    public IReadOnlyList<ForwardPort> Ports()
    {
        using var netns = Place.OpenNamespace();
        var names = PortNames();
        var indexes = names.ToDictionary(n => n, n => (netns is null ? InterfaceIndexHere(n) : netns.TryGetInterfaceIndex(n)) ?? 0, StringComparer.Ordinal);
        var byIndex = indexes.Where(p => p.Value != 0).ToDictionary(p => (uint)p.Value, p => p.Key);
        var result = new List<ForwardPort>();
        foreach (var name in names)
        {
            int index = indexes[name];
            string? egress = index != 0 && _l2.TryGet((uint)index, out var entry) ? byIndex.GetValueOrDefault(entry.IfIndex, $"ifindex {entry.IfIndex}") : null;
            bool flood = index != 0 && _flood.TryGet((uint)index, out _);
            uint program = PinnedXdp.LinkedProgram($"{PortDirectory(name)}/{ForwardNames.Link}");
            XdpMode? mode = program == 0 || index == 0 ? null : PinnedXdp.CurrentMode(name, netns, program);
            result.Add(new ForwardPort(name, index, egress, flood, mode, program));
        }
        return result;
    }

    /// <summary>True when <paramref name="interfaceName"/> is a port of this forwarder.</summary>
    public bool IsPort(string interfaceName) =>
        File.Exists($"{PortDirectory(XdpAppPlace.ValidName(interfaceName, "interface", 15))}/{ForwardNames.Link}");

    private IReadOnlyList<SetupChange> AttachPort(string interfaceName, XdpMode mode, bool flood)
    {
        using var netns = Place.OpenNamespace();
        int index = Place.ResolveInterface(interfaceName, netns);
        if (!IsPort(interfaceName) && PortNames().Count >= ForwardNames.MaxPorts)
            throw new XdpAppException(XdpAppError.InvalidArgument, $"at most {ForwardNames.MaxPorts} ports");
        using var collection = PinnedXdp.Load(ForwardNames.Object, Place.NamespaceDirectory);
        var running = PinnedXdp.AttachLink(collection.Program(ForwardNames.Program), interfaceName, index, mode, netns,
            $"{PortDirectory(interfaceName)}/{ForwardNames.Link}");
        InNamespace(netns, () =>
        {
            _ports.Set((uint)index, (uint)index);
            if (flood) _flood.Set((uint)index, (uint)index);
        });
        return VethPreparation.Prepare(interfaceName, netns, running);
    }

    private List<string> PortNames() =>
        !Directory.Exists(Place.NamespaceDirectory) ? [] : [.. Directory.GetDirectories(Place.NamespaceDirectory)
            .Where(d => File.Exists($"{d}/{ForwardNames.Link}")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    private string PortDirectory(string interfaceName) => $"{Place.NamespaceDirectory}/{interfaceName}";

    private static int? InterfaceIndexHere(string interfaceName)
    {
        try
        {
            return Xdp.Query(interfaceName).InterfaceIndex;
        }
        catch (BpfAttachException)
        {
            return null;
        }
    }

    /// <summary>DEVMAP updates resolve ifindexes in the updating thread's namespace: do them there.</summary>
    private static void InNamespace(NetworkNamespace? netns, Action action)
    {
        if (netns is null) action();
        else netns.Run(action);
    }

    private static void CheckCpus(IReadOnlyList<int>? cpus)
    {
        if (cpus is null) return;
        if (cpus.Count > ForwardNames.MaxCpus)
            throw new XdpAppException(XdpAppError.InvalidArgument, $"at most {ForwardNames.MaxCpus} steering CPUs");
        int possible = PossibleCpus.Count;
        foreach (var cpu in cpus)
            if (cpu < 0 || cpu >= Math.Min(possible, ForwardNames.MaxCpus))
                throw new XdpAppException(XdpAppError.InvalidArgument, $"CPU {cpu} does not exist (this machine has CPUs 0-{possible - 1})");
        if (cpus.Distinct().Count() != cpus.Count)
            throw new XdpAppException(XdpAppError.InvalidArgument, "a steering CPU is given twice");
    }

    private XdpAppException NotAPort(string interfaceName) =>
        new(XdpAppError.NotAPort, $"{Place.Describe(interfaceName)} is not a port of the forwarder");

    private XdpAppException Loop(string interfaceName) =>
        new(XdpAppError.RedirectLoop, $"{Place.Describe(interfaceName)} cannot forward to itself (a redirect loop)");
}

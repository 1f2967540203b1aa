namespace Sluice.Lab;

/// <summary>One end of a veth pair in a <see cref="LabNetwork"/>.</summary>
/// <param name="Namespace">The namespace the end lives in.</param>
/// <param name="Interface">Its name (at most 15 characters).</param>
/// <param name="Mac">Its MAC address ("02:00:00:00:00:01"); fixed, so permanent neighbour entries can name it.</param>
/// <param name="Addresses">Addresses with prefix length ("198.18.0.1/24", "fd00::1/64"); may be empty.</param>
public sealed record VethEnd(LabNamespace Namespace, string Interface, string Mac, params IReadOnlyList<string> Addresses)
{
    /// <summary>The addresses without their prefix lengths.</summary>
    public IEnumerable<string> Hosts => Addresses.Select(address => address.Split('/')[0]);
}

/// <summary>
/// A throwaway network of any number of namespaces joined by veth pairs, for tests, the demo and benchmarks
/// (two hosts; a client, a router and a server; a load balancer and its backends). Every namespace is named
/// <c>{prefix}{pid}-{n}{suffix}</c>, and creating a network first deletes the namespaces with the same prefix whose
/// process is gone. Dispose deletes every namespace, which destroys the veth pairs and everything attached to them;
/// a failed build cleans up after itself too.
/// </summary>
/// <example>
/// <code>
/// using var network = new LabNetwork("sluice-fwd");
/// var client = network.AddNamespace("c");
/// var router = network.AddNamespace("r");
/// network.Connect(new VethEnd(client, "c0", "02:00:00:00:01:01", "198.18.1.1/24"),
///                 new VethEnd(router, "r0", "02:00:00:00:01:02", "198.18.1.2/24"));
/// </code>
/// </example>
public sealed class LabNetwork : IDisposable
{
    private readonly string _stem;
    private readonly List<LabNamespace> _namespaces = [];

    /// <summary>Starts an empty network; sweeps namespaces with <paramref name="prefix"/> left by dead processes.</summary>
    public LabNetwork(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        LabNamespace.SweepOrphans(prefix);
        Prefix = prefix;
        _stem = LabNamespace.UniqueStem(prefix);
    }

    /// <summary>The prefix every namespace name of this network starts with.</summary>
    public string Prefix { get; }

    /// <summary>The namespaces created so far, in order.</summary>
    public IReadOnlyList<LabNamespace> Namespaces => _namespaces;

    /// <summary>Creates namespace <c>{prefix}{pid}-{n}{suffix}</c> with its loopback up.</summary>
    /// <exception cref="InvalidOperationException">A tool failed (e.g. not root).</exception>
    public LabNamespace AddNamespace(string suffix)
    {
        var created = LabNamespace.CreateNamed(_stem + suffix);
        _namespaces.Add(created);
        return created;
    }

    /// <summary>
    /// Creates a veth pair between <paramref name="first"/> and <paramref name="second"/>, gives each end its MAC and
    /// addresses, brings both up and adds permanent neighbour entries for every address of the other end, so no ARP or
    /// neighbour discovery races the first packets. IPv6 addresses skip duplicate address detection.
    /// </summary>
    /// <exception cref="InvalidOperationException">A tool failed (name taken, bad address).</exception>
    public void Connect(VethEnd first, VethEnd second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        first.Namespace.Run("ip", "link", "add", first.Interface, "address", first.Mac, "type", "veth",
            "peer", "name", second.Interface, "address", second.Mac, "netns", second.Namespace.Name);
        foreach (var (end, peer) in new[] { (first, second), (second, first) })
        {
            foreach (var address in end.Addresses)
            {
                if (address.Contains(':', StringComparison.Ordinal))
                    end.Namespace.Run("ip", "-6", "addr", "add", address, "dev", end.Interface, "nodad");
                else
                    end.Namespace.Run("ip", "addr", "add", address, "dev", end.Interface);
            }
            end.Namespace.Run("ip", "link", "set", end.Interface, "up");
            foreach (var host in peer.Hosts)
                end.Namespace.Run("ip", "neigh", "replace", host, "lladdr", peer.Mac, "dev", end.Interface, "nud", "permanent");
        }
    }

    /// <summary>Deletes every namespace of the network (and with them the veth pairs and their attachments).</summary>
    public void Dispose()
    {
        foreach (var created in _namespaces) created.Dispose();
        _namespaces.Clear();
    }
}

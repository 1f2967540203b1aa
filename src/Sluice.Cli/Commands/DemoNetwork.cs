using Sluice.Lab;

namespace Sluice.Cli.Commands;

/// <summary>
/// The demo's throwaway network, a lab bed of two namespaces: "sluice-demo-PID-N-srv" (the server, interface demo-srv,
/// 198.18.0.2/24) and "sluice-demo-PID-N-net" (the internet: the legitimate client 198.18.0.1, a noisy host
/// 198.18.0.100 and an attacker spoofing 198.19.0.0/16), joined by a veth pair. Dispose deletes both namespaces, which
/// destroys the veth pair and every attachment on it; creation first sweeps namespaces left by demos that were killed.
/// </summary>
internal sealed class DemoNetwork : IDisposable
{
    internal const string Prefix = "sluice-demo-";
    internal const string ServerInterface = "demo-srv";
    internal const string ClientInterface = "demo-cli";
    internal const string ServerAddress = "198.18.0.2";
    internal const string ClientAddress = "198.18.0.1";
    internal const string NoisyAddress = "198.18.0.100";
    private const string ServerMac = "02:00:00:00:de:02";
    private const string ClientMac = "02:00:00:00:de:01";

    private readonly LabNetwork _network;

    private DemoNetwork(LabNetwork network, LabNamespace server, LabNamespace client)
    {
        _network = network;
        ServerNamespace = server.Name;
        ClientNamespace = client.Name;
    }

    /// <summary>The server's namespace (the guarded interface lives here).</summary>
    internal string ServerNamespace { get; }

    /// <summary>The namespace of the client, the noisy host and the attacker.</summary>
    internal string ClientNamespace { get; }

    internal static DemoNetwork Create()
    {
        var network = new LabNetwork(Prefix);
        try
        {
            var server = network.AddNamespace("-srv");
            var client = network.AddNamespace("-net");
            // Permanent neighbours (set by Connect): no ARP races the first packets, and the guard's counters show only
            // the demo's traffic.
            network.Connect(
                new VethEnd(client, ClientInterface, ClientMac, ClientAddress + "/24", NoisyAddress + "/24"),
                new VethEnd(server, ServerInterface, ServerMac, ServerAddress + "/24"));
            return new DemoNetwork(network, server, client);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Deletes both namespaces (and with them the veth pair and the guard's attachments).</summary>
    public void Dispose() => _network.Dispose();
}

using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Traffic;

namespace Sluice.Cli.Commands;

/// <summary>The demo's four senders, started together from the client namespace, with their results once done.</summary>
internal sealed class DemoTraffic
{
    internal DemoTraffic(IPEndPoint server, IPEndPoint sink, TimeSpan duration, int floodPacketsPerSecond, int noisyPacketsPerSecond)
    {
        var limit = duration + TimeSpan.FromSeconds(1);
        Client = new TcpClientLoop(new TcpClientOptions(server)
        {
            Local = IPAddress.Parse(DemoNetwork.ClientAddress),
            Connections = (int)(75 * duration.TotalSeconds),
            ConnectionsPerSecond = 75,
            MaxDuration = limit,
        });
        long floodPackets = (long)(floodPacketsPerSecond * duration.TotalSeconds);
        SynFlood = new SpoofedFlood(new FloodOptions(FloodKind.Syn, DemoCommand.AttackerRange, server)
        { MaxPackets = floodPackets, PacketsPerSecond = floodPacketsPerSecond, MaxDuration = limit });
        UdpFlood = new SpoofedFlood(new FloodOptions(FloodKind.Udp, DemoCommand.AttackerRange, new IPEndPoint(server.Address, 53))
        { MaxPackets = floodPackets, PacketsPerSecond = floodPacketsPerSecond, MaxDuration = limit });
        Noisy = new UdpStream(new IPEndPoint(IPAddress.Parse(DemoNetwork.NoisyAddress), 0), sink, noisyPacketsPerSecond)
        { MaxPackets = (long)(noisyPacketsPerSecond * duration.TotalSeconds), MaxDuration = limit };
    }

    internal TcpClientLoop Client { get; }
    internal SpoofedFlood SynFlood { get; }
    internal SpoofedFlood UdpFlood { get; }
    internal UdpStream Noisy { get; }

    internal TcpClientResult? ClientResult { get; private set; }
    internal FloodResult? SynResult { get; private set; }
    internal FloodResult? UdpResult { get; private set; }
    internal long NoisySent { get; private set; }

    /// <summary>Flood packets the kernel accepted so far (both floods).</summary>
    internal long FloodSent => SynFlood.PacketsSent + UdpFlood.PacketsSent;

    internal Task Start(NetworkNamespace netns, CancellationToken cancellationToken) => RunAsync(netns, cancellationToken);

    private async Task RunAsync(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        var client = Client.Start(netns, cancellationToken);
        var syn = SynFlood.Start(netns, cancellationToken);
        var udp = UdpFlood.Start(netns, cancellationToken);
        var noisy = Noisy.Start(netns, cancellationToken);
        ClientResult = await client.ConfigureAwait(false);
        SynResult = await syn.ConfigureAwait(false);
        UdpResult = await udp.ConfigureAwait(false);
        NoisySent = await noisy.ConfigureAwait(false);
    }
}

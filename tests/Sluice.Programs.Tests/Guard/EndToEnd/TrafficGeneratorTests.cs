using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>The traffic generators on their own (no guard): what they report is what arrives.</summary>
public sealed class TrafficGeneratorTests
{
    private static readonly IPNetwork AttackerRange = IPNetwork.Parse("198.19.0.0/16");

    [Fact]
    public void Spoofed_udp_flood_arrives_packet_for_packet_and_reports_what_it_sent()
    {
        Requires.Root();
        using var veth = new VethNamespaces();
        using var sender = NetworkNamespace.Open(veth.SenderNamespace);
        using var receiver = NetworkNamespace.Open(veth.ReceiverNamespace);
        // Spoofed sources have no route back: accept them anyway, as an edge box would before its guard decides.
        veth.InReceiver("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", $"net.ipv4.conf.{veth.ReceiverInterface}.rp_filter=0");
        using var sink = UdpSink.Start(new IPEndPoint(IPAddress.Any, 9000), receiver);
        var flood = new SpoofedFlood(new FloodOptions(FloodKind.Udp, AttackerRange, new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 9000))
        {
            MaxPackets = 3000,
            PacketsPerSecond = 20_000,
            Seed = 1,
        });
        var result = flood.Run(sender);
        Assert.Equal(3000, result.PacketsSent + result.SendErrors);
        Assert.Equal(result.PacketsSent, flood.PacketsSent);
        WaitUntil(() => sink.Received >= result.PacketsSent, TimeSpan.FromSeconds(5));
        Assert.Equal(result.PacketsSent, sink.Received);
        // Sources are spread over the range: with 3000 draws from 65536 addresses, a repeated source is rare.
        Assert.Equal(0, sink.ReceivedFrom(IPAddress.Parse(VethNamespaces.SenderAddress)));
        Assert.InRange(result.PacketsPerSecond, 1000, 25_000);
    }

    [Fact]
    public void Spoofed_ipv6_udp_flood_arrives_packet_for_packet()
    {
        Requires.Root();
        using var veth = new VethNamespaces();
        using var sender = NetworkNamespace.Open(veth.SenderNamespace);
        using var receiver = NetworkNamespace.Open(veth.ReceiverNamespace);
        using var sink = UdpSink.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress6), 9000), receiver);
        var flood = new SpoofedFlood(new FloodOptions(FloodKind.Udp, IPNetwork.Parse("fd66::/16"), sink.LocalEndPoint)
        {
            MaxPackets = 2000,
            PacketsPerSecond = 20_000,
        });
        var result = flood.Run(sender);
        Assert.Equal(2000, result.PacketsSent);
        WaitUntil(() => sink.Received >= result.PacketsSent, TimeSpan.FromSeconds(5));
        Assert.Equal(result.PacketsSent, sink.Received);
    }

    [Fact]
    public void Flood_stops_at_its_duration_when_the_packet_budget_is_larger()
    {
        Requires.Root();
        using var veth = new VethNamespaces();
        using var sender = NetworkNamespace.Open(veth.SenderNamespace);
        var flood = new SpoofedFlood(new FloodOptions(FloodKind.Syn, AttackerRange, new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 80))
        {
            MaxPackets = 1_000_000,
            MaxDuration = TimeSpan.FromMilliseconds(300),
            PacketsPerSecond = 2000,
        });
        var result = flood.Run(sender);
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2));
        Assert.InRange(result.PacketsSent, 100, 800);
    }

    [Fact]
    public void Floods_refuse_addresses_outside_the_test_ranges()
    {
        var target = new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 80);
        Assert.Throws<ArgumentException>(() => new FloodOptions(FloodKind.Syn, IPNetwork.Parse("10.0.0.0/8"), target));
        Assert.Throws<ArgumentException>(() => new FloodOptions(FloodKind.Syn, IPNetwork.Parse("198.0.0.0/8"), target));
        Assert.Throws<ArgumentException>(() => new FloodOptions(FloodKind.Udp, AttackerRange, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 53)));
        Assert.Throws<ArgumentException>(() => new FloodOptions(FloodKind.Udp, IPNetwork.Parse("fd00::/64"), target));
    }

    [Fact]
    public void Tcp_client_loop_completes_every_connection_to_the_echo_server()
    {
        Requires.Root();
        using var veth = new VethNamespaces();
        using var sender = NetworkNamespace.Open(veth.SenderNamespace);
        using var receiver = NetworkNamespace.Open(veth.ReceiverNamespace);
        using var server = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 0), receiver);
        var client = new TcpClientLoop(new TcpClientOptions(server.LocalEndPoint)
        {
            Local = IPAddress.Parse(VethNamespaces.SenderSecondAddress),
            Connections = 50,
            PayloadLength = 100,
        });
        var result = client.Run(sender);
        Assert.True(result.Successes == 50, string.Join("; ", result.Errors.Select(e => $"{e.Key} x{e.Value}")));
        Assert.Equal(1.0, result.SuccessRate);
        Assert.Equal(50, server.Connections);
        WaitUntil(() => server.BytesEchoed == 5000, TimeSpan.FromSeconds(2));
        Assert.Equal(5000, server.BytesEchoed);
        Assert.True(result.MedianLatency > TimeSpan.Zero && result.MedianLatency <= result.MaxLatency);
    }

    [Fact]
    public void Tcp_client_loop_reports_failures_when_nobody_listens()
    {
        Requires.Root();
        using var veth = new VethNamespaces();
        using var sender = NetworkNamespace.Open(veth.SenderNamespace);
        var client = new TcpClientLoop(new TcpClientOptions(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 9)) { Connections = 3 });
        var result = client.Run(sender);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(0, result.Successes);
        Assert.Equal(3, result.Errors["ConnectionRefused"]);
    }

    internal static void WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) Thread.Sleep(10);
    }
}

using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.Echo;
using Sluice.Programs.Tests.XdpApps;
using Sluice.Programs.XdpApps;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Echo;

/// <summary>
/// The reflector on a real veth pair: the receiver namespace's interface runs echo_xdp (native), and ping, ping -6 and a
/// UDP client in the sender namespace talk to it; tcpdump captures the replies, whose checksums are verified in C#.
/// </summary>
public sealed class EchoLiveTests : IDisposable
{
    private readonly VethNamespaces _bed;
    private readonly TestPinDirectory _pins;
    private readonly XdpAppPlace _place;
    private readonly EchoController _echo;

    public EchoLiveTests()
    {
        Requires.Root();
        _pins = new TestPinDirectory();
        _bed = new VethNamespaces();
        _place = new XdpAppPlace(_pins.File("echo"), _bed.ReceiverNamespace);
        _echo = EchoController.Attach(_place, _bed.ReceiverInterface, new EchoAttachOptions { Mode = XdpMode.Native, UdpPorts = [7, 9007] });
    }

    [Fact]
    public void Attach_prepares_the_veth_peer_and_says_so()
    {
        Assert.Contains(_echo.VethChanges, c => c.Setting == "tx-checksumming" && c.Value == "off" && c.Interface == _bed.SenderInterface && c.Namespace == _bed.SenderNamespace);
        using var sender = NetworkNamespace.Open(_bed.SenderNamespace);
        Assert.True(InterfaceOffloads.IsEnabled(_bed.SenderInterface, InterfaceOffload.Gro, sender));
        Assert.False(InterfaceOffloads.IsEnabled(_bed.SenderInterface, InterfaceOffload.TxChecksum, sender));
        var status = _echo.Status();
        Assert.Equal(XdpMode.Native, status.Mode);
        Assert.Equal(new ushort[] { 7, 9007 }, status.UdpPorts);
    }

    [Fact]
    public void Ping_and_ping6_are_answered_by_xdp_with_valid_checksums()
    {
        using (var capture = new PcapCapture(_bed.SenderNamespace, _bed.SenderInterface, "icmp or icmp6"))
        {
            _bed.InSender("ping", "-c", "3", "-i", "0.2", "-W", "5", VethNamespaces.ReceiverAddress);
            _bed.InSender("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5", VethNamespaces.ReceiverAddress6);
            var replies = capture.Frames(atLeast: 12).Select(FrameChecks.Parse)
                .Where(f => f.Source.Equals(IPAddress.Parse(VethNamespaces.ReceiverAddress)) || f.Source.Equals(IPAddress.Parse(VethNamespaces.ReceiverAddress6)))
                .Where(f => f.L4[0] is 0 or 129).ToList();
            Assert.Equal(6, replies.Count);
            foreach (var reply in replies) FrameChecks.AssertChecksums(reply.Frame);
        }
        var stats = _echo.Statistics();
        Assert.Equal(3UL, stats[EchoStat.Icmp4].Packets);
        Assert.Equal(3UL, stats[EchoStat.Icmp6].Packets);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Udp_echo_client_gets_every_datagram_back_with_valid_checksums(bool ipv6)
    {
        var server = new IPEndPoint(IPAddress.Parse(ipv6 ? VethNamespaces.ReceiverAddress6 : VethNamespaces.ReceiverAddress), 7);
        using var capture = new PcapCapture(_bed.SenderNamespace, _bed.SenderInterface, "udp port 7");
        using var sender = NetworkNamespace.Open(_bed.SenderNamespace);
        using var socket = sender.Run(() => new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        socket.ReceiveTimeout = 5000;
        var buffer = new byte[2048];
        for (int i = 1; i <= 5; i++)
        {
            var payload = Enumerable.Range(0, 17 * i).Select(b => (byte)(b * 7 + i)).ToArray();
            socket.SendTo(payload, server);
            EndPoint from = new IPEndPoint(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            int length = socket.ReceiveFrom(buffer, ref from);
            Assert.Equal(payload, buffer[..length]);
            Assert.Equal(server, from);
        }
        var replies = capture.Frames(atLeast: 10).Select(FrameChecks.Parse).Where(f => f.Source.Equals(server.Address)).ToList();
        Assert.Equal(5, replies.Count);
        foreach (var reply in replies) FrameChecks.AssertChecksums(reply.Frame);
        Assert.Equal(5UL, _echo.Statistics()[ipv6 ? EchoStat.Udp6 : EchoStat.Udp4].Packets);
    }

    [Fact]
    public void Other_traffic_reaches_the_stack()
    {
        using var receiver = NetworkNamespace.Open(_bed.ReceiverNamespace);
        using var sender = NetworkNamespace.Open(_bed.SenderNamespace);
        using var listener = receiver.Run(() =>
        {
            var l = new TcpListener(IPAddress.Parse(VethNamespaces.ReceiverAddress), 0);
            l.Start();
            return l;
        });
        using var udpServer = receiver.Run(() => new UdpClient(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 0)));
        using var client = sender.Run(() => new TcpClient(AddressFamily.InterNetwork));
        client.Connect((IPEndPoint)listener.LocalEndpoint);
        using var accepted = listener.AcceptTcpClient();
        client.GetStream().Write("hello"u8);
        var received = new byte[5];
        accepted.GetStream().ReadTimeout = 5000;
        accepted.GetStream().ReadExactly(received);
        Assert.Equal("hello"u8.ToArray(), received);

        using var udpClient = sender.Run(() => new UdpClient(AddressFamily.InterNetwork));
        udpClient.Send([1, 2, 3], (IPEndPoint)udpServer.Client.LocalEndPoint!);
        udpServer.Client.ReceiveTimeout = 5000;
        IPEndPoint? from = null;
        Assert.Equal(new byte[] { 1, 2, 3 }, udpServer.Receive(ref from));
        Assert.True(_echo.Statistics()[EchoStat.Passed].Packets >= 4);
        Assert.Equal(0UL, _echo.Statistics()[EchoStat.Udp4].Packets);
    }

    public void Dispose()
    {
        _echo?.Dispose();
        if (_place is not null) EchoController.Detach(_place, _bed.ReceiverInterface);
        _bed?.Dispose();
        _pins?.Dispose();
    }
}
